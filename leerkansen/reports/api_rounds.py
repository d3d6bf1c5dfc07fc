"""A round's report as JSON: GET /api/v1/rounds/{id}/report (organisation token).

The stored snapshot, as GET /api/v1/assessments/{id}/report serves it (api.report_as_dict): it
changes only in the steps the web report changes in (services.refresh_report), and it holds
only what the web report may show: the scores per group only in the final state and only for
groups large enough to stay anonymous. Nothing is recomputed per request.

The round is looked up within the key's organisation: another organisation's round is a 404,
exactly like one that does not exist. A round of one's own without a report yet is a 404 too,
with its own type ("no_report"), since nothing may be told before k responses.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status

from leerkansen.content.catalogue import get_catalogue
from leerkansen.organisations.api_auth import OrganisationToken
from leerkansen.organisations.tenancy import owned
from leerkansen.scoring.agreement import GAP_LIMIT
from leerkansen.scoring.anonymity import group_rank
from leerkansen.survey.api import ErrorOut, error
from leerkansen.survey.api_rounds import round_not_found
from leerkansen.survey.models import Assessment

from .api import ReportOut, report_as_dict
from .comparison import group_name, role_comparison
from .models import Report

router = Router(tags=["rounds"], auth=OrganisationToken())


class GapOut(Schema):
    low: str = Field(description="The group lowest on the challenge (a key of role_scores).")
    low_value: int = Field(ge=0, le=100)
    high: str = Field(description="The group highest on the challenge.")
    high_value: int = Field(ge=0, le=100)
    points: int = Field(description="How far apart, in whole points.")
    large: bool = Field(
        description=(
            f"More than {GAP_LIMIT} points apart: the groups see this very differently, and "
            "the challenge is then never called agreed (agreement_level split)."
        )
    )
    words: str = Field(
        description="The gap as the report says it / zoals het rapport het zegt.",
        examples=["Leidinggevenden 25, medewerkers 75: ze zien dit heel verschillend."],
    )


class ComparisonOut(Schema):
    gap: GapOut | None = Field(
        description="The gap between the groups shown apart; null with fewer than two."
    )
    agreement_level: str = Field(
        description=(
            '"split" (the groups are more than the gap limit apart, whatever the agreement), '
            '"strong", "moderate", "little", or "unknown" (too few answers).'
        ),
        examples=["split"],
    )
    agreement_words: str = Field(examples=["grote eensgezindheid"])


class RoundReportOut(ReportOut):
    round: str = Field(description="The round's id / de code van de ronde.")
    status: str = Field(description='The round: "open" or "closed".', examples=["closed"])
    groups: dict[str, str] = Field(
        description=(
            "The groups shown apart (the keys of role_scores) and their names; a merged group "
            'has a key like "hr+directie". Empty until the round is closed.'
        ),
        examples=[{"hr+directie": "HR en directie", "medewerker": "Medewerkers"}],
    )
    comparison: dict[str, ComparisonOut] = Field(
        description=(
            'Per challenge "1" to "9": the gap between the groups shown apart and the '
            "agreement as the report words it. De kloof tussen de groepen per uitdaging."
        )
    )


def comparison_as_dict(report: Report) -> dict:
    """The groups shown apart and, per challenge, their gap and the agreement level, as the
    report page shows them (comparison.role_comparison, from the stored snapshot)."""
    compared = role_comparison(report, get_catalogue(), report.anonymity_threshold)
    # In the groups' order, not the stored one: PostgreSQL's jsonb does not keep it.
    names = {key: group_name(key) for key in sorted(report.role_scores or {}, key=group_rank)}
    comparison = {}
    for row in compared.rows:
        gap = row.gap
        comparison[str(row.number)] = {
            "gap": None
            if gap is None
            else {
                "low": gap.low,
                "low_value": gap.low_value,
                "high": gap.high,
                "high_value": gap.high_value,
                "points": gap.points,
                "large": gap.large,
                "words": row.gap_words,
            },
            "agreement_level": row.agreement_level,
            "agreement_words": row.agreement_words,
        }
    return {"groups": names, "comparison": comparison}


def _no_report() -> Status:
    msg = gettext(
        "There is no report yet: it appears once %(threshold)s people of one group (the "
        "employees, for example) have sent their answers."
    ) % {"threshold": settings.ANONYMITY_THRESHOLD}
    return Status(404, {"detail": [error(["path", "id"], msg, "no_report")]})


@router.get(
    "/rounds/{id}/report",
    response={200: RoundReportOut, 404: ErrorOut},
    summary="A round's report / het rapport van een ronde",
    description=(
        "The round's stored report: overall scores, profile, top 3, the organisation's needs, "
        "agreement per challenge, and, once the round is closed (final), the counts and scores "
        "per group, only for groups large enough to stay anonymous. While the round is open it "
        "is published from k (the anonymity threshold) completed responses and changes only "
        "after k new ones; 404 (type no_report) before that.\n\n"
        "Het bewaarde rapport van de ronde. In een open ronde verschijnt het vanaf k antwoorden "
        "en verandert het pas na k nieuwe; de groepen komen er pas bij het afsluiten bij, en "
        "alleen wie groot genoeg is om anoniem te blijven."
    ),
)
def round_report(request: HttpRequest, id: str, response: HttpResponse):
    # An organisation's results: no cache on the way may keep them.
    add_never_cache_headers(response)
    # request.auth is the API key's organisation (OrganisationToken).
    assessment = owned(Assessment, request.auth).filter(code=id).first()
    if assessment is None:
        return round_not_found()
    report = Report.objects.filter(assessment=assessment).defer("html", "pdf").first()
    if report is None:
        return _no_report()
    return {
        **report_as_dict(report),
        **comparison_as_dict(report),
        "round": assessment.code,
        "status": assessment.status,
    }
