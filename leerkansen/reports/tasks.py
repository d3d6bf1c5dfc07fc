"""Background tasks of the reports: the PDF rendered ahead of its first download (issue 16).

A report's PDF took 2 s and 200 MB in the request that first asked for it. Each publication
(services.refresh_report and its siblings) and each hidden comment now enqueue
`render_report_pdf` once the report's row is committed, to run REPORT_PDF_DELAY seconds later
(5 minutes): a worker renders and stores the PDF of a report that stayed unchanged that long,
and the first click serves stored bytes; a report that changed meanwhile leaves the task
stale, so a round publishing step after step renders once, when it is quiet. A click before
that (or with REPORT_PDF_AHEAD off) asks a worker for it at once (`ask_for_pdf`) and gets a
page that waits for it: no request renders a PDF.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from leerkansen.lib.downloads import ask_once, forget_asked

from .models import Report


def render_pdf_after_commit(report: Report) -> None:
    """Enqueue the report's PDF once the current transaction commits (the worker must find
    the published row); outside a transaction, at once. Not with REPORT_PDF_AHEAD off."""
    if not settings.REPORT_PDF_AHEAD:
        return
    report_id, revision = report.pk, report.revision
    transaction.on_commit(lambda: _enqueue(report_id, revision))


def _enqueue(report_id: int, revision: int) -> None:
    """After REPORT_PDF_DELAY seconds where the backend can wait: by then a newer revision
    may have made this task stale, so a round that keeps changing renders once it is quiet."""
    task = render_report_pdf
    if settings.REPORT_PDF_DELAY and task.get_backend().supports_defer:
        delay = timedelta(seconds=settings.REPORT_PDF_DELAY)
        task = task.using(run_after=timezone.now() + delay)
    task.enqueue(report_id, revision)


def _asked_key(report: Report) -> str:
    # A PDF belongs to a revision and to the comments hidden when it was made.
    hidden = json.dumps(report.hidden_comments, sort_keys=True).encode()
    return f"report-pdf:{report.pk}:{report.revision}:{hashlib.sha256(hidden).hexdigest()[:16]}"


def ask_for_pdf(report: Report) -> datetime:
    """A click on a report whose PDF is not made yet: a worker makes it now (no
    REPORT_PDF_DELAY: someone is waiting), asked once while it waits; when it was asked."""
    report_id, revision = report.pk, report.revision
    return ask_once(_asked_key(report), lambda: render_report_pdf.enqueue(report_id, revision))


def stored_pdf_or_ask(report: Report) -> tuple[bytes | None, datetime | None]:
    """The report's stored PDF, or None and when a worker was asked for it (`ask_for_pdf`).
    A backend that runs tasks at once (tests, TASKS_IMMEDIATE) has stored it by the time
    this looks again."""
    if report.pdf:
        return bytes(report.pdf), None
    asked_at = ask_for_pdf(report)
    stored = Report.objects.filter(pk=report.pk).values_list("pdf", flat=True).first()
    return (bytes(stored) if stored else None), asked_at


@task()
def render_report_pdf(report_id: int, revision: int) -> str:
    """Render and store the PDF of the report's `revision`; "stale" when the report changed
    since (a newer revision enqueued its own), "stored" when it already has one."""
    from .pdf import get_or_render_pdf

    report = Report.objects.filter(pk=report_id, revision=revision).first()
    if report is None:
        return "stale"
    if report.pdf:
        return "stored"
    get_or_render_pdf(report)
    forget_asked(_asked_key(report))
    return "rendered"
