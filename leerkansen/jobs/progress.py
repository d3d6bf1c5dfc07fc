"""A job's progress, written to its row while it runs (at most about once a second).

Each write also proves the worker is alive (`heartbeat_at`); a job whose heartbeat stops is
restarted (services.restart_if_lost). A write that finds the job no longer in this attempt
raises Superseded, so a worker that was presumed lost stops instead of racing its successor.
"""

from __future__ import annotations

import time

from django.utils import timezone

from .models import Job

WRITE_EVERY_SECONDS = 1.0


class Superseded(Exception):
    """The job moved on to another attempt (or was deleted) while this one ran."""


class Progress:
    def __init__(self, job_id, attempt: int) -> None:
        self.job_id = job_id
        self.attempt = attempt
        self.total: int | None = None
        self.done = 0
        self._written_at = 0.0

    def set_total(self, total: int) -> None:
        self.total = total
        self._write(force=True)

    def __call__(self, done: int) -> None:
        self.done = done
        self._write()

    def beat(self) -> None:
        """Tell that the work goes on without a new count (a long step such as zipping)."""
        self._write()

    def _write(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written_at < WRITE_EVERY_SECONDS:
            return
        self._written_at = now
        fields = {"done_count": self.done, "heartbeat_at": timezone.now()}
        if self.total is not None:
            fields["total_count"] = self.total
        updated = Job.objects.filter(
            pk=self.job_id, attempt=self.attempt, status=Job.Status.RUNNING
        ).update(**fields)
        if not updated:
            raise Superseded(str(self.job_id))
