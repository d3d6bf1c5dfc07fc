"""The "Waarom voor jullie" sentences (reports/explanations.py), from parts made by hand."""

import pytest

from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.reports.explanations import (
    Facet,
    context_clause,
    context_sentences,
    evidence_sentence,
    explain,
    facet_sentence,
    key_sentence,
    need_sentence,
    practice_sentence,
    severity_sentence,
    strongest_facets,
    without_evidence_number,
)

WORK = "Het werk gaat voor op leren"

# The parts the scoring stores for a "mixture" top-3 action (scoring.top3.MixtureComponents,
# as a dict): 15 respondents, the challenge their second need.
NEW_PARTS = {
    "evidence_mixture": 0.612,
    "evidence_part": 0.612,
    "need_rank": 2,
    "need_points": 14,
    "need_chosen_by": 6,
    "urgency": 4.2,
    "need_part": 0.5,
    "severity": 72.5,
    "severity_part": 0.36,
    "facets": [
        {"item_id": "B1_3", "agree": 11, "answered": 15},
        {"item_id": "B1_4", "agree": 9, "answered": 15},
        {"item_id": "B1_2", "agree": 4, "answered": 15},
    ],
    "facet_share": 0.53,
    "facet_part": 0.3,
    "context": [
        {"item_id": "A_sites", "value": "4_10", "effect": "fits"},
        {"item_id": "A_hr_capacity", "value": "none", "effect": "hinders"},
    ],
    "context_part": 0.0,
    "practice": "deels",
    "practice_part": -0.2,
}


def explained(parts, respondents=15, prior=True):
    return explain(
        parts,
        respondents=respondents,
        challenge_title=WORK,
        profile_name="Druk en verspreid",
        prior=prior,
        questionnaire=get_questionnaire(),
    )


@pytest.mark.parametrize(
    ("rank", "chosen", "respondents", "sentence"),
    [
        (
            1,
            9,
            15,
            "‘Het werk gaat voor op leren’ is jullie grootste nood, gekozen door 9 van 15 "
            "collega's.",
        ),
        (
            2,
            6,
            15,
            "‘Het werk gaat voor op leren’ is jullie tweede grootste nood, gekozen door 6 "
            "van 15 collega's.",
        ),
        (
            3,
            2,
            15,
            "‘Het werk gaat voor op leren’ is jullie derde grootste nood, gekozen door 2 "
            "van 15 collega's.",
        ),
        (
            None,
            2,
            15,
            "2 van 15 collega's noemden ‘Het werk gaat voor op leren’ bij hun grootste noden.",
        ),
        (None, None, 15, None),
        # An old snapshot knows the rank, not the count: no number is made up.
        (2, None, 15, "‘Het werk gaat voor op leren’ is jullie tweede grootste nood."),
        # One respondent made the choice alone: "je".
        (1, 1, 1, "Je koos ‘Het werk gaat voor op leren’ als je grootste nood."),
        (3, 1, 1, "Je koos ‘Het werk gaat voor op leren’ als je derde grootste nood."),
        (None, None, 1, None),
    ],
)
def test_the_need_is_the_groups_rank_with_how_many_chose_it(rank, chosen, respondents, sentence):
    assert need_sentence(WORK, rank, chosen, respondents) == sentence


def test_the_score_names_the_challenge_unless_a_sentence_before_did():
    assert severity_sentence(WORK, 72.5, named_before=True) == (
        "Deze uitdaging scoort bij jullie 73 op 100."
    )
    assert severity_sentence(WORK, 40.0, named_before=False) == (
        "‘Het werk gaat voor op leren’ scoort bij jullie 40 op 100."
    )
    assert severity_sentence(WORK, None, named_before=False) is None


def test_only_facets_most_respondents_agreed_with_are_quoted_the_largest_share_first():
    facets = [
        Facet("A.", False, 8, 15),
        Facet("B.", False, 7, 14),  # exactly half: not "most"
        Facet("C.", True, 12, 15),
        Facet("D.", False, 3, 4),
        Facet("E.", False, 0, 0),
    ]
    assert [facet.text for facet in strongest_facets(facets)] == ["C.", "D."]
    assert [facet.text for facet in strongest_facets(facets, limit=5)] == ["C.", "D.", "A."]
    assert strongest_facets([Facet("B.", False, 1, 2)]) == []


@pytest.mark.parametrize(
    ("facet", "respondents", "sentence"),
    [
        (
            Facet("Als het druk wordt, schrappen we eerst de leermomenten.", False, 11, 15),
            15,
            "11 van 15 collega's zijn het eens met ‘Als het druk wordt, schrappen we eerst de "
            "leermomenten’.",
        ),
        # A reverse item names the absence of the problem: agreeing with the problem is
        # disagreeing with the item.
        (
            Facet("Er is tijd voorzien om te leren tijdens de werkuren.", True, 9, 15),
            15,
            "9 van 15 collega's zijn het oneens met ‘Er is tijd voorzien om te leren tijdens de "
            "werkuren’.",
        ),
        # "Weet niet" is no answer: the count says of how many.
        (
            Facet("Het werk is druk.", False, 9, 12),
            15,
            "9 van de 12 collega's die antwoordden, zijn het eens met ‘Het werk is druk’.",
        ),
        (
            Facet("Het werk is druk.", True, 9, 12),
            15,
            "9 van de 12 collega's die antwoordden, zijn het oneens met ‘Het werk is druk’.",
        ),
        (Facet("Het werk is druk.", False, 1, 1), 1, "Je bent het eens met ‘Het werk is druk’."),
        (Facet("Het werk is druk.", True, 1, 1), 1, "Je bent het oneens met ‘Het werk is druk’."),
    ],
)
def test_a_facet_quotes_the_item_with_the_count_of_colleagues(facet, respondents, sentence):
    assert facet_sentence(facet, respondents) == sentence


@pytest.mark.parametrize(
    ("item_id", "value", "label", "clause"),
    [
        ("A_sites", "4_10", "4 tot 10", "jullie werken op 4 tot 10 locaties"),
        ("A_sites", "11plus", "Meer dan 10", "jullie werken op meer dan 10 locaties"),
        ("A_sites", "1", "1", "jullie werken op één locatie"),
        (
            "A_away_from_manager",
            "25_50",
            "25 tot 50%",
            "25 tot 50% van de medewerkers werkt meestal op een andere plek dan de leidinggevende",
        ),
        (
            "A_telework",
            "75plus",
            "Meer dan 75%",
            "meer dan 75% van de medewerkers werkt minstens de helft van de tijd thuis of op "
            "afstand",
        ),
        ("A_alone", "50_75", "50 tot 75%", "50 tot 75% van de medewerkers werkt meestal alleen"),
        (
            "A_hr_capacity",
            "none",
            "Geen vaste tijd: het gebeurt naast ander werk",
            "voor HR, opleiding en ontwikkeling is er geen vaste tijd",
        ),
        (
            "A_hr_capacity",
            "lt1",
            "Minder dan één voltijdse job",
            "HR, opleiding en ontwikkeling krijgen samen minder dan één voltijdse job",
        ),
        ("A_sector", "Q", "Gezondheidszorg en welzijn", None),
    ],
)
def test_context_answers_read_as_clauses_about_the_organisation(item_id, value, label, clause):
    assert context_clause(item_id, value, label) == clause


def test_context_sentences_say_what_fits_and_what_to_keep_in_mind():
    assert context_sentences(["a", "b", "c"], []) == ["Dat past bij jullie situatie: a, b en c."]
    assert context_sentences([], ["d"]) == ["Houd er rekening mee: d."]
    assert context_sentences([], []) == []


def test_only_a_partly_existing_practice_is_mentioned():
    assert practice_sentence("deels") == (
        "Het bestaat bij jullie al deels: jullie kunnen verder bouwen op wat er is."
    )
    assert [practice_sentence(state) for state in ("nog_niet", "al", "nvt", None)] == [None] * 4


def test_evidence_is_worded_only_for_an_estimated_model_and_never_as_a_number():
    assert evidence_sentence(0.85, prior=True) is None
    assert evidence_sentence(0.85, prior=False) == (
        "In organisaties die op jullie lijken, past deze actie sterk."
    )
    assert evidence_sentence(None, prior=False) is None


def test_the_new_parts_explain_from_the_groups_own_answers():
    assert explained(NEW_PARTS) == (
        "‘Het werk gaat voor op leren’ is jullie tweede grootste nood, gekozen door 6 van 15 "
        "collega's.",
        "Deze uitdaging scoort bij jullie 73 op 100.",
        "11 van 15 collega's zijn het eens met ‘Als het druk wordt, schrappen we eerst de "
        "leermomenten’.",
        "9 van 15 collega's zijn het oneens met ‘Er is tijd voorzien om te leren tijdens de "
        "werkuren’.",
        "Dat past bij jullie situatie: jullie werken op 4 tot 10 locaties.",
        "Houd er rekening mee: voor HR, opleiding en ontwikkeling is er geen vaste tijd.",
        "Het bestaat bij jullie al deels: jullie kunnen verder bouwen op wat er is.",
    )


def test_one_respondent_is_spoken_to_as_je():
    parts = {
        **NEW_PARTS,
        "need_rank": 1,
        "need_chosen_by": 1,
        "facets": [{"item_id": "B1_3", "agree": 1, "answered": 1}],
    }
    sentences = explained(parts, respondents=1)
    assert sentences[0] == "Je koos ‘Het werk gaat voor op leren’ als je grootste nood."
    assert "Je bent het eens met ‘Als het druk wordt, schrappen we eerst de leermomenten’." in (
        sentences
    )
    assert not any("collega" in sentence for sentence in sentences)


def test_an_estimated_model_adds_the_fit_in_words():
    sentences = explained(NEW_PARTS, prior=False)
    assert sentences[-1] == "In organisaties die op jullie lijken, past deze actie goed."
    assert not any("0,6" in sentence or "0.6" in sentence for sentence in sentences)


def test_missing_parts_are_left_out_and_an_empty_explanation_falls_back_to_the_profile():
    assert explained({}) == (
        "In het startmodel hoort deze actie bij het profiel ‘Druk en verspreid’, waar jullie "
        "organisatie het meest op lijkt.",
    )
    # Facets and context of items the questionnaire no longer has are skipped.
    parts = {
        "facets": [{"item_id": "B99_1", "agree": 5, "answered": 5}],
        "context": [{"item_id": "A_unknown", "value": "x", "effect": "fits"}],
    }
    assert len(explained(parts)) == 1
    assert explained({}, prior=False) == ("Deze actie past bij het profiel ‘Druk en verspreid’.",)


def test_old_snapshot_parts_are_explained_without_their_evidence_number():
    old = {
        "evidence": 0.85,
        "evidence_part": 0.85,
        "need_rank": 1,
        "need_part": 1.6,
        "severity": 100.0,
        "severity_part": 0.5,
    }
    assert explained(old) == (
        "‘Het werk gaat voor op leren’ is jullie grootste nood.",
        "Deze uitdaging scoort bij jullie 100 op 100.",
    )
    assert explained(old, respondents=1)[0] == (
        "Je koos ‘Het werk gaat voor op leren’ als je grootste nood."
    )


def test_an_old_stored_reason_loses_its_evidence_number():
    reason = (
        "Je koos ‘Werk gaat voor’ als je grootste nood, deze uitdaging scoort 72 op 100 en in "
        "organisaties met het profiel ‘Druk en verspreid’ past deze actie sterk (0,85)."
    )
    assert without_evidence_number(reason).endswith("past deze actie sterk.")
    assert without_evidence_number("Past redelijk (0.30).") == "Past redelijk."


def test_the_key_sentence_of_a_short_list_is_the_most_specific_one():
    def key(parts, respondents=15):
        return key_sentence(
            parts,
            respondents=respondents,
            challenge_title=WORK,
            profile_name="Druk en verspreid",
            prior=True,
            questionnaire=get_questionnaire(),
        )

    assert key(NEW_PARTS) == (
        "11 van 15 collega's zijn het eens met ‘Als het druk wordt, schrappen we eerst de "
        "leermomenten’."
    )
    no_facets = {**NEW_PARTS, "facets": []}
    assert key(no_facets) == "Dat past bij jullie situatie: jullie werken op 4 tot 10 locaties."
    assert key({**no_facets, "context": []}) == (
        "‘Het werk gaat voor op leren’ is jullie tweede grootste nood, gekozen door 6 van 15 "
        "collega's."
    )
    assert key({}).startswith("In het startmodel hoort deze actie bij het profiel")
