"""Research exports as jobs (jobs app): a worker writes the dataset with its progress, and the
file waits 24 hours for the researcher who asked. A per-respondent dataset is fetched only in
a session that passed the second factor, like the export it came from."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from leerkansen.jobs.kinds import Built, JobKind, not_found, register
from leerkansen.jobs.models import Job
from leerkansen.jobs.progress import Progress
from leerkansen.jobs.services import start_job
from leerkansen.organisations.auth import is_researcher
from leerkansen.organisations.models import SecurityEvent
from leerkansen.organisations.security import log_event

from . import exports
from .export_rounds import ExportFilter
from .views_second_factor import redirect_to_second_factor, second_factor_missing

KIND = "research-export"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
}


def filter_params(export_filter: ExportFilter) -> dict:
    """The filter as JSON for the job's row (months as "YYYY-MM-DD")."""
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in dataclasses.asdict(export_filter).items()
    }


def filter_from_params(params: dict) -> ExportFilter:
    values = dict(params)
    for name in ("start", "end"):
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    return ExportFilter(**values)


def filename(dataset: str, export_filter: ExportFilter, extension: str) -> str:
    simulated = "-simulated" if export_filter.simulated else ""
    return f"leerkansen-{dataset}{simulated}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _build(params: dict, progress: Progress, path: Path) -> Built:
    dataset, file_format = params["dataset"], params["format"]
    export_filter = filter_from_params(params["filter"])
    progress.set_total(exports.export_row_count(dataset, export_filter))
    if file_format == "csv":
        exports.export_csv_file(path, dataset, export_filter, progress=progress)
    elif file_format == "xlsx":
        exports.export_xlsx(path, dataset, export_filter, progress=progress)
    else:
        exports.export_sav(path, dataset, export_filter, progress=progress)
    return Built(
        filename=filename(dataset, export_filter, file_format),
        content_type=CONTENT_TYPES[file_format],
    )


def _check(request: HttpRequest, job: Job) -> HttpResponse | None:
    if not is_researcher(request.user):
        return not_found()
    if exports.DATASETS[job.params["dataset"]].per_respondent and second_factor_missing(request):
        return redirect_to_second_factor(request)
    return None


def _on_download(request: HttpRequest, job: Job) -> None:
    detail = f"research download {job.params['dataset']} {job.params['format']}"
    log_event(SecurityEvent.Kind.EXPORT, request=request, detail=detail)


register(
    JobKind(
        name=KIND,
        build=_build,
        check=_check,
        back_url=lambda job: reverse("research:exports"),
        on_download=_on_download,
    )
)


def start_export(user, dataset: str, file_format: str, export_filter: ExportFilter, title: str):
    params = {"dataset": dataset, "format": file_format, "filter": filter_params(export_filter)}
    return start_job(KIND, user, params, title)
