"""Model versions for researchers, under /onderzoek/modellen/: list, detail, rename, activate,
and re-estimation started as a job (jobs_estimation.py) that writes a draft.

Researchers only, never cached. Activating asks for confirmation first (GET shows what it
changes, the POST must carry the confirmation); it is recorded on the version
(activated_at/by) and in ModelActivation, and it is all or nothing
(modelversions.services.activate). The detail page shows an estimated version's selection
table per covariance structure and k (research/estimation.py), its stability, the model's
specification and a plot of the profile means drawn on the server as SVG.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leerkansen.content.catalogue import get_catalogue
from leerkansen.jobs.services import TooManyJobs
from leerkansen.jobs.views import too_many_jobs
from leerkansen.modelversions import services
from leerkansen.modelversions.models import ModelActivation, ModelVersion
from leerkansen.organisations.auth import researcher_required
from leerkansen.scoring.model import SHIPPED_FILES, ModelFileError, ProfileModel

from . import mixtures, model_selection
from .jobs_estimation import EVIDENCE, PROFILES, start_estimation

RECENT_ACTIVATIONS = 10
STRUCTURE_LABELS = {
    "diag_equal": gettext_lazy("No covariances, equal variances in every profile"),
    "diag": gettext_lazy("No covariances, variances per profile"),
    "tied": gettext_lazy("One covariance matrix shared by the profiles"),
    "full": gettext_lazy("A covariance matrix per profile"),
}
# The profile-means plot (viewBox units): margins, plot height, the lines' dash patterns.
CHART_WIDTH, CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_HEIGHT = 640, 44, 16, 16, 220
DASHES = ("", "8 4", "2 4", "12 4 2 4", "4 4", "1 3", "10 2", "6 3 1 3")
COLOURS = ("#0f4c5c", "#b3541e", "#5a3d8a", "#2e7d32", "#8a6d00", "#1d2733", "#a0244f", "#3f6ea8")
# Why a version was not activated, by ModelVersionError.code.
NOT_ACTIVATED = {
    "already_active": gettext_lazy("Version %(version)s is already active."),
    "simulated": gettext_lazy(
        "Version %(version)s is estimated on simulated organisations: it serves to check the "
        "estimation and cannot be activated."
    ),
}


class RenameForm(forms.Form):
    """One name field per profile of a draft, in the model's order."""

    def __init__(self, *args, profiles: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.profile_ids = [profile["id"] for profile in profiles]
        for profile in profiles:
            self.fields[f"name-{profile['id']}"] = forms.CharField(
                label=gettext_lazy("Name of profile %(id)s") % {"id": profile["id"]},
                max_length=services.MAX_NAME_LENGTH,
                initial=profile["name"],
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        names = [" ".join(str(cleaned.get(f"name-{i}", "")).split()) for i in self.profile_ids]
        if all(names) and len({name.casefold() for name in names}) != len(names):
            raise forms.ValidationError(_("Give every profile a different name."))
        return cleaned

    def names(self) -> dict[str, str]:
        return {i: self.cleaned_data[f"name-{i}"] for i in self.profile_ids}


DATA_CHOICES = (
    ("real", gettext_lazy("Collected data (without demo and simulated organisations)")),
    ("simulated", gettext_lazy("Simulated organisations only (to check the estimation)")),
)


class EstimateEvidenceForm(forms.Form):
    """The options of manage.py estimate_evidence that a researcher chooses on the page."""

    source = forms.ChoiceField(
        label=gettext_lazy("Data"), choices=DATA_CHOICES, widget=forms.RadioSelect, initial="real"
    )

    def params(self) -> dict:
        return {"simulated": self.cleaned_data["source"] == "simulated"}


class EstimateProfilesForm(EstimateEvidenceForm):
    """…and of manage.py estimate_profiles, with its defaults."""

    starts = forms.IntegerField(
        label=gettext_lazy("Random starts per model"),
        min_value=1,
        max_value=500,
        initial=mixtures.STARTS,
    )
    max_k = forms.IntegerField(
        label=gettext_lazy("Largest number of profiles"),
        min_value=1,
        max_value=model_selection.MAX_GRID_K,
        initial=model_selection.MAX_K,
    )
    bootstraps = forms.IntegerField(
        label=gettext_lazy("Bootstrap samples for the stability"),
        min_value=0,
        max_value=200,
        initial=model_selection.BOOTSTRAPS,
    )

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            **super().params(),
            **{name: data[name] for name in ("starts", "max_k", "bootstraps")},
        }


@dataclass(frozen=True)
class ProfileRow:
    id: str
    name: str
    weight: float
    # Per challenge: (z-score of the prototype, the same as a 0-100 score).
    means: list[tuple[float, float]]
    prior: str
    distance: float | None


def _profile_rows(model: ProfileModel, fit: dict) -> list[ProfileRow]:
    naming = {line["id"]: line for line in fit.get("naming", [])}
    mean, sd = model.standardisation.mean, model.standardisation.sd
    rows = []
    for profile in model.profiles:
        named = naming.get(profile.id, {})
        rows.append(
            ProfileRow(
                id=profile.id,
                name=profile.name,
                weight=profile.weight,
                means=[
                    (profile.means[c], mean[c] + sd[c] * profile.means[c]) for c in model.challenges
                ],
                prior=named.get("prior", ""),
                distance=named.get("distance"),
            )
        )
    return rows


def _grid(fit: dict) -> list[dict]:
    """The selection table grouped by covariance structure, with each k's classes."""
    groups: dict[str, dict] = {}
    for line in fit.get("grid", []):
        structure = line.get("structure", "")
        group = groups.setdefault(
            structure,
            {
                "structure": structure,
                "label": STRUCTURE_LABELS.get(structure, structure),
                "rows": [],
            },
        )
        classes = list(zip(line.get("sizes", []), line.get("average_posterior", []), strict=False))
        chosen = structure == fit.get("chosen_structure") and line.get("k") == fit.get("chosen_k")
        group["rows"].append({**line, "classes": classes, "chosen": chosen})
    return list(groups.values())


def _means_chart(model: ProfileModel, catalogue) -> dict:
    """Profile means (z) per challenge as polylines, with numbered points and a legend."""
    challenges = list(model.challenges)
    values = [profile.means[c] for profile in model.profiles for c in challenges]
    top = max(1.5, math.ceil(max(abs(v) for v in values) * 2) / 2) if values else 1.5
    width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    step = width / max(len(challenges) - 1, 1)

    def y(value: float) -> float:
        return round(CHART_TOP + (top - value) / (2 * top) * CHART_HEIGHT, 1)

    lines = []
    for index, profile in enumerate(model.profiles):
        points = [
            (round(CHART_LEFT + i * step, 1), y(profile.means[c])) for i, c in enumerate(challenges)
        ]
        lines.append(
            {
                "number": index + 1,
                "name": profile.name,
                "points": " ".join(f"{px},{py}" for px, py in points),
                "markers": points,
                "dash": DASHES[index % len(DASHES)],
                "colour": COLOURS[index % len(COLOURS)],
            }
        )
    ticks = [
        {"value": value, "y": y(value)}
        for value in np.arange(-top, top + 0.01, 0.5 if top <= 2 else 1.0).round(1).tolist()
    ]
    axis = [
        {"x": round(CHART_LEFT + i * step, 1), "label": catalogue.challenge(c).number}
        for i, c in enumerate(challenges)
    ]
    return {
        "width": CHART_WIDTH,
        "height": CHART_TOP + CHART_HEIGHT + 30,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "zero": y(0),
        "axis_y": CHART_TOP + CHART_HEIGHT + 20,
        "ticks": ticks,
        "axis": axis,
        "lines": lines,
    }


def _detail_context(version: str) -> dict:
    """Everything the detail page shows; Http404 for an unknown version."""
    row = None
    if version not in SHIPPED_FILES:
        row = ModelVersion.objects.filter(version=version).first()
        if row is None:
            raise Http404
    active = services.active_version()
    if row is None:
        summary = services.shipped_summary(active, version)
    else:
        summary = services.summary_of(row, active)
    fit = row.fit if row is not None else {}
    model, problem = None, ""
    try:
        model = services.get_model(version)
    except ModelFileError as error:
        problem = str(error)
    catalogue = get_catalogue()
    return {
        "row": row,
        "summary": summary,
        "fit": fit,
        "fit_table": fit.get("table", []) if not fit.get("grid") else [],
        "grid": _grid(fit),
        "chosen_label": STRUCTURE_LABELS.get(fit.get("chosen_structure", ""), ""),
        "specification": fit.get("specification", {}),
        "min_share_percent": round(100 * fit.get("rules", {}).get("min_share", 0)),
        "chart": _means_chart(model, catalogue) if model else None,
        "model": model,
        "problem": problem,
        "profiles": _profile_rows(model, fit) if model else [],
        "challenges": [catalogue.challenge(c) for c in model.challenges] if model else [],
        # An older shipped file stays readable for its reports, but is not used again.
        "can_activate": not summary.is_active
        and not fit.get("simulated")
        and summary.status != "superseded",
        "active_version": active,
        "activations": ModelActivation.objects.filter(version=version)[:RECENT_ACTIVATIONS],
    }


def _list_page(request: HttpRequest, **forms_given) -> HttpResponse:
    context = {
        "versions": services.version_summaries(),
        "activations": ModelActivation.objects.select_related("user")[:RECENT_ACTIVATIONS],
        "profiles_form": forms_given.get("profiles") or EstimateProfilesForm(prefix="profielen"),
        "evidence_form": forms_given.get("evidence") or EstimateEvidenceForm(prefix="evidentie"),
    }
    return render(request, "research/models/list.html", context)


@never_cache
@researcher_required
@require_GET
def model_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


ESTIMATIONS = {
    # kind, form, prefix, the list page's keyword, the job's title
    "profiles": (PROFILES, EstimateProfilesForm, "profielen", gettext_lazy("Re-estimate profiles")),
    "evidence": (EVIDENCE, EstimateEvidenceForm, "evidentie", gettext_lazy("Re-estimate evidence")),
}


def _start_estimation(request: HttpRequest, what: str) -> HttpResponse:
    kind, form_class, prefix, title = ESTIMATIONS[what]
    form = form_class(request.POST, prefix=prefix)
    if not form.is_valid():
        return _list_page(request, **{what: form})
    params = form.params()
    data = dict(DATA_CHOICES)["simulated" if params["simulated"] else "real"]
    try:
        job = start_estimation(request.user, kind, params, f"{title}: {data}")
    except TooManyJobs:
        return too_many_jobs(request, reverse("research:models"))
    return redirect("jobs:job", job_id=job.pk)


@never_cache
@researcher_required
@require_POST
def estimate_profiles(request: HttpRequest) -> HttpResponse:
    """Start estimate_profiles as a job; it writes a draft (never activated)."""
    return _start_estimation(request, "profiles")


@never_cache
@researcher_required
@require_POST
def estimate_evidence(request: HttpRequest) -> HttpResponse:
    """Start estimate_evidence as a job; it writes a draft (never activated)."""
    return _start_estimation(request, "evidence")


@never_cache
@researcher_required
@require_GET
def model_detail(request: HttpRequest, version: str) -> HttpResponse:
    context = _detail_context(version)
    row = context["row"]
    if row is not None and row.is_draft and context["model"] is not None:
        context["form"] = RenameForm(profiles=row.content["profiles"])
    return render(request, "research/models/detail.html", context)


@never_cache
@researcher_required
@require_POST
def model_rename(request: HttpRequest, version: str) -> HttpResponse:
    row = ModelVersion.objects.filter(version=version, status=ModelVersion.Status.DRAFT).first()
    if row is None:
        # Only a draft's names change: the shipped, active and retired versions are fixed.
        raise Http404
    form = RenameForm(request.POST, profiles=row.content["profiles"])
    if form.is_valid():
        try:
            services.rename_profiles(row, form.names())
        except (services.ModelVersionError, ModelFileError) as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, _("The profile names are saved."))
            return redirect("research:model_detail", version=version)
    context = _detail_context(version)
    context["form"] = form
    return render(request, "research/models/detail.html", context)


@never_cache
@researcher_required
@require_http_methods(["GET", "POST"])
def model_activate(request: HttpRequest, version: str) -> HttpResponse:
    """GET: what activating changes, and the confirmation; POST with `confirm`: activate."""
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        context = _detail_context(version)
        if context["can_activate"]:
            return render(request, "research/models/activate.html", context)
        if request.method == "GET":
            return redirect("research:model_detail", version=version)
        # Not to be activated: services.activate below refuses it and says why.
    try:
        previous = services.activate(version, user=request.user)
    except services.UnknownModelVersion as missing:
        raise Http404 from missing
    except services.ModelVersionError as problem:
        message = NOT_ACTIVATED.get(problem.code)
        if message is None:
            message = _("Version %(version)s was not activated: %(problem)s")
        messages.error(request, message % {"version": version, "problem": problem})
        return redirect("research:model_detail", version=version)
    except ModelFileError as problem:
        # E.g. the catalogue changed since the version was drafted: the active one stays.
        messages.error(
            request,
            _("Version %(version)s is not a valid model and was not activated: %(problem)s")
            % {"version": version, "problem": problem},
        )
        return redirect("research:model_detail", version=version)
    messages.success(
        request,
        _("Version %(version)s is active: new reports use it (before: %(previous)s).")
        % {"version": version, "previous": previous},
    )
    return redirect("research:models")
