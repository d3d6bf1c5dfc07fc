"""The variables of the per-round datasets of the research exports: scores, classes,
practices, needs and ratings (codebook.py holds the Variable type, the item codes, the
responses' variables and the codebook rows; its docstring gives the coding rules).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.scoring.scales import scale_items

from .codebook import (
    PRACTICE_NOT_APPLICABLE,
    PRACTICE_SCALE,
    Variable,
    action_titles,
    challenge_titles,
    flag,
    practice_note,
    practice_values,
    round_variables,
)


def posterior_name(profile_id: str) -> str:
    # Profile ids are slugs (a-z, 0-9, "-"); SPSS names take no "-".
    return "posterior_" + profile_id.replace("-", "_")


SCORE_EMPTY = (
    "Leeg: geen score, want minder dan 75% van de items van de uitdaging is beantwoord (in "
    "geen enkele versie van de vragenlijst; 'weet niet' telt niet als antwoord)."
)


def score_note(challenge: int) -> str:
    """How score_<challenge> is computed from the items (scoring/scales.py `scores_of`)."""
    items = [item for item in scale_items(get_questionnaire()) if item.challenge == challenge]
    listed = ", ".join(item.id + (" (omgekeerd)" if item.reverse else "") for item in items)
    return (
        "score = (gemiddeld gesleuteld antwoord − 1) / 4 × 100, afgerond op 1 decimaal (half "
        "naar even). Antwoorden 1–5 (helemaal oneens – helemaal eens); een omgekeerd item telt "
        "als 6 − antwoord. Over de respondenten van de ronde eerst het gemiddelde per item "
        "(weet niet en leeg tellen niet), dan het gemiddelde over de beantwoorde items van de "
        "uitdaging. Een score als de beantwoorde items minstens 75% van de items van de "
        "uitdaging in één versie van de vragenlijst dekken (elke rol heeft haar versie; 3 van "
        f"4, 4 van 5). Items: {listed}. Zoals leerkansen/scoring/scales.py scores_of "
        "(docs/scoring.md)."
    )


def score_variables(profiles: Mapping[str, str]) -> list[Variable]:
    """The scores' variables; `profiles` maps the profile ids of the reports to their names."""
    titles = challenge_titles()
    return [
        *round_variables(),
        Variable("model_version", "Versie van het profielmodel van het rapport", "text"),
        Variable("catalogue_version", "Versie van de actiecatalogus van het rapport", "text"),
        Variable(
            "n_responses",
            "Aantal verstuurde antwoorden in de ronde",
            "number",
            note=f"Alleen rondes waarvan het rapport op minstens {settings.ANONYMITY_THRESHOLD} "
            "antwoorden steunt (de anonimiteitsdrempel), in elke dataset per ronde.",
        ),
        *(
            Variable(
                f"score_{number}",
                f"Score uitdaging {number}: {title} (0–100, hoger = weegt zwaarder; leeg als "
                "minder dan 75% van de items beantwoord is)",
                "decimal",
                section="B",
                scale="agreement",
                challenge=int(number),
                note=score_note(int(number)),
                empty=SCORE_EMPTY,
            )
            for number, title in titles.items()
        ),
        Variable(
            "profile",
            "Dominant profiel (id in de modelversie van het rapport)",
            "text",
            dict(profiles),
        ),
        Variable(
            "profile_probability",
            "Posterior kans op het dominante profiel onder de modelversie van het rapport (bij "
            "een startmodel, status prior: een aanname, geen bevinding)",
            "decimal",
        ),
        Variable("nearest_prototype", "Dichtstbijzijnde prototype (controle)", "text"),
        *(
            Variable(
                posterior_name(profile_id),
                f"Posterior kans op profiel {profile_id} (leeg: niet in de modelversie)",
                "decimal",
                empty="Leeg: het profiel bestaat niet in de modelversie van het rapport.",
            )
            for profile_id in profiles
        ),
    ]


def class_variables(
    model_version: str, profiles: Mapping[str, str], simulated: bool
) -> list[Variable]:
    """The classes dataset: each round's profile under one chosen model version (a draft
    too), from its report's scores; `profiles` maps that version's profile ids to names."""
    variables = [
        *round_variables(),
        Variable(
            "class_model_version",
            "Modelversie waaronder de ronde hier ingedeeld is (gekozen bij het downloaden)",
            "text",
            note=f"Alle rijen onder versie {model_version}; de scores zijn die van het rapport.",
            empty="Nooit leeg.",
        ),
        Variable(
            "class_profile",
            f"Meest waarschijnlijke profiel onder versie {model_version}",
            "text",
            dict(profiles),
            empty="Leeg: het rapport heeft geen enkele score, dus geen profiel.",
        ),
        Variable(
            "class_probability",
            "Posterior kans op dat profiel (bij een startmodel, status prior: een aanname, "
            "geen bevinding)",
            "decimal",
            empty="Leeg: het rapport heeft geen enkele score, dus geen profiel.",
        ),
        *(
            Variable(
                f"class_{posterior_name(profile_id)}",
                f"Posterior kans op profiel {profile_id} onder versie {model_version}",
                "decimal",
                empty="Leeg: het rapport heeft geen enkele score, dus geen profiel.",
            )
            for profile_id in profiles
        ),
    ]
    if simulated:
        variables.append(
            Variable(
                "planted_profile",
                "Geplant profiel van de gesimuleerde organisatie (1-gebaseerd, volgorde van "
                "research/simulation.py)",
                "number",
                empty="Leeg: voor deze organisatie werd geen profiel geplant.",
            )
        )
    return variables


def practice_name(action_id: str) -> str:
    return "practice_" + action_id.replace(".", "_")


def practice_variables() -> list[Variable]:
    # "Weet niet" does not count in a round's practice, so it never appears here.
    states = practice_values(dont_know=False)
    return [
        *round_variables(),
        *(
            Variable(
                practice_name(action.id),
                f"Actie {action.id}: {action.title} (deel C, meest gegeven antwoord in de ronde)",
                "number",
                states,
                missing=(PRACTICE_NOT_APPLICABLE,),
                section="C",
                scale=PRACTICE_SCALE,
                challenge=action.challenge_number,
                action=action.id,
                note="Bij gelijke stand telt de voorzichtigste: deels, nog niet, al, niet van "
                f"toepassing. {practice_note()} Weet niet telt in de ronde niet mee en komt "
                "hier niet voor.",
                measure="ordinal",
                empty="Leeg: geen respondent beantwoordde deze actie (of alleen met weet niet).",
            )
            for action in get_catalogue().actions()
        ),
    ]


NEED_RANKS = (1, 2, 3)


def need_variables() -> list[Variable]:
    titles = challenge_titles()
    variables = round_variables()
    for rank in NEED_RANKS:
        variables += [
            Variable(
                f"need_{rank}",
                f"Nood op plaats {rank} in de ronde (uitdaging; 3-2-1 punten over alle "
                "respondenten)",
                "number",
                titles,
                section="D",
                scale="challenges",
                measure="nominal",
                empty=f"Leeg: de respondenten rangschikten minder dan {rank} noden.",
            ),
            Variable(
                f"need_{rank}_urgency",
                f"Gemiddelde dringendheid van nood {rank} (1 = kan wachten, 5 = heel dringend)",
                "decimal",
                section="D",
                scale="urgency",
                empty="Leeg: geen nood op deze plaats, of niemand gaf er een dringendheid aan.",
            ),
        ]
    return variables


def rating_variables() -> list[Variable]:
    return [
        *round_variables(),
        Variable("action", "Beoordeelde actie (id in de catalogus)", "text", action_titles()),
        Variable(
            "challenge", "Uitdaging van de actie", "number", challenge_titles(), measure="nominal"
        ),
        Variable("relevance", "Relevantie volgens de organisatie (1–5)", "number"),
        Variable("feasibility", "Haalbaarheid volgens de organisatie (1–5)", "number"),
        flag("recommended", "Stond de actie in de top 3 van het rapport toen ze beoordeeld werd?"),
        Variable("rated_month", "Maand van de laatste beoordeling (JJJJ-MM)", "text"),
        # After the other columns: the columns researchers' scripts know keep their positions.
        flag(
            "asked_at_random",
            "Vroeg de beoordelingspagina naar deze actie als een van twee willekeurig gekozen "
            "acties die de app niet aanraadde?",
            note="Laatste kolom, zodat de bestaande kolommen op hun plaats blijven. 1: de app "
            "koos de actie willekeurig om te laten beoordelen (niet aangeraden), zodat "
            "schattingen niet beperkt blijven tot de eigen keuzes van de app. recommended = 0 "
            "en asked_at_random = 0: de organisatie beoordeelde de actie uit zichzelf.",
        ),
    ]
