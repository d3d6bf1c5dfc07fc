"""The progress page of a report: /rapport/<code>/voortgang/ (plans:progress).

After a re-scan, the page compares the round's scores per challenge with the organisation's
previous round that has a report, and lists the plan's actions next to the challenges they
target. A live page of its own, not part of the report: the report's body is a stored snapshot
in a cached layout, while the plan and the later rounds keep changing.

Like the report, the page is for the members of the round's organisation only; for anyone
else it does not exist (404). The demo report has no progress page: it has no earlier round.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from leerkansen.benchmarks.presentation import comparison_view
from leerkansen.benchmarks.services import stored_comparison
from leerkansen.organisations.tenancy import organisation_required, owned_or_404
from leerkansen.reports.models import Report

from .progress import build_progress, later_report
from .services import items_of


@never_cache
@organisation_required
@require_GET
def progress(request: HttpRequest, code: str) -> HttpResponse:
    if request.organisation.is_demo:
        raise Http404
    report = owned_or_404(
        Report.objects.select_related("assessment").defer("html", "pdf"),
        request.organisation,
        code=code,
    )
    result = build_progress(report, items_of(request.organisation))
    context = {
        "report": report,
        "assessment": report.assessment,
        "progress": result,
        "previous": result.previous,
        # Without an earlier round, a later one may already show the progress.
        "later": later_report(report) if result.previous is None else None,
        "has_plan_actions": any(result.plan_actions.values()),
        # Where the round stands among similar organisations: the comparison its report was
        # published with (benchmarks.services.freeze_comparison).
        "benchmark": comparison_view(stored_comparison(report.assessment)),
    }
    return render(request, "plans/progress.html", context)
