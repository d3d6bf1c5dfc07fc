"""The report's PDF is rendered by a task when the report is published (issue 16), so the
first click serves stored bytes; a stale task renders nothing; the request still renders
the PDF itself when no worker has yet."""

import pytest
from django.urls import reverse

from leerkansen.reports import pdf as report_pdf
from leerkansen.reports.models import Report
from leerkansen.reports.services import refresh_report
from leerkansen.reports.tasks import render_report_pdf

from . import close_and_publish, make_answered_round, member_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pdf_ahead(settings):
    settings.REPORT_PDF_AHEAD = True


def test_publishing_renders_the_pdf_so_the_first_click_serves_stored_bytes(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    assessment = make_answered_round({"medewerker": 5})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = close_and_publish(assessment)
    assert callbacks, "the publication enqueued nothing"
    stored = Report.objects.get(pk=report.pk).pdf
    assert stored and bytes(stored).startswith(b"%PDF")

    def no_rendering(_report):
        raise AssertionError("the click rendered the PDF again")

    monkeypatch.setattr(report_pdf, "render_report_pdf", no_rendering)
    response = member_client(client, report).get(reverse("reports:report_pdf", args=[report.code]))
    assert response.status_code == 200
    assert response.content == bytes(stored)


def test_a_task_for_an_older_revision_renders_nothing(monkeypatch):
    assessment = make_answered_round({"medewerker": 5})
    report = refresh_report(assessment)
    calls = []
    monkeypatch.setattr(report_pdf, "render_report_pdf", lambda r: calls.append(r) or b"%PDF")
    assert render_report_pdf.call(report.pk, report.revision - 1) == "stale"
    assert calls == []
    assert render_report_pdf.call(report.pk, report.revision) == "rendered"
    assert render_report_pdf.call(report.pk, report.revision) == "stored"
    assert len(calls) == 1


def test_without_a_worker_the_request_renders_and_stores_the_pdf(client):
    assessment = make_answered_round({"medewerker": 5})
    # No on-commit callbacks run here (the test's transaction never commits): no task ran.
    report = close_and_publish(assessment)
    assert not Report.objects.get(pk=report.pk).pdf
    response = member_client(client, report).get(reverse("reports:report_pdf", args=[report.code]))
    assert response.status_code == 200
    assert Report.objects.get(pk=report.pk).pdf


@pytest.mark.django_db(transaction=True)
def test_with_a_worker_the_pdf_waits_until_the_report_stayed_unchanged(settings):
    """A round publishing step after step renders its PDF once it is quiet: each publication's
    task runs REPORT_PDF_DELAY seconds later, and a newer revision makes it stale."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from leerkansen.testing import DATABASE_TASKS

    settings.TASKS = DATABASE_TASKS
    assessment = make_answered_round({"medewerker": 5})
    report = close_and_publish(assessment)
    (task,) = DBTaskResult.objects.filter(task_path__endswith="render_report_pdf")
    delay = task.run_after - timezone.now()
    assert timedelta(seconds=settings.REPORT_PDF_DELAY - 30) < delay
    assert delay <= timedelta(seconds=settings.REPORT_PDF_DELAY)
    # A worker now runs nothing yet.
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert not Report.objects.get(pk=report.pk).pdf
    # Five minutes later it renders the report that stayed unchanged.
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now())
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert bytes(Report.objects.get(pk=report.pk).pdf).startswith(b"%PDF")
