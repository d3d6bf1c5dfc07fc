"""Starting, running, restarting and clearing jobs (models.py says what a job is).

- `start_job` makes the row and enqueues `tasks.run_job`; the same job still waiting or
  running for the same person is returned instead of a second one, and a person has at most
  MAX_ACTIVE_PER_USER jobs waiting or running.
- `run_job_attempt` (the task's body) claims the attempt, builds the output in a temporary
  file, and stores it in chunks in one transaction with the status "done".
- A failure is stored as a message for the person and logged with the job's id and the
  error's type only (an exception's text can hold data); a kind that refuses the work
  (kinds.JobRefused, e.g. too few data) has its own message stored instead.
- `restart_if_lost`: a running job whose worker stopped writing progress for
  settings.JOB_LOST_AFTER seconds (a worker killed mid-job) is queued again as a new attempt,
  up to MAX_ATTEMPTS; the lost worker's partial file was never committed.
- `purge_expired_jobs`: a job and its file are deleted JOB_KEEP_HOURS after it was started
  (daily, in `manage.py purge_expired`).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .kinds import JobRefused, get_kind
from .models import Job, JobFileChunk
from .progress import Progress, Superseded

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
MAX_ACTIVE_PER_USER = 3
CHUNK_BYTES = 1 << 20


class TooManyJobs(Exception):
    """The person already has MAX_ACTIVE_PER_USER jobs waiting or running."""


def keep_for() -> timedelta:
    return timedelta(hours=settings.JOB_KEEP_HOURS)


def _enqueue(job: Job) -> None:
    from .tasks import run_job

    run_job.enqueue(str(job.pk), job.attempt)


def start_job(kind_name: str, user, params: dict, title: str) -> Job:
    """The job for this person, kind and parameters: a new one, or the same one still active."""
    get_kind(kind_name)  # fails loudly on a kind nobody registered
    active = Job.objects.filter(
        requested_by=user, status__in=(Job.Status.QUEUED, Job.Status.RUNNING)
    )
    for same in active.filter(kind=kind_name):
        if same.params == params:
            return same
    if active.count() >= MAX_ACTIVE_PER_USER:
        raise TooManyJobs
    job = Job.objects.create(
        kind=kind_name,
        params=params,
        title=title,
        requested_by=user,
        expires_at=timezone.now() + keep_for(),
    )
    _enqueue(job)
    return job


def retry_job(job: Job) -> Job:
    """Run a failed job again, as a new attempt (the retry button)."""
    updated = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
        status=Job.Status.QUEUED,
        attempt=job.attempt + 1,
        done_count=0,
        error="",
        heartbeat_at=None,
        expires_at=timezone.now() + keep_for(),
    )
    job.refresh_from_db()
    if updated:
        _enqueue(job)
    return job


def restart_if_lost(job: Job) -> Job:
    """A running job whose worker stopped writing progress is queued again (or, after
    MAX_ATTEMPTS, failed); any other job is returned as it is."""
    lost_before = timezone.now() - timedelta(seconds=settings.JOB_LOST_AFTER)
    lost = Job.objects.filter(
        pk=job.pk, attempt=job.attempt, status=Job.Status.RUNNING, heartbeat_at__lt=lost_before
    )
    if job.attempt >= MAX_ATTEMPTS:
        if lost.update(status=Job.Status.FAILED, error=_lost_message()):
            logger.warning("job %s lost its worker %d times; failed", job.pk, job.attempt)
    elif lost.update(status=Job.Status.QUEUED, attempt=job.attempt + 1, done_count=0):
        logger.warning("job %s lost its worker in attempt %d; queued again", job.pk, job.attempt)
        job.refresh_from_db()
        _enqueue(job)
    job.refresh_from_db()
    return job


def restart_lost_jobs() -> int:
    """Every lost running job queued again or failed (a scheduled sweep); how many."""
    lost_before = timezone.now() - timedelta(seconds=settings.JOB_LOST_AFTER)
    lost = list(Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=lost_before))
    for job in lost:
        restart_if_lost(job)
    return len(lost)


def _failure_message() -> str:
    return _(
        "The file could not be made. Try again; if it fails again, tell us at which step and when."
    )


def _lost_message() -> str:
    return _("The work stopped three times before it was finished. Try again later.")


def run_job_attempt(job_id: str, attempt: int) -> str:
    """Claim the attempt, build the output and store it; what became of it, for the task log."""
    claimed = Job.objects.filter(pk=job_id, attempt=attempt, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, heartbeat_at=timezone.now(), done_count=0
    )
    if not claimed:
        return "skipped"
    job = Job.objects.get(pk=job_id)
    kind = get_kind(job.kind)
    progress = Progress(job.pk, attempt)
    descriptor, name = tempfile.mkstemp(prefix="leerkansen-job-")
    os.close(descriptor)
    path = Path(name)
    try:
        built = kind.build(job.params, progress, path)
        progress.beat()
        _store(job, attempt, built, path if kind.makes_file else None, progress)
    except Superseded:
        logger.warning("job %s attempt %d was superseded", job_id, attempt)
        return "superseded"
    except JobRefused as refusal:
        logger.info("job %s (%s) refused", job_id, job.kind)
        Job.objects.filter(pk=job_id, attempt=attempt, status=Job.Status.RUNNING).update(
            status=Job.Status.FAILED, error=str(refusal), finished_at=timezone.now()
        )
        return "refused"
    except Exception as error:
        logger.error("job %s (%s) failed: %s", job_id, job.kind, type(error).__name__)
        Job.objects.filter(pk=job_id, attempt=attempt, status=Job.Status.RUNNING).update(
            status=Job.Status.FAILED, error=_failure_message(), finished_at=timezone.now()
        )
        return "failed"
    finally:
        path.unlink(missing_ok=True)
    return "done"


def _store(job: Job, attempt: int, built, path: Path | None, progress: Progress) -> None:
    """The file's chunks and the status "done" in one transaction: all of it or nothing."""
    with transaction.atomic():
        current = Job.objects.select_for_update().filter(
            pk=job.pk, attempt=attempt, status=Job.Status.RUNNING
        )
        if not current.exists():
            raise Superseded(str(job.pk))
        JobFileChunk.objects.filter(job_id=job.pk).delete()
        size = 0
        if path is not None:
            with path.open("rb") as file:
                index = 0
                while block := file.read(CHUNK_BYTES):
                    JobFileChunk.objects.create(job_id=job.pk, index=index, data=block)
                    size += len(block)
                    index += 1
        current.update(
            status=Job.Status.DONE,
            filename=built.filename,
            content_type=built.content_type,
            result=built.result,
            size=size,
            # The rows written: a count made before the work may differ by a few (answers
            # sent meanwhile), so the finished job shows what the file holds.
            done_count=progress.done,
            total_count=progress.done if progress.total is not None else None,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )


def file_blocks(job: Job) -> Iterator[bytes]:
    """The stored file, block by block (one chunk in memory at a time)."""
    pks = list(
        JobFileChunk.objects.filter(job_id=job.pk).order_by("index").values_list("pk", flat=True)
    )
    for pk in pks:
        data = JobFileChunk.objects.filter(pk=pk).values_list("data", flat=True).get()
        yield bytes(data)


def is_expired(job: Job) -> bool:
    return job.expires_at <= timezone.now()


def purge_expired_jobs(now: datetime | None = None, *, dry_run: bool = False) -> int:
    """Delete the jobs (and files) kept past JOB_KEEP_HOURS; the number deleted."""
    expired = Job.objects.filter(expires_at__lte=now or timezone.now())
    count = expired.count()
    if not dry_run:
        expired.delete()
    return count


def active_jobs(user) -> list[Job]:
    """The person's jobs waiting or running, oldest first (the ones that count towards
    MAX_ACTIVE_PER_USER)."""
    return list(
        Job.objects.filter(requested_by=user, status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
        .defer("params", "result")
        .order_by("created_at")
    )


def active_or_recent_jobs(user) -> list[Job]:
    """The person's jobs that are still kept, newest first."""
    return list(
        Job.objects.filter(requested_by=user, expires_at__gt=timezone.now())
        .defer("params", "result")
        .order_by("-created_at")[:20]
    )
