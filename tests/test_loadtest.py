"""The campaign's load test in 30 seconds (issue 16, item 6): a smoke test, never a timed one.

`make loadtest` (tools/loadtest/run.py) drives the real pages through gunicorn with a task
worker at the campaign's busiest-hour rate and beyond. Here the same set-up runs at a small
rate for two steps of 15 seconds: respondents open shared links, answer every page of their
role's questionnaire and send; HR admins log in, open their rounds and report and download
their data. What must hold is what a user would notice, not how fast: every step of both
journeys was taken, in both rate steps, and nothing failed.

On SQLite by default; when DATABASE_URL names PostgreSQL (CI's second run), in a database of
its own on that server, made and dropped by the runner. Deselect with -m "not loadtest".
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.loadtest

RUNNER = Path(__file__).resolve().parent.parent / "tools" / "loadtest" / "run.py"

RESPONDENT_STEPS = {
    "respondent: open link",
    "respondent: page",
    "respondent: save page",
    "respondent: overview",
    "respondent: send",
    "respondent: thank-you page",
}
HR_STEPS = {
    "hr: login page",
    "hr: log in",
    "hr: dashboard",
    "hr: rounds",
    "hr: round",
    "hr: report",
    "hr: data page",
    "hr: data download",
    "hr: log out",
}


def runner():
    spec = importlib.util.spec_from_file_location("loadtest_run", RUNNER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def own_database_url() -> str | None:
    """A database of the smoke test's own next to DATABASE_URL's, when that is PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        return None
    name = f"{parts.path.lstrip('/') or 'leerkansen'}_loadtest_{os.getpid()}"[-63:]
    return parts._replace(path=f"/{name}").geturl()


def test_a_small_campaign_goes_through_every_page_without_an_error():
    results = runner().smoke(own_database_url())

    steps = results["steps"]
    assert [step["multiple"] for step in steps] == [1, 2]
    for step in steps:
        assert step["requests"] > 0, f"nothing was measured at {step['multiple']}×"
    taken = {name for step in steps for name, row in step["by_name"].items() if row["count"]}
    assert taken >= RESPONDENT_STEPS | HR_STEPS, sorted(RESPONDENT_STEPS | HR_STEPS - taken)
    errors = {m: n for step in steps for m, n in step["error_messages"].items()}
    assert sum(step["errors"] for step in steps) == 0, errors
    assert sum(step["responses_per_second"] for step in steps) > 0, "no response was sent"
