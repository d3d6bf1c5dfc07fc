"""A demo organisation with a round of several respondents, so a newcomer sees a report at once.

The round is answered by HR, management, line managers and employees, enough of them to show
what a report of several respondents holds: counts per role, two roles compared with everyone,
two small roles shown as one group ("HR en directie"), the gap between the groups, agreement
per challenge and open answers.
The answers differ as people's do: line managers and employees see their managers' support
and coaching (challenges 5 and 9) and the way learning needs are raised (3) differently, some
items get "weet niet", some practices are in place ("al") or partly ("deels"), and each person
ranks their own three needs with how urgent they are.
Every answer is made up. The demo report is public at /rapport/demo/.

For trying the HR side locally (`make run`), `practice_login` makes an HR admin with a fresh
password, of a practice organisation that has the same made-up round and its report: an
ordinary organisation, so the plan, rounds, ratings and progress all work as for a real one.
"""

import random
import secrets
from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from leerkansen.content.questionnaire import get_questionnaire, questionnaire_for
from leerkansen.organisations.models import Membership, Organisation
from leerkansen.survey.rounds import close_round
from leerkansen.survey.services import (
    complete_response,
    new_assessment,
    save_answers,
    start_response,
)

from .models import Report
from .services import create_report

DEMO_NAME = "Demo: Zorggroep De Linde"
PRACTICE_NAME = "Oefenorganisatie De Linde"
PRACTICE_EMAIL = "hr@oefenorganisatie.test"

# A care organisation of about 150 staff on six sites, most of them working shifts, some alone
# at night. Every answer below is made up, written out per role and spread per person with a
# fixed seed, so the demo report is the same on every machine.
CONTEXT = {
    "A_sector": "Q",
    "A_size": "50_249",
    "A_sites": "4_10",
    "A_away_from_manager": "25_50",
    "A_alone": "25_50",
    "A_telework": "0_10",
    "A_hr_capacity": "1_2",
    "A_training_plan": "in_opmaak",
    "A_role": "hr",
}
NEEDS = {"D_1": 1, "D_1_urgency": 5, "D_2": 4, "D_2_urgency": 4, "D_3": 9, "D_3_urgency": 3}
PRACTICES = {"C_1_1": "al", "C_3_7": "deels"}

# Responses per role: HR and management, each below the threshold, together (5) one group;
# line managers and employees each a group of their own.
DEMO_ROUND = {"hr": 2, "directie": 3, "leidinggevende": 5, "medewerker": 9}

# How strongly each role agrees with the problem-worded items of each challenge (1-5, before
# the spread per item and per person). Line managers feel the time pressure (1) most and see
# little wrong in their own support and coaching (5, 9); employees see that differently, and
# miss a clear way to raise what they want to learn (3) and a plan (7).
ROLE_LEVELS: dict[str, dict[int, float]] = {
    "hr": {1: 4.1, 2: 3.4, 3: 3.2, 4: 3.9, 5: 3.0, 6: 2.9, 7: 2.6, 8: 3.5, 9: 3.3},
    "directie": {1: 3.6, 2: 3.1, 3: 2.6, 4: 3.5, 5: 2.2, 6: 2.6, 7: 2.0, 8: 3.0, 9: 2.5},
    "leidinggevende": {1: 4.5, 2: 3.1, 3: 2.4, 4: 4.0, 5: 1.9, 6: 3.1, 7: 3.0, 8: 3.4, 9: 2.1},
    "medewerker": {1: 3.9, 2: 2.8, 3: 3.8, 4: 4.2, 5: 3.9, 6: 3.4, 7: 3.5, 8: 3.5, 9: 4.0},
}
# How much people of one role differ from each other (the spread of the per-person offset).
# Working alone (8) splits the employees: night staff on small sites against day teams.
PERSON_SPREAD: dict[int, float] = {8: 1.2, 6: 0.7, 2: 0.6, 3: 0.7, 9: 0.6}
DEFAULT_SPREAD = 0.4
# Items some roles cannot judge from their own experience: they answer "weet niet" (None).
DONT_KNOW: dict[str, tuple[str, ...]] = {
    "medewerker": ("B7_3", "B3_5"),
    "directie": ("B8_4", "B6_5"),
    "leidinggevende": ("B7_3",),
}
# ... and some employees skip one more, at random but fixed (seed below).
SEED = 13

# What is in place, per role (section C is optional: employees answer a few rows only).
ROLE_PRACTICES: dict[str, dict[str, str]] = {
    "hr": {
        "C_1_1": "al",
        "C_2_2": "al",
        "C_3_7": "deels",
        "C_4_2": "deels",
        "C_8_1": "deels",
        "C_5_4": "al",
        "C_7_1": "deels",
        "C_4_3": "deels",
        "C_6_2": "nog_niet",
        "C_8_5": "nvt",
        "C_9_1": "al",
        "C_3_1": "nog_niet",
    },
    "directie": {
        "C_1_1": "al",
        "C_2_2": "al",
        "C_3_7": "deels",
        "C_4_2": "deels",
        "C_7_1": "al",
        "C_5_4": "al",
        "C_9_1": "al",
        "C_4_3": "deels",
        "C_8_5": "nvt",
    },
    "leidinggevende": {
        "C_1_1": "al",
        "C_2_2": "deels",
        "C_3_7": "deels",
        "C_4_2": "deels",
        "C_8_1": "deels",
        "C_5_4": "deels",
        "C_9_1": "deels",
        "C_6_2": "nog_niet",
        "C_4_3": "nog_niet",
    },
    "medewerker": {"C_1_1": "deels", "C_4_2": "deels", "C_6_2": "nog_niet", "C_5_4": "nog_niet"},
}

# Each respondent's three largest needs, first to third, with how urgent (1-5): the line
# managers name the time pressure and the distance, the employees their managers' support.
ROLE_NEEDS: dict[str, tuple[tuple[tuple[int, int], ...], ...]] = {
    "hr": (((1, 5), (4, 4), (3, 3)), ((4, 5), (1, 4), (7, 3))),
    "directie": (((7, 4), (1, 3), (4, 3)), ((1, 4), (7, 3), (6, 2)), ((4, 4), (1, 4), (7, 2))),
    "leidinggevende": (
        ((1, 5), (4, 4), (8, 3)),
        ((1, 5), (8, 4), (6, 3)),
        ((4, 4), (1, 4), (2, 2)),
        ((1, 5), (6, 3), (4, 3)),
        ((8, 4), (1, 4), (4, 3)),
    ),
    "medewerker": (
        ((5, 4), (9, 4), (1, 3)),
        ((9, 5), (5, 4), (3, 3)),
        ((1, 5), (5, 3), (8, 3)),
        ((3, 4), (9, 3), (5, 3)),
        ((8, 5), (4, 4), (9, 3)),
        ((5, 4), (1, 4), (3, 2)),
        ((9, 4), (3, 4), (1, 3)),
        ((1, 4), (5, 4), (9, 3)),
        ((4, 4), (8, 4), (5, 3)),
    ),
}

# The context as each respondent knows it: HR knows it all, others leave some open ("weet
# niet", None) or see their own site.
ROLE_CONTEXT: dict[str, tuple[dict[str, str | None], ...]] = {
    "hr": (CONTEXT, {**CONTEXT, "A_alone": "10_25"}),
    "directie": (
        {**CONTEXT, "A_hr_capacity": "1_2"},
        {**CONTEXT, "A_away_from_manager": "10_25", "A_alone": None},
        {**CONTEXT, "A_training_plan": "ja"},
    ),
    "leidinggevende": (
        {**CONTEXT, "A_hr_capacity": "lt1"},
        {**CONTEXT, "A_alone": "50_75"},
        {**CONTEXT, "A_hr_capacity": None},
        {**CONTEXT, "A_sites": "11plus", "A_training_plan": None},
        {**CONTEXT, "A_telework": "10_25"},
    ),
    "medewerker": tuple(
        {
            **CONTEXT,
            "A_size": size,
            "A_alone": alone,
            "A_hr_capacity": None,
            "A_training_plan": plan,
        }
        for size, alone, plan in (
            ("50_249", "25_50", None),
            ("50_249", "50_75", "nee"),
            (None, "10_25", None),
            ("50_249", "25_50", None),
            ("250plus", "75plus", "nee"),
            ("50_249", "10_25", None),
            (None, "25_50", "in_opmaak"),
            ("50_249", "25_50", None),
            ("50_249", "50_75", None),
        )
    ),
}

# Open answers, as colleagues might write them (no names, nothing that points to one person).
OPEN_ANSWERS: dict[str, tuple[str, ...]] = {
    "medewerker": (
        "Er is nooit tijd om iets bij te leren: de planning gaat altijd voor.",
        "Ik leer het meest van collega's op andere sites, maar die zie ik bijna nooit.",
        "Mijn leidinggevende vraagt soms wat ik geleerd heb. Dat helpt.",
        "Een vaste plek in het teamoverleg om ervaringen uit te wisselen zou welkom zijn.",
        "'s Nachts sta ik er alleen voor. Als ik twijfel, weet ik niet wie ik kan bellen.",
        "Opleidingen worden aangekondigd als het al te laat is om je in te schrijven.",
    ),
    "leidinggevende": (
        "Ik wil mijn mensen meer coachen, maar tussen de roosters en de vervangingen door lukt "
        "dat gewoon niet.",
        "Nieuwe collega's worden goed opgevangen door een meter of peter.",
    ),
    "hr": ("Ons opleidingsplan is in opmaak, maar leren op de werkvloer staat er nog niet in.",),
}


def demo_answers(
    agreement: Mapping[int, int] | None = None, role: str = "hr"
) -> dict[str, int | str | None]:
    """One complete set of answers: every challenge at a level (3, or `agreement`'s), for tests.

    The demo round itself is made by respondent_answers.
    """
    levels = {**{c: 3 for c in range(1, 10)}, **(agreement or {})}
    answers: dict[str, int | str | None] = {}
    for item in get_questionnaire().items():
        if item.challenge is not None:
            value = levels[item.challenge]
            answers[item.id] = 6 - value if item.reverse else value
        elif item.section == "E" and item.scale == "agreement":
            answers[item.id] = 3
    return {**answers, **CONTEXT, "A_role": role, **NEEDS, **PRACTICES}


def respondent_answers(role: str, index: int) -> dict[str, int | str | None]:
    """The made-up answers of the index-th respondent in `role`.

    The role's level per challenge, moved per person (PERSON_SPREAD) and per item, with a
    fixed seed per respondent: the same answers on every run.
    """
    # Made-up answers, not a secret: a seeded generator keeps them the same on every run.
    rng = random.Random(f"{SEED}-{role}-{index}")  # noqa: S311
    levels = ROLE_LEVELS[role]
    person = {
        challenge: rng.gauss(0, PERSON_SPREAD.get(challenge, DEFAULT_SPREAD))
        for challenge in levels
    }
    dont_know = set(DONT_KNOW.get(role, ()))
    version = questionnaire_for(role)
    answers: dict[str, int | str | None] = {}
    for item in version.items():
        if item.challenge is not None:
            if item.id in dont_know or rng.random() < 0.015:
                answers[item.id] = None
                continue
            level = levels[item.challenge] + person[item.challenge] + rng.gauss(0, 0.55)
            value = min(5, max(1, round(level)))
            answers[item.id] = 6 - value if item.reverse else value
        elif item.section == "E" and item.scale == "agreement":
            answers[item.id] = min(5, max(1, round(3.2 + rng.gauss(0, 0.8))))
    contexts = ROLE_CONTEXT[role]
    answers.update(contexts[index % len(contexts)])
    needs = ROLE_NEEDS[role][index % len(ROLE_NEEDS[role])]
    for rank, (challenge, urgency) in enumerate(needs, start=1):
        answers[f"D_{rank}"] = challenge
        answers[f"D_{rank}_urgency"] = urgency
    answers.update(ROLE_PRACTICES[role])
    texts = OPEN_ANSWERS.get(role, ())
    if index < len(texts):
        answers["E_open"] = texts[index]
    # Each role answers its own version (questionnaire_for): what it is not asked, it leaves.
    asked = {item.id for item in version.items()}
    return {item_id: value for item_id, value in answers.items() if item_id in asked}


def load_demo() -> Report:
    """The demo organisation's report, made on first use (idempotent)."""
    existing = Report.objects.filter(assessment__organisation__is_demo=True).first()
    if existing:
        return existing
    with transaction.atomic():
        organisation = Organisation.objects.create(name=DEMO_NAME, is_demo=True)
        return _answered_round(organisation, "Demo")


def practice_login() -> tuple[AbstractBaseUser, str]:
    """The practice HR admin and a new password for it (set on every call).

    Made on first use with its organisation and one answered round with a report; later
    calls only change the password. For local use: the caller checks that DEBUG is on.
    """
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        user, _created = get_user_model().objects.get_or_create(
            username=PRACTICE_EMAIL,
            defaults={"email": PRACTICE_EMAIL, "first_name": "HR", "is_active": True},
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        if not Membership.objects.filter(user=user).exists():
            organisation = Organisation.objects.create(
                name=PRACTICE_NAME, sector=CONTEXT["A_sector"], size_band=CONTEXT["A_size"]
            )
            Membership.objects.create(user=user, organisation=organisation)
            _answered_round(organisation, "Najaar 2026")
    return user, password


def _answered_round(organisation: Organisation, title: str) -> Report:
    """A round of `organisation` answered by the made-up DEMO_ROUND, and its report."""
    assessment = new_assessment(organisation, roles=list(DEMO_ROUND), title=title)
    for role, number in DEMO_ROUND.items():
        for index in range(number):
            answers = respondent_answers(role, index)
            problems = questionnaire_for(role).validate_answers(answers)
            if problems:
                raise ValueError(f"demo answers do not fit the questionnaire: {problems}")
            response, _token = start_response(assessment, role)
            save_answers(response, answers)
            complete_response(response)
    # Answered in one go, like a round made by the API: closed, its report final at once.
    close_round(assessment)
    return create_report(assessment)
