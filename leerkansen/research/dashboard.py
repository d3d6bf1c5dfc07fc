"""The researchers' dashboard: aggregate figures over one population of organisations.

Real organisations, unless the filters' switch shows simulated or demo ones (never mixed).
The unit of the score and profile
figures is a round's report (an organisation's outcome of one round); reliability is computed
from the item answers of the completed responses of the same rounds. Every figure comes from
a fixed number of queries, whatever the number of organisations; nothing here reads a name,
an e-mail address or a free-text answer.

The filters and the rounds they select: dashboard_filters.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import (
    CharField,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Concat

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire, questionnaire_for
from leerkansen.organisations.models import Organisation
from leerkansen.reports.models import Report
from leerkansen.scoring.scales import scale_items
from leerkansen.survey.models import Answer, Assessment, Response, Role

from .dashboard_filters import (
    Filters,
    profile_key,
    selected_organisations,
    selected_rounds,
)
from .nesting import (
    ItemAcrossRoles,
    Nesting,
    RoleOmega,
    items_across_roles,
    nesting_by_challenge,
    omega_by_role,
    respondent_scores,
    role_groups_of_k,
)
from .statistics import (
    MeanInterval,
    ProfileShare,
    ScaleReliability,
    mean_interval,
    profile_distribution,
    reliability_of_matrix,
)


@dataclass(frozen=True)
class ChallengeSummary:
    number: int
    title: str
    score: MeanInterval | None
    reliability: ScaleReliability | None


@dataclass(frozen=True)
class ChallengeNesting:
    """A challenge's ICC and its ω per role (research/nesting.py), in Dashboard.roles order."""

    number: int
    title: str
    nesting: Nesting | None
    omegas: list[RoleOmega | None]
    # The mean respondent score (0-100) per role, with its interval.
    role_scores: list[MeanInterval | None] = field(default_factory=list)


@dataclass(frozen=True)
class RoleValue:
    role: str
    label: str
    mean: float | None
    loading: float | None


@dataclass(frozen=True)
class FlaggedItem:
    """An item that behaves differently by role, with its text and its values per role."""

    check: ItemAcrossRoles
    text: str
    values: list[RoleValue]


@dataclass(frozen=True)
class Dashboard:
    organisations: int
    rounds: int
    responses: int
    reports: int
    profiles: list[ProfileShare]
    challenges: list[ChallengeSummary]
    # Nesting and roles (issue 15, item 4): only roles with at least k complete answers.
    nesting: list[ChallengeNesting] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    items_by_role: list[ItemAcrossRoles] = field(default_factory=list)

    flagged: list[FlaggedItem] = field(default_factory=list)
    threshold: int = 0

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in self.roles]


# Rows of answers are read and turned into floats this many at a time.
ANSWER_CHUNK = 5000


@dataclass(frozen=True)
class AnswerMatrix:
    """The keyed-item answers of the completed responses: one row per response."""

    answers: np.ndarray  # responses × scale items, 1-5, NaN: not answered or "weet niet"
    roles: list[str]
    rounds: list[int]


def _answer_matrix(rounds: QuerySet[Assessment], items: list) -> AnswerMatrix:
    """The answers pivoted in the database (one conditional MAX per item, grouped by
    response), so one query returns one row per response rather than one per answer, read
    in chunks into a float matrix."""
    aliases = {f"item_{index}": item.id for index, item in enumerate(items)}
    completed = Response.objects.filter(assessment__in=rounds, completed_on__isnull=False)
    rows = (
        Answer.objects.filter(response__in=completed, item_id__in=list(aliases.values()))
        .values("response_id", "response__role", "response__assessment_id")
        .annotate(
            **{
                alias: Max("number", filter=Q(item_id=item_id))
                for alias, item_id in aliases.items()
            }
        )
        .order_by()
        .values_list("response__role", "response__assessment_id", *aliases)
    )
    blocks = [np.empty((0, len(items)))]
    roles: list[str] = []
    round_ids: list[int] = []
    chunk: list[tuple] = []
    for row in rows.iterator(chunk_size=ANSWER_CHUNK):
        roles.append(row[0])
        round_ids.append(row[1])
        chunk.append(row[2:])
        if len(chunk) == ANSWER_CHUNK:
            blocks.append(np.array(chunk, dtype=float))
            chunk = []
    if chunk:
        blocks.append(np.array(chunk, dtype=float))
    return AnswerMatrix(np.vstack(blocks), roles, round_ids)


def _asked_per_role() -> dict[str, set[str]]:
    """Per role, the items its version of the questionnaire asks."""
    return {role: {item.id for item in questionnaire_for(role).items()} for role in Role.values}


def build_dashboard(filters: Filters, names: dict[str, str]) -> Dashboard:
    """Counts, profile distribution, mean score with 95% CI and reliability per challenge."""
    rounds = selected_rounds(filters)
    counts = Assessment.objects.filter(pk__in=rounds).aggregate(
        rounds=Count("pk", distinct=True),
        responses=Count("responses", filter=Q(responses__completed_on__isnull=False)),
    )
    reports = Report.objects.filter(assessment__in=rounds)
    per_profile = {
        profile_key(row["profile_id"], row["model_version"]): row["count"]
        for row in reports.annotate(profile_id=KT("profile__id"))
        .values("profile_id", "model_version")
        .annotate(count=Count("pk"))
        .order_by()
        if row["profile_id"]
    }
    if filters.model_version:
        names = {
            key: name for key, name in names.items() if key.endswith(f":{filters.model_version}")
        }
    # Scores are keyed "1".."9": Django reads digit keys of a JSON field as array indexes,
    # so the (few, small) score objects are averaged here rather than in SQL.
    all_scores = list(reports.values_list("scores", flat=True))
    items = scale_items(get_questionnaire())
    matrix = _answer_matrix(rounds, items)
    reliability = {scale.challenge: scale for scale in reliability_of_matrix(matrix.answers, items)}
    asked = _asked_per_role()
    threshold = settings.ANONYMITY_THRESHOLD
    nestings = {
        row.challenge: row
        for row in nesting_by_challenge(
            respondent_scores(matrix.answers, matrix.roles, items, asked), matrix.rounds
        )
    }
    # Per role: only a role's responses in rounds where it has k of them (nesting.py).
    in_groups = role_groups_of_k(matrix.roles, matrix.rounds, threshold)
    answers = matrix.answers[in_groups]
    roles = [role for role, kept in zip(matrix.roles, in_groups, strict=True) if kept]
    omegas: dict[int, dict[str, RoleOmega]] = {}
    for omega in omega_by_role(answers, roles, items, asked, threshold):
        omegas.setdefault(omega.challenge, {})[omega.role] = omega
    role_means: dict[int, dict[str, MeanInterval | None]] = {}
    for challenge, values in respondent_scores(answers, roles, items, asked).items():
        for role in set(roles):
            mine = values[np.asarray(roles) == role]
            role_means.setdefault(challenge, {})[role] = mean_interval(
                [float(v) for v in mine if not np.isnan(v)]
            )
    shown_roles = [role for role in Role.values if role in roles]
    checks = items_across_roles(answers, roles, items, asked, threshold)
    challenges = []
    for challenge in get_catalogue().challenges:
        values = [
            float(value)
            for scores in all_scores
            if isinstance(value := scores.get(str(challenge.number)), int | float)
            and math.isfinite(value)
        ]
        challenges.append(
            ChallengeSummary(
                number=challenge.number,
                title=challenge.title,
                score=mean_interval(values),
                reliability=reliability.get(challenge.number),
            )
        )
    return Dashboard(
        organisations=selected_organisations(filters).count(),
        rounds=counts["rounds"],
        responses=counts["responses"],
        reports=len(all_scores),
        profiles=profile_distribution(per_profile, names),
        challenges=challenges,
        nesting=[
            ChallengeNesting(
                number=challenge.number,
                title=challenge.title,
                nesting=nestings.get(challenge.number),
                omegas=[omegas.get(challenge.number, {}).get(role) for role in shown_roles],
                role_scores=[
                    role_means.get(challenge.number, {}).get(role) for role in shown_roles
                ],
            )
            for challenge in get_catalogue().challenges
        ],
        roles=shown_roles,
        items_by_role=checks,
        flagged=[_flagged(check) for check in checks if check.flagged],
        threshold=threshold,
    )


def _flagged(check: ItemAcrossRoles) -> FlaggedItem:
    item = get_questionnaire().item(check.item)
    return FlaggedItem(
        check=check,
        text=item.text if item else check.item,
        values=[
            RoleValue(role, Role(role).label, check.means.get(role), check.loadings.get(role))
            for role in Role.values
            if role in check.means
        ],
    )


# The profile chart: a label line above each bar; bars are a share of the width (no script,
# no inline style), leaving room for the number after the longest bar.
CHART_ROW_HEIGHT = 46
CHART_BAR_HEIGHT = 16
CHART_TRACK_PERCENT = 85


@dataclass(frozen=True)
class ChartRow:
    profile: ProfileShare
    label_y: int
    bar_y: int
    value_y: int
    bar_width: str


@dataclass(frozen=True)
class ProfileChart:
    height: int
    track_width: str
    rows: list[ChartRow]


def profile_chart(profiles: list[ProfileShare]) -> ProfileChart:
    """The geometry of the profile distribution's bar chart, one bar per profile."""
    rows = []
    for index, profile in enumerate(profiles):
        top = index * CHART_ROW_HEIGHT
        rows.append(
            ChartRow(
                profile=profile,
                label_y=top + 16,
                bar_y=top + 22,
                value_y=top + 22 + CHART_BAR_HEIGHT - 3,
                bar_width=f"{profile.share * CHART_TRACK_PERCENT:.2f}%",
            )
        )
    return ProfileChart(
        height=len(profiles) * CHART_ROW_HEIGHT, track_width=f"{CHART_TRACK_PERCENT}%", rows=rows
    )


def organisation_rows(filters: Filters) -> QuerySet[Organisation]:
    """Selected organisations with counts of their selected rounds and completed responses,
    and the profile of their latest selected round's report, as subqueries (no N+1).

    Only the code, sector and size band of the organisation are loaded: never its name.
    """
    rounds = selected_rounds(filters).filter(organisation=OuterRef("pk"))
    round_count = (
        rounds.order_by().values("organisation").annotate(count=Count("pk")).values("count")
    )
    response_count = (
        Response.objects.filter(
            assessment__in=selected_rounds(filters),
            assessment__organisation=OuterRef("pk"),
            completed_on__isnull=False,
        )
        .order_by()
        .values("assessment__organisation")
        .annotate(count=Count("pk"))
        .values("count")
    )
    # A second OuterRef inside `rounds` would point at the report, not the organisation.
    latest_report = (
        Report.objects.filter(
            assessment__in=selected_rounds(filters), assessment__organisation=OuterRef("pk")
        )
        .order_by("-assessment__created_at", "-pk")
        .annotate(
            profile_key=Concat(
                KT("profile__id"), Value(":"), "model_version", output_field=CharField()
            )
        )
    )
    return (
        selected_organisations(filters)
        .only("code", "sector", "size_band", "created_at")
        .annotate(
            round_count=Coalesce(Subquery(round_count, output_field=IntegerField()), 0),
            response_count=Coalesce(Subquery(response_count, output_field=IntegerField()), 0),
            latest_round=Subquery(rounds.order_by("-created_at").values("created_at")[:1]),
            latest_profile=Subquery(latest_report.values("profile_key")[:1]),
        )
        .order_by("created_at", "pk")
    )
