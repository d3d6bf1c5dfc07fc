"""Answers the organisation entered itself (paper, import) never make up the k of others.

The admin who typed them knows them: if they counted towards k, k - 1 entered answers next to
one answer through a link would publish a report from which that one person's answers follow
by subtraction. A step of the report needs k new answers through links, or only entered ones.
"""

import pytest
from django.conf import settings

from leerkansen.reports.models import Report
from leerkansen.reports.services import refresh_report
from leerkansen.survey.models import Assessment, Response
from leerkansen.survey.rounds import close_round
from leerkansen.survey.services import (
    complete_response,
    new_assessment,
    save_answers,
    start_response,
)
from leerkansen.testing import make_organisation

from . import full_answers

pytestmark = pytest.mark.django_db


def answer(assessment: Assessment, number: int, *, entered: bool, role: str = "hr") -> None:
    for _ in range(number):
        response, _token = start_response(assessment, role)
        save_answers(response, full_answers())
        if entered:
            Response.objects.filter(pk=response.pk).update(entered_by_organisation=True)
            response.refresh_from_db()
        complete_response(response)


def a_round_with_links() -> Assessment:
    assessment = new_assessment(make_organisation("Zorggroep De Linde"), roles=["hr", "directie"])
    Assessment.objects.filter(pk=assessment.pk).update(links_made=True)
    assessment.refresh_from_db()
    return assessment


def test_entered_answers_do_not_make_up_the_k_of_one_answer_through_a_link():
    k = settings.ANONYMITY_THRESHOLD
    assessment = a_round_with_links()
    answer(assessment, 1, entered=False)
    answer(assessment, k - 1, entered=True)
    assert refresh_report(assessment) is None
    assert not Report.objects.exists()

    # Closing does not publish them either: the one answer through a link would be plain.
    close_round(assessment)
    assert refresh_report(assessment) is None
    assert not Report.objects.exists()


def test_k_answers_through_links_publish_together_with_the_entered_ones():
    k = settings.ANONYMITY_THRESHOLD
    assessment = a_round_with_links()
    answer(assessment, 3, entered=True)
    answer(assessment, k - 1, entered=False)
    assert refresh_report(assessment) is None
    answer(assessment, 1, entered=False)
    report = refresh_report(assessment)
    assert report is not None and report.response_count == k + 3

    # After that, again k through links; entered answers alone wait for k of their own.
    answer(assessment, 1, entered=False)
    answer(assessment, k, entered=True)
    assert refresh_report(assessment).response_count == k + 3
    answer(assessment, k - 1, entered=False)
    assert refresh_report(assessment).response_count == 3 * k + 3


def test_a_round_of_only_entered_answers_publishes_in_steps_of_k():
    k = settings.ANONYMITY_THRESHOLD
    assessment = a_round_with_links()
    answer(assessment, k - 1, entered=True)
    assert refresh_report(assessment) is None
    answer(assessment, 1, entered=True)
    assert refresh_report(assessment).response_count == k


@pytest.mark.parametrize("entered", [True, False])
def test_a_group_is_not_shown_apart_on_the_strength_of_entered_answers(entered):
    k = settings.ANONYMITY_THRESHOLD
    assessment = a_round_with_links()
    answer(assessment, k, entered=False, role="hr")
    answer(assessment, 1, entered=False, role="directie")
    answer(assessment, k - 1, entered=entered, role="directie")
    refresh_report(assessment)
    close_round(assessment)
    report = refresh_report(assessment)
    assert report.final
    if entered:
        # Directie is one answer through a link next to k - 1 the admin typed: never k of
        # its own, so it waited, and at the close taking it in would make "Iedereen" minus
        # the open state that one person's answers (the admin knows the other k - 1). Left
        # out of the report, which says so.
        assert report.role_counts == {"hr": k} and report.left_out == k
        assert report.response_count == k and set(report.role_scores) <= {"hr"}
    else:
        assert report.role_counts == {"hr": k, "directie": k}
        assert set(report.role_scores) == {"hr", "directie"}
