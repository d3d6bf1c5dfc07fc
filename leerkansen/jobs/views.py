"""A job's page (progress, then the download or the failure with a retry button), its state as
JSON for the page's script, the download, the retry, and the person's list of files.

Only the person who started a job sees it, and only while its kind's check allows it (still a
researcher, still an admin of the organisation, a second factor for per-respondent data);
anyone else gets a 404, as for a job that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import services
from .kinds import JobKind, get_kind
from .models import Job


def _job_or_404(request: HttpRequest, job_id) -> tuple[Job, JobKind, HttpResponse | None]:
    job = Job.objects.filter(pk=job_id, requested_by=request.user).first()
    if job is None or services.is_expired(job):
        raise Http404
    try:
        kind = get_kind(job.kind)
    except LookupError:
        raise Http404 from None
    refused = kind.check(request, job)
    if refused is not None and refused.status_code == 404:
        raise Http404  # the site's own 404 page
    return job, kind, refused


def _state(job: Job, kind: JobKind) -> dict:
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "done": job.done_count,
        "total": job.total_count,
        "percent": job.percent,
        "unit": kind.unit,
    }


@login_required
@never_cache
@require_GET
def job_page(request: HttpRequest, job_id) -> HttpResponse:
    job, kind, refused = _job_or_404(request, job_id)
    if refused is not None:
        return refused
    job = services.restart_if_lost(job)
    context = {"job": job, "kind": kind, "state": _state(job, kind), "back_url": kind.back_url(job)}
    return render(request, "jobs/job.html", context)


@login_required
@never_cache
@require_GET
def job_state(request: HttpRequest, job_id) -> JsonResponse:
    job, kind, refused = _job_or_404(request, job_id)
    if refused is not None:
        raise Http404
    job = services.restart_if_lost(job)
    return JsonResponse(_state(job, kind))


@login_required
@never_cache
@require_GET
def job_download(request: HttpRequest, job_id) -> HttpResponse:
    job, kind, refused = _job_or_404(request, job_id)
    if refused is not None:
        return refused
    if job.status != Job.Status.DONE or not kind.makes_file:
        return redirect("jobs:job", job_id=job.pk)
    if kind.on_download is not None:
        kind.on_download(request, job)
    response = StreamingHttpResponse(services.file_blocks(job), content_type=job.content_type)
    response["Content-Disposition"] = content_disposition_header(True, job.filename)
    response["Content-Length"] = str(job.size)
    return response


@login_required
@require_POST
def job_retry(request: HttpRequest, job_id) -> HttpResponse:
    job, _kind, refused = _job_or_404(request, job_id)
    if refused is not None:
        return refused
    services.retry_job(job)
    return redirect("jobs:job", job_id=job.pk)


@login_required
@never_cache
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = []
    for job in services.active_or_recent_jobs(request.user):
        try:
            kind = get_kind(job.kind)
        except LookupError:
            continue
        if kind.check(request, job) is None:
            jobs.append(job)
    return render(request, "jobs/job_list.html", {"jobs": jobs})


def too_many_jobs(request: HttpRequest, back_url: str) -> HttpResponse:
    """The answer to a person who starts a job while MAX_ACTIVE_PER_USER of theirs still wait
    or run (services.TooManyJobs): a page (HTTP 429) that lists those, each leading to its
    progress, and leads back to where they were. Nothing is started."""
    context = {"jobs": services.active_jobs(request.user), "back_url": back_url}
    return render(request, "jobs/too_many.html", context, status=429)
