"""The report's PDF is rendered by a task when the report is published (issue 16), so the
first click serves stored bytes; a stale task renders nothing; a click before the worker
made it asks for it at once and waits on a page (web) or gets a 202 (API): no request
renders a PDF."""

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


def test_with_tasks_run_at_once_the_clicks_task_stores_the_pdf_before_it_is_served(client):
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


def test_a_click_before_the_worker_made_the_pdf_waits_and_renders_nothing(
    client, no_worker_yet, monkeypatch
):
    report = close_and_publish(make_answered_round({"medewerker": 5}))
    monkeypatch.setattr(
        report_pdf, "render_report_pdf", lambda r: pytest.fail("the request rendered the PDF")
    )
    url = reverse("reports:report_pdf", args=[report.code])
    member = member_client(client, report)
    page = member.get(url)
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert page["Refresh"] == "3" and "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert "Het rapport wordt als PDF klaargemaakt" in text
    assert "deze pagina opent hem vanzelf zodra hij klaar is" in text
    assert f'href="/rapport/{report.code}/"' in text
    assert [tuple(result.args) for result in no_worker_yet.results] == [
        (report.pk, report.revision)
    ]
    member.get(url)
    assert len(no_worker_yet.results) == 1  # asked once while it waits

    monkeypatch.undo()
    assert render_report_pdf.call(report.pk, report.revision) == "rendered"
    served = member.get(url)
    assert served["Content-Type"] == "application/pdf"
    assert served.content == bytes(Report.objects.get(pk=report.pk).pdf)


def test_the_api_answers_202_with_retry_after_until_the_pdf_is_made(no_worker_yet):
    from django.test import Client

    from leerkansen.organisations.services import create_api_token

    report = close_and_publish(make_answered_round({"medewerker": 5}))
    key = create_api_token(report.assessment.organisation, "Koppeling", None).secret
    api = Client(headers={"Authorization": f"Bearer {key}"})
    url = f"/api/v1/assessments/{report.assessment.code}/report.pdf"
    pending = api.get(url)
    assert pending.status_code == 202
    assert pending["Retry-After"] == "5"
    assert pending.json()["retry_after"] == 5
    assert "opnieuw" in pending.json()["detail"]
    render_report_pdf.call(report.pk, report.revision)
    ready = api.get(url)
    assert ready.status_code == 200 and ready.content.startswith(b"%PDF")
