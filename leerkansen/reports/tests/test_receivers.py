"""The reports app's receivers of the survey's signals (reports/receivers.py).

That the k-th completed response makes the round's report: survey/tests/test_rounds.py.
"""

import logging
from unittest import mock

import pytest
from django.test import Client

from leerkansen.survey.tests import link, make_invitation, the_response
from leerkansen.testing import make_round

pytestmark = pytest.mark.django_db

# Four of challenge 1's five statements in HR's version (make_invitation's default role).
ENOUGH_FOR_A_REPORT = {"B1_1": "4", "B1_3": "5", "B1_5": "4", "B1_6": "2"}


def send_answers(assessment) -> Client:
    respondent = Client()
    respondent.get(link(make_invitation(assessment)[1]))
    respondent.post("/vragenlijst/stap/B/", ENOUGH_FOR_A_REPORT)
    assert respondent.post("/vragenlijst/overzicht/")["Location"] == "/vragenlijst/bedankt/"
    return respondent


def test_a_refresh_that_fails_is_logged_and_the_answers_stay(caplog):
    assessment = make_round()
    with (
        mock.patch(
            "leerkansen.reports.receivers.refresh_report", side_effect=RuntimeError("broken")
        ),
        caplog.at_level(logging.ERROR, logger="leerkansen.reports.receivers"),
    ):
        respondent = send_answers(assessment)
    assert the_response(respondent).is_completed
    [record] = [r for r in caplog.records if r.name == "leerkansen.reports.receivers"]
    assert record.getMessage() == f"Could not refresh the report of round {assessment}"
