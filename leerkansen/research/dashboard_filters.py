"""The research dashboard's filters and the rounds and organisations they select.

The population (real organisations, or simulated or demo ones behind an explicit switch, never
mixed), sector and size band select organisations; period (by the month a round was opened),
model version and profile (of the round's report) select rounds. A profile is one model
version's ("op-weg:1.1.0", named as that version names it, each report counted under its own
version): profiles are never pooled by id across versions. With a period or a profile, only
organisations with a selected round remain. Used by the dashboard, its organisation list and
the exports page (MonthField).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from leerkansen.modelversions.services import UnknownModelVersion, active_version, get_model
from leerkansen.organisations.models import Organisation, sector_choices
from leerkansen.reports.models import Report
from leerkansen.survey.models import Assessment

from .population import DEMO, REAL, SIMULATED, population_condition

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
