"""A demo organisation with a round of several respondents, so a newcomer sees a report at once.

The round is answered by HR, management, line managers and employees, enough of them to show
what a report of several respondents holds: counts per role, two roles compared with everyone,
two roles hidden behind the anonymity threshold, agreement per challenge and open answers.
Every answer is made up. The demo report is public at /rapport/demo/.

For trying the HR side locally (`make run`), `practice_login` makes an HR admin with a fresh
password, of a practice organisation that has the same made-up round and its report: an
ordinary organisation, so the plan, rounds, ratings and progress all work as for a real one.
"""

import secrets
from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from leerkansen.content.questionnaire import get_questionnaire
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

# A care organisation where the work comes first and staff work on many sites: agreeing
# strongly with the barrier items of challenges 1 and 4, mildly elsewhere.
SEVERE = {1: 5, 4: 5, 8: 4}
MILD = 2
CONTEXT = {
    "A_sector": "Q",
    "A_size": "50_249",
    "A_sites": "4_10",
    "A_role": "hr",
}
NEEDS = {"D_1": 1, "D_1_urgency": 5, "D_2": 4, "D_3": 9}
PRACTICES = {"C_1_1": "al", "C_3_7": "deels"}

# Responses per role: HR and management together (5) stay hidden, line managers and
# employees are compared with everyone.
DEMO_ROUND = {"hr": 2, "directie": 3, "leidinggevende": 5, "medewerker": 9}
# Where a role sees it differently: employees find that managers support and coach them
# little (challenges 5 and 9); managers see that less.
ROLE_AGREEMENT = {
    "medewerker": {5: 4, 9: 4},
    "leidinggevende": {5: 2, 9: 2, 1: 4},
}
OPEN_ANSWERS = (
    "Er is nooit tijd om iets bij te leren: de planning gaat altijd voor.",
    "Ik leer het meest van collega's op andere sites, maar die zie ik bijna nooit.",
    "Mijn leidinggevende vraagt soms wat ik geleerd heb. Dat helpt.",
    "Een vaste plek in het teamoverleg om ervaringen uit te wisselen zou welkom zijn.",
    "Nieuwe collega's worden goed opgevangen door een meter of peter.",
)


def demo_answers(
    agreement: Mapping[int, int] | None = None, role: str = "hr"
) -> dict[str, int | str | None]:
    """A complete set of answers: SEVERE/MILD agreement, overridden per challenge."""
    levels = {**{c: SEVERE.get(c, MILD) for c in range(1, 10)}, **(agreement or {})}
    answers: dict[str, int | str | None] = {}
    for item in get_questionnaire().items():
        if item.challenge is not None:
            value = levels[item.challenge]
            answers[item.id] = 6 - value if item.reverse else value
        elif item.section == "E" and item.scale == "agreement":
            answers[item.id] = 3
    return {**answers, **CONTEXT, "A_role": role, **NEEDS, **PRACTICES}


def respondent_answers(role: str, index: int) -> dict[str, int | str | None]:
    """The made-up answers of the index-th respondent in `role`: a little spread per person."""
    agreement = dict(ROLE_AGREEMENT.get(role, {}))
    # Some respondents find challenge 1 or 8 a step lighter or heavier than the rest.
    agreement[1] = min(5, max(1, agreement.get(1, SEVERE[1]) - index % 2))
    agreement[8] = min(5, max(1, SEVERE[8] + (index % 3) - 1))
    answers = demo_answers(agreement, role)
    if role == "medewerker" and index < len(OPEN_ANSWERS):
        answers["E_open"] = OPEN_ANSWERS[index]
    return answers


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
    questionnaire = get_questionnaire()
    assessment = new_assessment(organisation, roles=list(DEMO_ROUND), title=title)
    for role, number in DEMO_ROUND.items():
        for index in range(number):
            answers = respondent_answers(role, index)
            problems = questionnaire.validate_answers(answers)
            if problems:
                raise ValueError(f"demo answers do not fit the questionnaire: {problems}")
            response, _token = start_response(assessment, role)
            save_answers(response, answers)
            complete_response(response)
    # Answered in one go, like a round made by the API: closed, its report final at once.
    close_round(assessment)
    return create_report(assessment)
