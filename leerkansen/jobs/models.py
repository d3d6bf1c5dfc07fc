"""A job: long work a person started (an export, a data download, an estimation), run by a
task worker, with its progress and, for a file, the file itself for 24 hours.

The file is kept in the database, in chunks (`JobFileChunk`), so that every web process and
worker on any machine serves the same bytes with nothing but the database shared. The chunks
are written in one transaction with the status "done": a half-written file is never visible.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    # Not a counter: a job's address must not be guessable.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=50)
    params = models.JSONField(default=dict)
    title = models.CharField(max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Each run of the job (the first, a retry, a restart after a lost worker) has its number;
    # a task or a worker of an earlier attempt changes nothing.
    attempt = models.PositiveSmallIntegerField(default=1)
    done_count = models.PositiveIntegerField(default=0)
    total_count = models.PositiveIntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    # What a job without a file made (e.g. the draft model version of an estimation).
    result = models.JSONField(default=dict, blank=True)
    # A message for the person, in their language; never an exception's text.
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["requested_by", "created_at"]),
            models.Index(fields=["status", "heartbeat_at"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.status})"

    @property
    def percent(self) -> int | None:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_count:
            return None
        return min(99, self.done_count * 100 // self.total_count)

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class JobFileChunk(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="jobs_chunk_unique_index")
        ]

    def __str__(self) -> str:
        return f"{self.job_id} #{self.index}"
