"""The task that runs a job (services.run_job_attempt does the work)."""

from __future__ import annotations

from django_tasks import task

from .services import run_job_attempt


@task(queue_name="jobs")
def run_job(job_id: str, attempt: int) -> str:
    return run_job_attempt(job_id, attempt)
