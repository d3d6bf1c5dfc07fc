"""Helpers for the report tests: rounds, responses and reports made the real way."""

from collections.abc import Callable, Mapping, Sequence
from itertools import count

from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.organisations.models import Organisation
from leerkansen.reports.models import Report
from leerkansen.reports.services import create_report, refresh_report
from leerkansen.survey.models import Assessment
from leerkansen.survey.rounds import close_round
from leerkansen.survey.services import (
    complete_response,
    new_assessment,
    save_answers,
    start_assessment,
    start_response,
)
from leerkansen.testing import BARE, make_admin, make_organisation

# Agreement with the barrier items per challenge (reverse items get the mirrored answer):
# challenges 1 and 4 weigh heavily, 2, 5 and 7 lightly.
DEFAULT_AGREEMENT = {1: 5, 2: 2, 3: 3, 4: 5, 5: 2, 6: 3, 7: 2, 8: 4, 9: 3}

_users = count(1)


def diagnostic_answers(agreement: Mapping[int, int | None] = DEFAULT_AGREEMENT) -> dict:
    """An answer to every section B item: `agreement[challenge]`, mirrored on reverse items.

    So every keyed answer of a challenge equals `agreement[challenge]`.
    """
    answers: dict[str, int | None] = {}
    for item in get_questionnaire().items("B"):
        value = agreement[item.challenge]
        answers[item.id] = None if value is None else (6 - value if item.reverse else value)
    return answers


def full_answers(
    answers: Mapping[str, int | str | None] | None = None,
    needs: Sequence[int] = (1, 4, 9),
    agreement: Mapping[int, int | None] = DEFAULT_AGREEMENT,
) -> dict:
    """Every B item (`agreement`), `needs` as D_1..D_3, with `answers` merged over them."""
    all_answers = diagnostic_answers(agreement)
    for (need_id, _urgency_id), challenge in zip(
        get_questionnaire().need_items(), needs, strict=False
    ):
        all_answers[need_id] = challenge
    all_answers.update(answers or {})
    problems = get_questionnaire().validate_answers(all_answers)
    assert not problems, problems
    return all_answers


def make_completed_assessment(
    answers: Mapping[str, int | str | None] | None = None,
    needs: Sequence[int] = (1, 4, 9),
    organisation_name: str = "Zorggroep De Linde",
) -> Assessment:
    """An organisation's assessment with one completed response (see full_answers), left open.

    Its create_report is a first publication of an open round: overall results only.
    """
    organisation = Organisation.objects.create(name=organisation_name)
    response, _token = start_assessment(organisation)
    save_answers(response, full_answers(answers, needs))
    complete_response(response)
    return response.assessment


def make_report(**kwargs) -> Report:
    """The report of make_completed_assessment(**kwargs)."""
    return create_report(make_completed_assessment(**kwargs))


def add_responses(
    assessment: Assessment,
    role: str,
    number: int,
    answers: Callable[[int], Mapping[str, int | str | None]] | None = None,
) -> None:
    """`number` completed responses in `role`; `answers(i)` gives the i-th one's answers."""
    for index in range(number):
        response, _token = start_response(assessment, role)
        save_answers(response, answers(index) if answers else full_answers())
        complete_response(response)


def make_answered_round(
    counts: Mapping[str, int],
    answers: Mapping[str, Callable[[int], Mapping[str, int | str | None]]] | None = None,
    organisation_name: str = "Zorggroep De Linde",
) -> Assessment:
    """An open round with completed responses per role, e.g. {"medewerker": 6, "hr": 1}.

    `answers[role](i)` gives the answers of that role's i-th respondent (default: full_answers).
    """
    organisation = make_organisation(organisation_name, sector="", size_band="")
    assessment = new_assessment(organisation, roles=list(counts))
    for role, number in counts.items():
        add_responses(assessment, role, number, (answers or {}).get(role))
    return assessment


def close_and_publish(assessment: Assessment) -> Report:
    """Close the round as the admin does (round page), and its final report."""
    close_round(assessment)
    report = refresh_report(assessment)
    assert report is not None and report.final
    return report


def make_member(organisation: Organisation, email: str | None = None):
    """An admin of `organisation` (no name, no password), at a new address unless given."""
    email = email or f"hr{next(_users)}@example.org"
    return make_admin(email, organisation=organisation, **BARE)[0]


def member_client(client, report: Report):
    """`client`, logged in as an admin of the report's organisation."""
    client.force_login(make_member(report.assessment.organisation))
    return client
