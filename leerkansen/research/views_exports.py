"""Research exports for researchers: a page of datasets × formats, and the downloads.

Downloads are GET links (researchers only, nothing changes) and each one is logged in the
security log. A per-respondent dataset also needs a verified second factor when
settings.ADMIN_REQUIRES_OTP is on (views_second_factor.py); a download refused for lack of it
is logged too (kind "denied"). Aggregated datasets and the codebook need the password only.

A dataset is a job (jobs.py): POST starts it, a worker writes it with its progress, and the
file waits 24 hours for the researcher who asked. The codebook, small, is still sent at once:
CSV streams, XLSX is written to a temporary file that is deleted as soon as it is open.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from leerkansen.jobs.services import TooManyJobs
from leerkansen.jobs.views import too_many_jobs
from leerkansen.lib.downloads import file_attachment, streamed_attachment
from leerkansen.modelversions.services import version_summaries
from leerkansen.organisations.auth import researcher_required
from leerkansen.organisations.models import Organisation, SecurityEvent, sector_choices
from leerkansen.organisations.security import log_event

from . import exports
from .dashboard_filters import MonthField
from .exports import CODEBOOK_FORMATS, DATASETS, FORMATS, ExportFilter
from .jobs import CONTENT_TYPES, start_export
from .jobs import filename as _filename
from .views_second_factor import second_factor_missing

DATASET_TEXTS = {
    "responses": (
        _("Responses"),
        _(
            "One row per completed response of a closed round: context, role, the round's "
            "month and every answer, coded. No free text. Needs a code from your "
            "authenticator app."
        ),
    ),
    "scores": (
        _("Scores"),
        _(
            "One row per round with a report: the nine challenge scores, the profile with its "
            "probabilities and the model version."
        ),
    ),
    "practices": (
        _("Practices"),
        _("One row per round with a report: per action what most respondents said they do."),
    ),
    "needs": (
        _("Needs"),
        _("One row per round with a report: the three largest needs and their urgency."),
    ),
    "classes": (
        _("Profiles under a model version"),
        _(
            "One row per round with a report: its most probable profile and every posterior "
            "probability under the model version you choose below (a draft too), from the "
            "report's scores; for simulated organisations also the planted profile."
        ),
    ),
    "ratings": (
        _("Action ratings"),
        _(
            "One row per rated action of a round: relevance, feasibility and whether it was "
            "recommended."
        ),
    ),
}
FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "sav": "SPSS (.sav)"}


class ExportFilterForm(forms.Form):
    """The dashboard's filters (same names), plus the choice for simulated organisations."""

    sector = forms.ChoiceField(label=_("Sector"), required=False)
    grootte = forms.ChoiceField(label=_("Number of employees"), required=False)
    van = MonthField(label=_("Rounds opened from"), required=False)
    tot = MonthField(label=_("up to and including"), required=False)
    simulated = forms.BooleanField(
        label=_("Only simulated organisations (to validate the estimation)"), required=False
    )
    modelversie = forms.ChoiceField(
        label=_("Model version for the profiles dataset"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modelversie"].choices = [
            ("", _("The active version")),
            *(
                (summary.version, f"{summary.version} ({summary.status})")
                for summary in version_summaries()
            ),
        ]
        self.fields["sector"].choices = [("", _("All sectors")), *sector_choices()]
        self.fields["grootte"].choices = [("", _("All sizes")), *Organisation.SizeBand.choices]

    def clean_simulated(self) -> bool:
        # Not the checkbox's own reading, which takes "?simulated=0" for a yes.
        return self.data.get("simulated", "").lower() in ("1", "true", "on")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("van"), cleaned.get("tot")
        if start and end and start > end:
            self.add_error("tot", _("The last month comes before the first. Swap them."))
        return cleaned

    def export_filter(self) -> ExportFilter:
        data = self.cleaned_data
        return ExportFilter(
            sector=data.get("sector") or "",
            size_band=data.get("grootte") or "",
            start=data.get("van"),
            end=data.get("tot"),
            simulated=bool(data.get("simulated")),
            model_version=data.get("modelversie") or "",
        )

    def query_string(self) -> str:
        """The valid choices, to carry over to the download links."""
        data = self.cleaned_data
        pairs = [
            ("sector", data.get("sector")),
            ("grootte", data.get("grootte")),
            ("van", data.get("van") and f"{data['van']:%Y-%m}"),
            ("tot", data.get("tot") and f"{data['tot']:%Y-%m}"),
            ("simulated", "1" if data.get("simulated") else ""),
            ("modelversie", data.get("modelversie")),
        ]
        return urlencode([(name, value) for name, value in pairs if value])


def _file_download(write: Callable[[str], None], filename: str, extension: str) -> FileResponse:
    """Write to a temporary file, open it, delete its name: the open file is what is sent."""
    descriptor, path = tempfile.mkstemp(prefix="leerkansen-export-", suffix=f".{extension}")
    os.close(descriptor)
    try:
        write(path)
        handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    finally:
        os.unlink(path)
    return file_attachment(handle, filename, CONTENT_TYPES[extension])


def _filter_or_none(request: HttpRequest) -> ExportFilter | None:
    form = ExportFilterForm(request.GET)
    return form.export_filter() if form.is_valid() else None


def _log(request: HttpRequest, what: str, file_format: str, export_filter: ExportFilter):
    detail = f"research {what} {file_format} {export_filter.describe()}".strip()
    log_event(SecurityEvent.Kind.EXPORT, request=request, detail=detail)


@researcher_required
@never_cache
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    form = ExportFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    query = form.query_string() if form.is_bound and valid else ""
    datasets = [
        {
            "name": name,
            "title": DATASET_TEXTS[name][0],
            "description": DATASET_TEXTS[name][1],
            "formats": [(fmt, FORMAT_LABELS[fmt]) for fmt in FORMATS],
            "per_respondent": dataset.per_respondent,
        }
        for name, dataset in DATASETS.items()
    ]
    context = {
        "form": form,
        "valid": valid,
        "is_filtered": bool(query),
        "query": query,
        "datasets": datasets,
        "codebook_formats": [(fmt, FORMAT_LABELS[fmt]) for fmt in CODEBOOK_FORMATS],
        "threshold": settings.ANONYMITY_THRESHOLD,
        "second_factor_missing": second_factor_missing(request),
    }
    return render(request, "research/exports/index.html", context)


@researcher_required
@never_cache
@require_http_methods(["GET", "POST"])
def export_download(request: HttpRequest, dataset: str, file_format: str) -> HttpResponse:
    """POST starts the export as a job and leads to its page (jobs app: progress, then the
    file for 24 hours); GET, an old bookmark, leads back to the exports with its filters."""
    if dataset not in DATASETS or file_format not in FORMATS:
        raise Http404
    exports_page = reverse("research:exports")
    query = request.META.get("QUERY_STRING", "")
    if request.method == "GET":
        return redirect(f"{exports_page}?{query}" if query else exports_page)
    if DATASETS[dataset].per_respondent and second_factor_missing(request):
        detail = f"research {dataset} {file_format}: no second factor"
        log_event(SecurityEvent.Kind.DENIED, request=request, detail=detail)
        back = urlencode({"next": f"{exports_page}?{query}" if query else exports_page})
        return redirect(f"{reverse('research:second_factor')}?{back}")
    export_filter = _filter_or_none(request)
    if export_filter is None:
        return HttpResponseBadRequest(_("A filter is not valid. Choose the filters again."))
    title = f"{DATASET_TEXTS[dataset][0]} ({FORMAT_LABELS[file_format]})"
    if export_filter.simulated:
        title += " · " + str(_("simulated"))
    try:
        job = start_export(request.user, dataset, file_format, export_filter, title)
    except TooManyJobs:
        return too_many_jobs(request, f"{exports_page}?{query}" if query else exports_page)
    _log(request, dataset, file_format, export_filter)
    return redirect("jobs:job", job_id=job.pk)


@researcher_required
@never_cache
@require_GET
def export_codebook(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in CODEBOOK_FORMATS:
        raise Http404
    export_filter = _filter_or_none(request)
    if export_filter is None:
        return HttpResponseBadRequest(_("A filter is not valid. Choose the filters again."))
    _log(request, "codebook", file_format, export_filter)
    filename = _filename("codebook", export_filter, file_format)
    if file_format == "csv":
        return streamed_attachment(
            exports.write_codebook_csv(export_filter), filename, CONTENT_TYPES["csv"]
        )
    return _file_download(
        lambda path: exports.write_codebook_xlsx(path, export_filter), filename, "xlsx"
    )
