"""What the reports app does when an app below tells it something (survey/signals.py,
organisations/signals.py).

Connected in apps.ReportsConfig.ready():
- survey.signals.round_closed → services.publish_final_report: the closed round's final report.
- survey.signals.response_completed → refresh_round_report: the round's report, made again from
  all its completed responses where the rule allows it (services.refresh_report).
- organisations.signals.dashboard_shown → dashboard_report: the organisation's latest report for
  its page (the newest round's that has one), and whether it has any round at all.
- benchmarks.signals.round_results_wanted → round_results: the stored scores and profile of the
  rounds' reports, for the comparison with similar organisations.
"""

from __future__ import annotations

import logging

from leerkansen.organisations.models import Organisation
from leerkansen.organisations.tenancy import owned
from leerkansen.survey.models import Assessment

from .models import Report
from .services import refresh_report

logger = logging.getLogger(__name__)


def refresh_round_report(sender, assessment: Assessment, **kwargs) -> None:
    try:
        refresh_report(assessment)
    except Exception:
        # The answers are in; the admin can make the report again from the round page.
        logger.exception("Could not refresh the report of round %s", assessment)


def dashboard_report(sender, organisation: Organisation, **kwargs) -> dict:
    latest = (
        owned(Report, organisation)
        .select_related("assessment")
        .defer("html", "pdf")
        .order_by("-assessment__created_at", "-pk")
        .first()
    )
    return {
        "latest_report": latest,
        "has_rounds": latest is not None or owned(Assessment, organisation).exists(),
    }


def round_results(sender, assessment_ids, **kwargs) -> dict:
    """Per round with a report: whether it is final, its respondents, scores and profile."""
    rows = Report.objects.filter(assessment_id__in=list(assessment_ids)).values_list(
        "assessment_id", "final", "response_count", "scores", "profile"
    )
    return {
        assessment: {
            "final": final,
            "response_count": count,
            "scores": scores,
            "profile": {"id": profile.get("id", ""), "name": profile.get("name", "")},
        }
        for assessment, final, count, scores, profile in rows
    }
