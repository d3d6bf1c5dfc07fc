"""The researchers' dashboard: filters and aggregate queries over real organisations.

Demo and simulated organisations are always left out. The unit of the score and profile
figures is a round's report (an organisation's outcome of one round); reliability is computed
from the item answers of the completed responses of the same rounds. Every figure comes from
a fixed number of queries, whatever the number of organisations; nothing here reads a name,
an e-mail address or a free-text answer.

Filters (a GET form): the population (real organisations, or simulated or demo ones behind an
explicit switch, never mixed), sector and size band select organisations; period (by the month
a round was opened), model version and profile (of the round's report) select rounds. A
profile is one model version's ("op-weg:1.1.0", named as that version names it, each report
counted under its own version): profiles are never pooled by id across versions. With a
period or a profile, only organisations with a selected round remain.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

import numpy as np
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import (
    CharField,
    Count,
    Exists,
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
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire, questionnaire_for
from leerkansen.modelversions.services import UnknownModelVersion, active_version, get_model
from leerkansen.organisations.models import Organisation, sector_choices
from leerkansen.reports.models import Report
from leerkansen.scoring.scales import scale_items
from leerkansen.survey.models import Answer, Assessment, Response, Role

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
from .population import DEMO, REAL, SIMULATED, population_condition
from .statistics import (
    MeanInterval,
    ProfileShare,
    ScaleReliability,
    mean_interval,
    profile_distribution,
    reliability_of_matrix,
)

FILTER_FIELDS = ("gegevens", "sector", "grootte", "profiel", "van", "tot")


def _month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise ValidationError(
            _("Give a month as year and month, e.g. 2026-03."), code="invalid"
        ) from None


class MonthField(forms.CharField):
    """A month as YYYY-MM (what <input type="month"> sends), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"})

    def to_python(self, value):
        text = super().to_python(value)
        return _month(text) if text else None


def profile_key(profile_id: str, version: str) -> str:
    """A profile of one model version: "op-weg:1.1.0". Profiles are never pooled across
    versions: a profile renamed or estimated anew in a later version is another profile."""
    return f"{profile_id}:{version}"


def _by_version(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in version.split("."))


def profile_names(population: str = REAL) -> dict[str, str]:
    """Profile key → "Op weg (model 1.1.0)": per model version, its profiles as that version
    names them (each report's own version), the active version first, then every version a
    report of the population was made with, newest first; a profile only a report knows
    (its version's file gone) by the name the report stored."""
    active = active_version()
    reports = real_reports(population)
    found = set(reports.values_list("model_version", flat=True).distinct())
    names: dict[str, str] = {}
    for version in [active, *sorted(found - {active}, key=_by_version, reverse=True)]:
        try:
            model = get_model(version)
        except UnknownModelVersion:
            continue
        for profile in model.profiles:
            names[profile_key(profile.id, version)] = _named(profile.name, version)
    seen = (
        reports.annotate(profile_id=KT("profile__id"))
        .values("profile_id", "model_version")
        .annotate(profile_name=Max(KT("profile__name")))
        .order_by("model_version", "profile_id")
    )
    for row in seen:
        if row["profile_id"]:
            name = row["profile_name"] or row["profile_id"]
            key = profile_key(row["profile_id"], row["model_version"])
            names.setdefault(key, _named(name, row["model_version"]))
    return names


def _named(name: str, version: str) -> str:
    return _("%(name)s (model %(version)s)") % {"name": name, "version": version}


def model_versions(names: dict[str, str]) -> list[str]:
    """The model versions of the profile keys, in the order profile_names gives them."""
    return list(dict.fromkeys(key.rsplit(":", 1)[1] for key in names))


POPULATION_CHOICES = [
    (REAL, _("Real organisations")),
    (SIMULATED, _("Simulated organisations (validation)")),
    (DEMO, _("The example organisation (demo)")),
]


class DashboardFilterForm(forms.Form):
    gegevens = forms.ChoiceField(label=_("Data"), required=False, choices=POPULATION_CHOICES)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    grootte = forms.ChoiceField(label=_("Number of employees"), required=False)
    modelversie = forms.ChoiceField(label=_("Model version"), required=False)
    profiel = forms.ChoiceField(label=_("Profile"), required=False)
    van = MonthField(label=_("Rounds opened from"), required=False)
    tot = MonthField(label=_("up to and including"), required=False)

    def __init__(self, *args, profiles: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", _("All sectors")), *sector_choices()]
        self.fields["grootte"].choices = [("", _("All sizes")), *Organisation.SizeBand.choices]
        self.fields["modelversie"].choices = [
            ("", _("All versions")),
            *[(version, version) for version in model_versions(profiles)],
        ]
        self.fields["profiel"].choices = [("", _("All profiles")), *profiles.items()]

    def full_clean(self):
        super().full_clean()
        # Selects render through their widget: mark the ones with an error for screen readers.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"id_{name}-fout"}
                )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("van"), cleaned.get("tot")
        if start and end and start > end:
            # Neither month is applied: which one is wrong is for the researcher to say.
            self.add_error("tot", _("The last month comes before the first. Swap them."))
            cleaned.pop("van", None)
        return cleaned


@dataclass(frozen=True)
class Filters:
    population: str = REAL
    sector: str = ""
    size_band: str = ""
    model_version: str = ""
    profile: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None

    @classmethod
    def from_form(cls, form: DashboardFilterForm) -> Filters:
        """The form's valid fields; a field with an error is not applied (the form shows it)."""
        if not form.is_valid() and not form.is_bound:
            return cls()
        data = {name: value for name, value in form.cleaned_data.items() if name not in form.errors}
        return cls(
            population=data.get("gegevens") or REAL,
            sector=data.get("sector") or "",
            size_band=data.get("grootte") or "",
            model_version=data.get("modelversie") or "",
            profile=data.get("profiel") or "",
            start=data.get("van"),
            end=data.get("tot"),
        )

    @property
    def selects_rounds(self) -> bool:
        return bool(self.model_version or self.profile or self.start or self.end)

    @property
    def is_active(self) -> bool:
        return bool(self.population or self.sector or self.size_band or self.selects_rounds)

    @property
    def population_label(self) -> str:
        """The population's name when it is not the real one (the page says so plainly)."""
        return dict(POPULATION_CHOICES)[self.population] if self.population else ""

    def query_string(self) -> str:
        """The applied filters as a query string (no leading "?"), for links and pages."""
        params = {
            "gegevens": self.population,
            "sector": self.sector,
            "grootte": self.size_band,
            "modelversie": self.model_version,
            "profiel": self.profile,
            "van": f"{self.start:%Y-%m}" if self.start else "",
            "tot": f"{self.end:%Y-%m}" if self.end else "",
        }
        return urlencode({key: value for key, value in params.items() if value})


def _month_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, 1))


def _next_month_start(day: datetime.date) -> datetime.datetime:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return timezone.make_aware(datetime.datetime(year, month, 1))


def real_organisations(filters: Filters | None = None) -> QuerySet[Organisation]:
    """The organisations of the filters' population (real ones, neither demo nor simulated,
    unless the switch says otherwise), by sector and size band."""
    population = filters.population if filters else REAL
    organisations = Organisation.objects.filter(population_condition(population, path=""))
    if filters and filters.sector:
        organisations = organisations.filter(sector=filters.sector)
    if filters and filters.size_band:
        organisations = organisations.filter(size_band=filters.size_band)
    return organisations


def real_reports(population: str = REAL) -> QuerySet[Report]:
    return Report.objects.filter(population_condition(population, "assessment__organisation"))


def selected_rounds(filters: Filters) -> QuerySet[Assessment]:
    """The rounds of the selected organisations, opened in the period, with the profile."""
    rounds = Assessment.objects.filter(organisation__in=real_organisations(filters))
    if filters.start:
        rounds = rounds.filter(created_at__gte=_month_start(filters.start))
    if filters.end:
        rounds = rounds.filter(created_at__lt=_next_month_start(filters.end))
    if filters.model_version:
        rounds = rounds.filter(report__model_version=filters.model_version)
    if filters.profile:
        profile_id, _at, version = filters.profile.partition(":")
        rounds = rounds.filter(report__profile__id=profile_id)
        if version:
            rounds = rounds.filter(report__model_version=version)
    return rounds


def selected_organisations(filters: Filters) -> QuerySet[Organisation]:
    """The organisations that match; with a period or profile, only those with such a round."""
    organisations = real_organisations(filters)
    if filters.selects_rounds:
        rounds = selected_rounds(filters).filter(organisation=OuterRef("pk"))
        organisations = organisations.filter(Exists(rounds))
    return organisations


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
