"""Helpers for the benchmark tests: organisations that share, with a closed round and a report.

`contributor` writes the round's report snapshot directly (scores and profile as the reports
app stores them): the benchmark reads those snapshots, and making dozens of real rounds of
k respondents each would take minutes. test_report.py makes real rounds where it matters.
"""

from __future__ import annotations

from itertools import count

from django.utils import timezone

from leerkansen.organisations.models import Organisation
from leerkansen.organisations.services import set_benchmark_sharing
from leerkansen.reports.models import Report
from leerkansen.survey.models import Assessment
from leerkansen.testing import make_organisation

_names = count(1)


def closed_round(
    organisation: Organisation,
    score: float | dict[str, float | None] = 50.0,
    *,
    profile: str = "druk-en-verspreid",
    responses: int = 5,
    final: bool = True,
    status: str = Assessment.Status.CLOSED,
) -> Assessment:
    """A round of `organisation` with its report: every challenge `score` (or the dict)."""
    assessment = Assessment.objects.create(
        organisation=organisation,
        questionnaire_version="test",
        status=status,
        closed_at=timezone.now() if status == Assessment.Status.CLOSED else None,
    )
    scores = score if isinstance(score, dict) else {str(c): score for c in range(1, 10)}
    Report.objects.create(
        assessment=assessment,
        questionnaire_version="test",
        model_version="1.1.0",
        catalogue_version="test",
        response_count=responses,
        scores=scores,
        profile={"id": profile, "name": profile.replace("-", " ").capitalize()},
        top3=[],
        needs=[],
        practices={},
        final=final,
    )
    return assessment


def contributor(
    score: float | dict[str, float | None] = 50.0,
    *,
    sector: str = "Q",
    size_band: str = "50_249",
    share: bool = True,
    **round_options,
) -> Organisation:
    """An organisation that shares (unless `share=False`) with one closed round of `score`."""
    organisation = make_organisation(
        f"Organisatie {next(_names)}", sector=sector, size_band=size_band
    )
    if share:
        set_benchmark_sharing(organisation, True)
    closed_round(organisation, score, **round_options)
    return organisation


def contributors(scores, **options) -> list[Organisation]:
    return [contributor(score, **options) for score in scores]
