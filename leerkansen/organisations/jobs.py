"""The organisation's data download as a job (jobs app): made by a worker, kept 24 hours for
the admin who asked, and only while they are still an admin of that organisation."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from leerkansen.jobs.kinds import Built, JobKind, not_found, register
from leerkansen.jobs.models import Job
from leerkansen.jobs.progress import Progress
from leerkansen.jobs.services import start_job

from .gdpr import export_row_count, write_export
from .models import Membership, Organisation
from .security import Kind, log_event

KIND = "organisation-data"
FORMATS = {
    "json": ("json", "application/json; charset=utf-8"),
    "csv": ("zip", "application/zip"),
}


def _build(params: dict, progress: Progress, path: Path) -> Built:
    organisation = Organisation.objects.get(pk=params["organisation"])
    file_format = params["format"]
    extension, content_type = FORMATS[file_format]
    progress.set_total(export_row_count(organisation))
    write_export(path, organisation, file_format, progress=progress)
    # The code, not the name: a name may hold anything, and the file may travel.
    filename = f"leerkansen-{organisation.code}-{timezone.localdate():%Y-%m-%d}.{extension}"
    return Built(filename=filename, content_type=content_type)


def check_member(request: HttpRequest, job: Job) -> HttpResponse | None:
    """A kind's check for a job of an organisation (params["organisation"]): only while the
    person still works there."""
    member = Membership.objects.filter(
        user=request.user, organisation_id=job.params["organisation"]
    ).exists()
    return None if member else not_found()


def _on_download(request: HttpRequest, job: Job) -> None:
    organisation = Organisation.objects.get(pk=job.params["organisation"])
    log_event(Kind.EXPORT, request=request, organisation=organisation, detail=job.params["format"])


register(
    JobKind(
        name=KIND,
        build=_build,
        check=check_member,
        back_url=lambda job: reverse("organisations:data"),
        on_download=_on_download,
        unit="rows",
    )
)


def start_data_download(user, organisation: Organisation, file_format: str) -> Job:
    title = (
        _("Data of your organisation (JSON)")
        if file_format == "json"
        else _("Data of your organisation (CSV in a zip file)")
    )
    params = {"organisation": organisation.pk, "format": file_format}
    return start_job(KIND, user, params, title)


def forget_data_downloads(organisation: Organisation) -> int:
    """Delete the organisation's data downloads (made or being made): with an erasure."""
    deleted, _ = Job.objects.filter(kind=KIND, params__organisation=organisation.pk).delete()
    return deleted
