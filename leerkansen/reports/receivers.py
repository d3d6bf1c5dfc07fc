"""What the reports app does when the survey tells it something (survey/signals.py).

Connected in apps.ReportsConfig.ready():
- survey.signals.round_closed → services.publish_final_report: the closed round's final report.
- survey.signals.response_completed → refresh_round_report: the round's report, made again from
  all its completed responses where the rule allows it (services.refresh_report).
"""

from __future__ import annotations

import logging

from leerkansen.survey.models import Assessment

from .services import refresh_report

logger = logging.getLogger(__name__)


def refresh_round_report(sender, assessment: Assessment, **kwargs) -> None:
    try:
        refresh_report(assessment)
    except Exception:
        # The answers are in; the admin can make the report again from the round page.
        logger.exception("Could not refresh the report of round %s", assessment)
