"""A task worker killed in the middle of an export (issue 16, item 3): no half file is ever
visible, and the job is run again to the end.

Real processes against a real database of their own (a file SQLite database, or a fresh
PostgreSQL database when the suite runs on PostgreSQL): `manage.py db_worker` is started,
killed with SIGKILL once it is writing the export, and started again after the lost job was
queued again (`manage.py restart_lost_jobs`, which cron runs; a job's page does the same).
"""

from __future__ import annotations

import csv
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Simulated organisations with five respondents each, every round closed and large enough to
# be exported: ORGANISATIONS * 5 rows in the responses dataset.
ORGANISATIONS = 4_000
ROWS = ORGANISATIONS * 5
LOST_AFTER = 2

START_EXPORT = """
from leerkansen.research.export_rounds import ExportFilter
from leerkansen.research.jobs import start_export
from leerkansen.testing import make_researcher
job = start_export(make_researcher(), "responses", "csv", ExportFilter(simulated=True), "test")
print("JOB", job.pk)
"""


class Database:
    """The test's own database, reached from outside Django to watch the job."""

    def __init__(self, folder: Path) -> None:
        url = os.environ.get("DATABASE_URL", "")
        self.postgres = url.startswith("postgres")
        if self.postgres:
            import psycopg

            self.server = url.rsplit("/", 1)[0]
            self.name = f"leerkansen_killed_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(f"{self.server}/postgres", autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{self.name}"')
            self.url = f"{self.server}/{self.name}"
        else:
            self.url = f"sqlite:///{folder / 'killed.sqlite3'}"

    def rows(self, sql: str) -> list[tuple]:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as connection:
                return connection.execute(sql).fetchall()
        connection = sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=10)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def drop(self) -> None:
        if self.postgres:
            import psycopg

            with psycopg.connect(f"{self.server}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def database(tmp_path):
    database = Database(tmp_path)
    yield database
    database.drop()


def environment(database: Database, folder: Path) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=database.url, LEERKANSEN_VAR_DIR=str(folder))
    env.pop("TASKS_IMMEDIATE", None)
    env.update(JOB_LOST_AFTER=str(LOST_AFTER), DJANGO_SETTINGS_MODULE="leerkansen.settings")
    return env


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout


def worker(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "jobs",
            "--no-startup-delay",
            *args,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def job_state(database: Database, job_id: str) -> tuple:
    key = job_id.replace("-", "") if not database.postgres else job_id
    (state,) = database.rows(
        f"SELECT status, attempt, done_count, total_count FROM jobs_job WHERE id = '{key}'"
    )
    return state


def chunks(database: Database) -> list[bytes]:
    return [
        bytes(data)
        for (data,) in database.rows('SELECT data FROM jobs_jobfilechunk ORDER BY "index"')
    ]


def test_a_worker_killed_mid_export_leaves_no_half_file_and_the_job_is_run_again(
    database, tmp_path
):
    env = environment(database, tmp_path)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(
        env, "simulate_organisations", "--n", str(ORGANISATIONS), "--respondents", "5",
        "--ratings", "0",
    )  # fmt: skip
    output = manage(env, "shell", "-c", START_EXPORT)
    job_id = output.split("JOB ", 1)[1].split()[0]
    assert job_state(database, job_id)[0] == "queued"

    first = worker(env)
    try:
        deadline = time.monotonic() + 120
        # Killed once it has claimed the job and counted the rows: it is writing the file.
        while time.monotonic() < deadline:
            status, attempt, _done, total = job_state(database, job_id)
            if status == "running" and total:
                break
            assert status in ("queued", "running"), status
            time.sleep(0.02)
        os.killpg(first.pid, signal.SIGKILL)
    finally:
        first.wait(timeout=30)

    status, attempt, _done, total = job_state(database, job_id)
    assert (status, attempt, total) == ("running", 1, ROWS)
    # Nothing of the half-written file is stored, so nothing can be downloaded.
    assert chunks(database) == []
    time.sleep(LOST_AFTER + 0.5)
    assert "Lost jobs queued again: 1" in manage(env, "restart_lost_jobs")
    assert job_state(database, job_id)[:2] == ("queued", 2)

    second = worker(env, "--batch")
    assert second.wait(timeout=240) == 0

    status, attempt, done, total = job_state(database, job_id)
    assert (status, attempt, done, total) == ("done", 2, ROWS, ROWS)
    text = b"".join(chunks(database)).decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(text)))) == ROWS
    # Only one attempt's file: the chunks are numbered once.
    indexes = [index for (index,) in database.rows('SELECT "index" FROM jobs_jobfilechunk')]
    assert sorted(indexes) == list(range(len(indexes)))
