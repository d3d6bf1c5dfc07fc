"""Background tasks of the reports: the PDF rendered ahead of its first download (issue 16).

A report's PDF took 2 s and 200 MB in the request that first asked for it. Each publication
(services.refresh_report and its siblings) and each hidden comment now enqueue
`render_report_pdf` once the report's row is committed, so a worker renders and stores the
PDF, and the first click serves stored bytes. The request still renders it itself when no
worker has done so yet (reports/pdf.get_or_render_pdf), so nothing depends on the worker
being up.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_tasks import task

from .models import Report


def render_pdf_after_commit(report: Report) -> None:
    """Enqueue the report's PDF once the current transaction commits (the worker must find
    the published row); outside a transaction, at once. Not with REPORT_PDF_AHEAD off."""
    if not settings.REPORT_PDF_AHEAD:
        return
    report_id, revision = report.pk, report.revision
    transaction.on_commit(lambda: render_report_pdf.enqueue(report_id, revision))


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
    return "rendered"
