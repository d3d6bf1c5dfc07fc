"""A job's page in a real browser: an HR admin downloads the organisation's data through its
job; the progress moves by itself with JavaScript and shows on refresh without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from leerkansen.jobs.models import Job
from leerkansen.organisations.jobs import start_data_download
from leerkansen.testing import (
    BARE,
    DATABASE_TASKS,
    assert_no_axe_violations,
    logged_in_page,
    make_admin,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1366, 390])
def test_an_admin_downloads_the_organisations_data_through_its_job(
    browser, live_server, browser_login, width, tmp_path
):
    admin, organisation = make_admin(**BARE)
    context, page = logged_in_page(browser, live_server, browser_login, admin, width)

    page.goto("/organisatie/gegevens/")
    page.get_by_role("button", name="Downloaden als JSON").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Gegevens van je organisatie (JSON)")
    expect(page.get_by_role("status")).to_contain_text("Klaar")
    assert no_sideways_scrolling(page)
    assert_no_axe_violations(page)
    page.screenshot(path=tmp_path / f"job-done-{width}.png", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert any(row.get("name") == organisation.name for row in data["organisations.Organisation"])

    page.get_by_role("link", name="Jouw bestanden").click()
    expect(page.get_by_role("link", name="Gegevens van je organisatie (JSON)")).to_be_visible()
    assert_no_axe_violations(page)
    context.close()


def open_job_page(browser, live_server, browser_login, admin, job, *, javascript: bool):
    context = browser.new_context(
        base_url=live_server.url, locale="nl-BE", java_script_enabled=javascript
    )
    browser_login(context, admin)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"/bestanden/{job.pk}/")
    expect(page.get_by_role("status")).to_have_text("Wordt gemaakt")
    expect(page.locator("#job-percent")).to_have_text(": 25%")
    expect(page.get_by_role("progressbar", name="Wordt gemaakt")).to_have_attribute("value", "25")
    if javascript:  # axe runs in the page: not without JavaScript (same page, same markup)
        assert_no_axe_violations(page)
    return context, page


@pytest.fixture
def running_job():
    admin, organisation = make_admin(**BARE)
    with override_settings(TASKS=DATABASE_TASKS):
        job = start_data_download(admin, organisation, "csv")
    rows = Job.objects.filter(pk=job.pk)
    rows.update(status="running", done_count=25, total_count=100, heartbeat_at=timezone.now())
    return admin, job, rows


def test_without_javascript_a_refresh_shows_how_far_the_job_is(
    browser, live_server, browser_login, running_job
):
    admin, job, rows = running_job
    context, page = open_job_page(browser, live_server, browser_login, admin, job, javascript=False)
    rows.update(done_count=75, heartbeat_at=timezone.now())
    expect(page.locator("#job-percent")).to_have_text(": 25%")
    page.get_by_role("link", name="Ververs om te zien hoe ver het is").click()
    expect(page.locator("#job-percent")).to_have_text(": 75%")
    expect(page.locator("#job-count")).to_have_text("75 van 100 rijen geschreven.")
    context.close()


def test_with_javascript_the_bar_moves_by_itself_and_the_page_shows_the_file_when_ready(
    browser, live_server, browser_login, running_job
):
    """The page's script asks /stand/ every second. Its answers are given here (the endpoint
    itself is tested in test_jobs.py), so that the database is not written while the live
    server, which shares the test's in-memory SQLite connection, reads it."""
    admin, job, rows = running_job
    answers = [
        {"status": "running", "status_label": "Wordt gemaakt", "done": 75, "total": 100,
         "percent": 75, "unit": "rows"},
    ]  # fmt: skip
    context, page = open_job_page(browser, live_server, browser_login, admin, job, javascript=True)
    polled = []

    def answer(route):
        polled.append(route.request.url)
        route.fulfill(json=answers[-1])

    page.route("**/stand/", answer)
    expect(page.locator("#job-percent")).to_have_text(": 75%", timeout=5_000)
    expect(page.locator("#job-count")).to_have_text("75 van 100 rijen geschreven.")
    expect(page.get_by_role("progressbar", name="Wordt gemaakt")).to_have_attribute("value", "75")
    # The job finishes (written while every poll is answered here): the next answer says so
    # and the script reloads the page.
    rows.update(status="done", done_count=100, total_count=100, filename="gegevens.zip")
    answers.append(dict(answers[0], status="done", status_label="Klaar", percent=100))
    expect(page.get_by_role("link", name="Download gegevens.zip")).to_be_visible(timeout=5_000)
    assert polled
    context.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_a_fourth_file_is_refused_on_a_page_that_lists_the_waiting_ones(
    browser, live_server, browser_login, width, tmp_path
):
    from datetime import timedelta

    admin, _organisation = make_admin(**BARE)
    for number in (1, 2, 3):
        Job.objects.create(
            kind="research_export",
            title=f"Export {number}",
            requested_by=admin,
            expires_at=timezone.now() + timedelta(hours=24),
        )
    context, page = logged_in_page(browser, live_server, browser_login, admin, width)

    page.goto("/organisatie/gegevens/")
    page.get_by_role("button", name="Downloaden als JSON").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Wacht tot een van je bestanden klaar is"
    )
    for number in (1, 2, 3):
        expect(page.get_by_role("link", name=f"Export {number}")).to_be_visible()
    assert no_sideways_scrolling(page)
    assert_no_axe_violations(page)
    page.screenshot(path=tmp_path / f"too-many-{width}.png", full_page=True)
    assert Job.objects.filter(requested_by=admin).count() == 3
    context.close()
