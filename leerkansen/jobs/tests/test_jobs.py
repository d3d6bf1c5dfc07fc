"""Jobs: a file made by a worker with its progress, shown only to whoever asked, kept 24 h;
a failure says so in Dutch with a retry; a job whose worker was lost starts again."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from leerkansen.jobs import services
from leerkansen.jobs.kinds import Built, JobKind, not_found, register
from leerkansen.jobs.models import Job, JobFileChunk
from leerkansen.jobs.progress import Progress, Superseded
from leerkansen.testing import BARE, DATABASE_TASKS, make_user

pytestmark = pytest.mark.django_db

LINE = b"regel;waarde\n"


def build_lines(params: dict, progress, path) -> Built:
    """`rows` lines of LINE, with progress per 10 rows; `fail` raises with personal text."""
    if params.get("fail"):
        raise ValueError("an@zorggroep.be answered 5")
    rows = params["rows"]
    progress.set_total(rows)
    with path.open("wb") as file:
        for row in range(1, rows + 1):
            file.write(LINE)
            if row % 10 == 0:
                progress(row)
    return Built(filename="regels.csv", content_type="text/csv")


def allow_unless_locked(request, job):
    return None if not job.params.get("locked") else not_found()


register(
    JobKind(
        name="test-lines",
        build=build_lines,
        check=allow_unless_locked,
        back_url=lambda job: "/",
    )
)


@pytest.fixture
def owner(client):
    user = make_user("hr@zorggroep.be", **BARE)
    client.force_login(user)
    return user


def test_a_job_runs_and_its_file_is_downloaded_by_whoever_asked(client, owner):
    job = services.start_job("test-lines", owner, {"rows": 2500}, "Regels (CSV)")

    job.refresh_from_db()
    assert job.status == "done" and job.total_count == 2500 and job.size == 2500 * len(LINE)
    page = client.get(reverse("jobs:job", args=[job.pk]))
    text = page.content.decode()
    assert "Regels (CSV)" in text and "Klaar" in text and "2500 rijen" in text
    assert "Download regels.csv" in text and "Alleen jij kunt het downloaden" in text
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert b"".join(download.streaming_content) == LINE * 2500
    assert download["Content-Disposition"] == 'attachment; filename="regels.csv"'
    assert download["Content-Length"] == str(2500 * len(LINE))
    assert "no-store" in page["Cache-Control"]
    # Listed under "Your files".
    listing = client.get(reverse("jobs:list")).content.decode()
    assert reverse("jobs:job", args=[job.pk]) in listing


def test_a_file_larger_than_a_chunk_is_stored_in_chunks_and_comes_back_whole(client, owner):
    rows = services.CHUNK_BYTES // len(LINE) * 2 + 7
    job = services.start_job("test-lines", owner, {"rows": rows}, "Groot")
    assert JobFileChunk.objects.filter(job=job).count() == 3
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert b"".join(download.streaming_content) == LINE * rows


def test_nobody_else_sees_a_job_or_its_file(client, owner):
    job = services.start_job("test-lines", owner, {"rows": 10}, "Regels")
    other = make_user("iemand@elders.be", **BARE)
    client.force_login(other)
    for name in ("jobs:job", "jobs:state", "jobs:download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert client.post(reverse("jobs:retry", args=[job.pk])).status_code == 404
    assert (
        reverse("jobs:job", args=[job.pk]) not in client.get(reverse("jobs:list")).content.decode()
    )
    client.logout()
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 302  # to sign in


def test_the_kinds_own_check_applies_to_whoever_asked_too(client, owner):
    job = services.start_job("test-lines", owner, {"rows": 10, "locked": True}, "Regels")
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:list")).content.decode().count("Regels") == 0


def test_a_waiting_job_shows_its_state_and_a_refresh_link_without_javascript(client, owner):
    with override_settings(TASKS=DATABASE_TASKS):
        job = services.start_job("test-lines", owner, {"rows": 40}, "Regels")
        page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
        assert "Wacht op een verwerker" in page and "Ververs om te zien hoe ver het is" in page
        assert 'id="job-download"' not in page
        # Asking again while it waits gives the same job, not a second one.
        assert services.start_job("test-lines", owner, {"rows": 40}, "Regels") == job
        # Progress as the worker writes it, as the page's script reads it.
        Job.objects.filter(pk=job.pk).update(status="running", done_count=10, total_count=40)
        state = client.get(reverse("jobs:state", args=[job.pk])).json()
        assert state == {
            "status": "running",
            "status_label": "Wordt gemaakt",
            "done": 10,
            "total": 40,
            "percent": 25,
            "unit": "rows",
        }
        page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
        assert 'value="25"' in page and "10 van 40 rijen geschreven" in page


def test_a_person_has_at_most_three_jobs_waiting(owner):
    with override_settings(TASKS=DATABASE_TASKS):
        for rows in (1, 2, 3):
            services.start_job("test-lines", owner, {"rows": rows}, "Regels")
        with pytest.raises(services.TooManyJobs):
            services.start_job("test-lines", owner, {"rows": 4}, "Regels")


def test_a_failed_job_says_so_in_dutch_logs_no_data_and_runs_again_on_retry(client, owner, caplog):
    caplog.set_level(logging.INFO)
    job = services.start_job("test-lines", owner, {"rows": 20, "fail": True}, "Regels")
    job.refresh_from_db()
    assert job.status == "failed"
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "Het bestand kon niet gemaakt worden" in page and "Probeer opnieuw" in page
    assert "an@zorggroep.be" not in caplog.text and "ValueError" in caplog.text
    assert not JobFileChunk.objects.filter(job=job).exists()

    Job.objects.filter(pk=job.pk).update(params={"rows": 20})  # the cause went away
    response = client.post(reverse("jobs:retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and job.attempt == 2 and job.error == ""


def test_a_job_whose_worker_was_lost_starts_again_and_a_late_worker_stores_nothing(client, owner):
    with override_settings(TASKS=DATABASE_TASKS):
        job = services.start_job("test-lines", owner, {"rows": 30}, "Regels")
    # A worker claimed it, wrote some progress and was killed.
    long_ago = timezone.now() - timedelta(seconds=services.settings.JOB_LOST_AFTER + 5)
    Job.objects.filter(pk=job.pk).update(status="running", done_count=10, heartbeat_at=long_ago)
    lost_worker = Progress(job.pk, attempt=1)

    client.get(reverse("jobs:job", args=[job.pk]))  # the page notices; the task runs at once

    job.refresh_from_db()
    assert job.status == "done" and job.attempt == 2
    assert services.restart_lost_jobs() == 0  # a second sweep finds nothing to do
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 200
    # The lost worker, had it come back, is told to stop.
    with pytest.raises(Superseded):
        lost_worker.set_total(30)


def test_a_job_lost_three_times_fails_with_a_message(client, owner):
    with override_settings(TASKS=DATABASE_TASKS):
        job = services.start_job("test-lines", owner, {"rows": 30}, "Regels")
    long_ago = timezone.now() - timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(status="running", attempt=3, heartbeat_at=long_ago)
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "drie keer" in page and 'id="job-retry"' in page


def test_a_worker_that_is_running_is_not_presumed_lost(owner):
    with override_settings(TASKS=DATABASE_TASKS):
        job = services.start_job("test-lines", owner, {"rows": 30}, "Regels")
    Job.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now())
    assert services.restart_if_lost(job).attempt == 1
    assert services.restart_lost_jobs() == 0


def test_a_file_is_kept_24_hours_then_gone(client, owner):
    job = services.start_job("test-lines", owner, {"rows": 10}, "Regels")
    assert job.expires_at - job.created_at == pytest.approx(
        timedelta(hours=24), abs=timedelta(seconds=5)
    )
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert services.purge_expired_jobs(dry_run=True) == 1
    call_command("purge_expired", verbosity=0)
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not JobFileChunk.objects.exists()


def test_your_files_has_an_empty_state(client, owner):
    page = client.get(reverse("jobs:list")).content.decode()
    assert "Je hebt geen bestanden klaarstaan" in page
