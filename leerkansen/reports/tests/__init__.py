"""Helpers for the report tests: a completed assessment and its report, made the real way."""

from collections.abc import Mapping, Sequence

from leerkansen.organisations.models import Organisation
from leerkansen.reports.models import Report
from leerkansen.reports.services import create_report
from leerkansen.survey.models import Assessment
from leerkansen.survey.questionnaire import get_questionnaire
from leerkansen.survey.services import complete_response, save_answers, start_assessment

# Agreement with the barrier items per challenge (reverse items get the mirrored answer):
# challenges 1 and 4 weigh heavily, 2, 5 and 7 lightly.
DEFAULT_AGREEMENT = {1: 5, 2: 2, 3: 3, 4: 5, 5: 2, 6: 3, 7: 2, 8: 4, 9: 3}


def diagnostic_answers(agreement: Mapping[int, int | None] = DEFAULT_AGREEMENT) -> dict:
    """An answer to every section B item: `agreement[challenge]`, mirrored on reverse items."""
    answers: dict[str, int | None] = {}
    for item in get_questionnaire().items("B"):
        value = agreement[item.challenge]
        answers[item.id] = None if value is None else (6 - value if item.reverse else value)
    return answers


def make_completed_assessment(
    answers: Mapping[str, int | str | None] | None = None,
    needs: Sequence[int] = (1, 4, 9),
    organisation_name: str = "Zorggroep De Linde",
) -> Assessment:
    """An organisation's assessment with one completed response.

    Every B item is answered (DEFAULT_AGREEMENT); `answers` are merged over that (item id →
    value, e.g. {"C_1_1": "al", "D_1_urgency": 5}); `needs` become D_1..D_3.
    """
    organisation = Organisation.objects.create(name=organisation_name)
    response, _token = start_assessment(organisation)
    all_answers = diagnostic_answers()
    for (need_id, _urgency_id), challenge in zip(
        get_questionnaire().need_items(), needs, strict=False
    ):
        all_answers[need_id] = challenge
    all_answers.update(answers or {})
    problems = get_questionnaire().validate_answers(all_answers)
    assert not problems, problems
    save_answers(response, all_answers)
    complete_response(response)
    return response.assessment


def make_report(**kwargs) -> Report:
    """The report of make_completed_assessment(**kwargs)."""
    return create_report(make_completed_assessment(**kwargs))
