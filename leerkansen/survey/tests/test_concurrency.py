"""Concurrent sends against PostgreSQL: one completion, whatever the timing.

SQLite runs one writer at a time (immediate transactions), so the race exists only where
writers really run side by side; these tests need DATABASE_URL pointing at PostgreSQL.
"""

import threading

import pytest
from django.db import connection
from django.test import Client

from leerkansen.reports.models import Report
from leerkansen.reports.tests import add_responses
from leerkansen.survey.models import Invitation, Response
from leerkansen.survey.services import Completion, complete_response, save_answers, start_response
from leerkansen.survey.tests import link, make_invitation
from leerkansen.testing import make_round

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8
ENOUGH_FOR_A_REPORT = {"B1_1": 4, "B1_3": 5, "B1_5": 4, "B1_6": 2}


def all_at_once(work) -> list:
    """Run work(index) in THREADS threads released together; their results."""
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS
    errors: list = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def test_eight_concurrent_sends_of_one_response_complete_it_once():
    assessment = make_round()
    invitation, _token = make_invitation(assessment)
    response, _ = start_response(assessment, "medewerker")
    save_answers(response, ENOUGH_FOR_A_REPORT)

    results = all_at_once(
        lambda _i: complete_response(Response.objects.get(pk=response.pk), invitation.pk)
    )
    assert results.count(Completion.COMPLETED) == 1
    assert results.count(Completion.ALREADY_COMPLETED) == THREADS - 1
    assert Response.objects.filter(completed_on__isnull=False).count() == 1
    invitation.refresh_from_db()
    assert invitation.completed_on is not None


def test_eight_drafts_of_one_personal_link_sent_at_once_complete_one():
    assessment = make_round()
    invitation, _token = make_invitation(assessment)
    drafts = [start_response(assessment, "medewerker")[0] for _ in range(THREADS)]

    results = all_at_once(lambda i: complete_response(drafts[i], invitation.pk))
    assert results.count(Completion.COMPLETED) == 1
    assert results.count(Completion.INVITATION_USED) == THREADS - 1
    assert Response.objects.filter(completed_on__isnull=False).count() == 1
    assert Invitation.objects.filter(completed_on__isnull=False).count() == 1


def test_concurrent_sends_publish_the_report_in_whole_steps():
    # Eight HR respondents send at the same moment next to four HR colleagues who already
    # did: the round's lock makes each publication see the one before, so the report holds
    # exactly the responses marked as published, in steps of at least five of the group.
    assessment = make_round()
    add_responses(assessment, "hr", 4)
    browsers = []
    for _index in range(THREADS):
        browser = Client()
        browser.get(link(make_invitation(assessment)[1]))
        browser.post("/vragenlijst/stap/B/", {k: str(v) for k, v in ENOUGH_FOR_A_REPORT.items()})
        browsers.append(browser.cookies["sessionid"].value)

    def send(index: int) -> str:
        tab = Client()
        tab.cookies["sessionid"] = browsers[index]
        return tab.post("/vragenlijst/overzicht/")["Location"]

    assert all_at_once(send) == ["/vragenlijst/bedankt/"] * THREADS
    report = Report.objects.get(assessment=assessment)
    steps = list(
        Response.objects.filter(assessment=assessment, report_step__isnull=False).values_list(
            "report_step", flat=True
        )
    )
    assert report.response_count == len(steps) >= 5
    assert all(steps.count(step) >= 5 for step in set(steps))
    # Whatever is left for a later step is fewer than five: the last publication saw them all.
    assert 4 + THREADS - len(steps) < 5
    assert report.revision == len(set(steps))


def test_eight_clicks_on_send_in_one_browser_give_one_response_and_one_report():
    assessment = make_round()
    # Four HR colleagues answered already: this send is the group's fifth, which publishes
    # the report.
    add_responses(assessment, "hr", 4)
    _invitation, token = make_invitation(assessment)
    browser = Client()
    browser.get(link(token))
    browser.post("/vragenlijst/stap/B/", {k: str(v) for k, v in ENOUGH_FOR_A_REPORT.items()})
    cookie = browser.cookies["sessionid"].value

    def click(_index: int) -> str:
        tab = Client()
        tab.cookies["sessionid"] = cookie
        return tab.post("/vragenlijst/overzicht/")["Location"]

    assert all_at_once(click) == ["/vragenlijst/bedankt/"] * THREADS
    assert Response.objects.filter(completed_on__isnull=False).count() == 5
    assert Report.objects.get(assessment=assessment).response_count == 5


def test_a_send_racing_the_close_is_either_in_the_final_report_or_refused():
    """The close holds the round's row while it closes; a send that comes in meanwhile waits
    and is refused, instead of completing unseen after the final report was published."""
    from django.db import transaction

    from leerkansen.survey.models import Assessment

    assessment = make_round()
    response, _ = start_response(assessment, "medewerker")
    save_answers(response, ENOUGH_FOR_A_REPORT)
    closing = threading.Event()
    outcome: list = []

    def send() -> None:
        try:
            closing.wait()
            outcome.append(complete_response(Response.objects.get(pk=response.pk)))
        finally:
            connection.close()

    sender = threading.Thread(target=send)
    sender.start()
    with transaction.atomic():
        Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.CLOSED)
        closing.set()
        # The send has started and must wait for this transaction, not read the old status.
        sender.join(timeout=1)
        assert sender.is_alive()
    sender.join()
    assert outcome == [Completion.ROUND_CLOSED]
    response.refresh_from_db()
    assert response.completed_on is None
