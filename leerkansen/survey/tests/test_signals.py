"""The survey's hooks (survey/signals.py): what it announces, when, and that a listener that
fails leaves the respondent's send alone."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client

from leerkansen.survey.models import Response
from leerkansen.survey.signals import response_completed
from leerkansen.survey.tests import link, make_invitation, the_response
from leerkansen.testing import make_round

REVIEW = "/vragenlijst/overzicht/"
THANKS = "/vragenlijst/bedankt/"
ENOUGH_FOR_A_REPORT = {"B1_1": "4", "B1_3": "5", "B1_5": "4", "B1_6": "2"}


@contextmanager
def listening(receiver):
    response_completed.connect(receiver, dispatch_uid="test")
    try:
        yield
    finally:
        response_completed.disconnect(dispatch_uid="test")


def answered(assessment) -> Client:
    respondent = Client()
    respondent.get(link(make_invitation(assessment)[1]))
    respondent.post("/vragenlijst/stap/B/", ENOUGH_FOR_A_REPORT)
    return respondent


@pytest.mark.django_db(transaction=True)
def test_a_completed_send_is_announced_once_after_its_transaction_committed():
    assessment = make_round()
    respondent = answered(assessment)
    heard = []

    def receiver(sender, assessment, **kwargs):
        heard.append(
            (
                sender,
                assessment.pk,
                connection.in_atomic_block,
                Response.objects.filter(completed_on__isnull=False).count(),
            )
        )

    with listening(receiver):
        assert respondent.post(REVIEW)["Location"] == THANKS
        # Sent again (a second click): nothing new is completed, nothing announced.
        respondent.post(REVIEW)
    assert heard == [(Response, assessment.pk, False, 1)]


@pytest.mark.django_db
def test_a_listener_that_fails_leaves_the_send_completed():
    assessment = make_round()
    respondent = answered(assessment)

    def failing(sender, assessment, **kwargs):
        raise RuntimeError("a listener broke")

    with listening(failing):
        assert respondent.post(REVIEW)["Location"] == THANKS
    assert the_response(respondent).is_completed
    assert respondent.get(THANKS).status_code == 200
