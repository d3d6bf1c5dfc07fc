"""A demo organisation with a completed assessment, so a newcomer sees a report at once."""

from django.db import transaction

from leerkansen.organisations.models import Organisation
from leerkansen.survey.questionnaire import get_questionnaire
from leerkansen.survey.services import complete_response, save_answers, start_assessment

from .models import Report
from .services import create_report

DEMO_NAME = "Demo: Zorggroep De Linde"

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


def demo_answers() -> dict[str, int | str | None]:
    questionnaire = get_questionnaire()
    answers: dict[str, int | str | None] = {}
    for item in questionnaire.items():
        if item.challenge is not None:
            agreement = SEVERE.get(item.challenge, MILD)
            answers[item.id] = 6 - agreement if item.reverse else agreement
        elif item.section == "E":
            answers[item.id] = 3
    return {**answers, **CONTEXT, **NEEDS, **PRACTICES}


def load_demo() -> Report:
    """The demo organisation's report, made on first use (idempotent)."""
    existing = Report.objects.filter(assessment__organisation__name=DEMO_NAME).first()
    if existing:
        return existing
    with transaction.atomic():
        organisation = Organisation.objects.create(name=DEMO_NAME, is_demo=True)
        response, _token = start_assessment(organisation)
        answers = demo_answers()
        problems = get_questionnaire().validate_answers(answers)
        if problems:
            raise ValueError(f"demo answers do not fit the questionnaire: {problems}")
        save_answers(response, answers)
        complete_response(response)
    return create_report(response.assessment)
