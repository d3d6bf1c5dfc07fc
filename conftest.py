"""Shared by every app's tests: the hypothesis profile and a headless Chromium (Playwright)."""

import os

import pytest
from hypothesis import settings

# Property tests judge results, not speed: on a busy machine (two suites at once in CI) an
# example can take longer than hypothesis' default 200 ms deadline and fail as "flaky".
settings.register_profile("leerkansen", deadline=None)
settings.load_profile("leerkansen")

IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "jobs"],
    }
}


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_in_process():
    """Tests run background tasks in-process, at once (issue 16); a test of the database
    backend and its worker sets TASKS itself."""
    from django.test.utils import override_settings

    # And no report PDF rendered ahead inside every publication (reports/tasks.py): its own
    # tests turn it on.
    # Nor the paper questionnaires' PDFs at every opening of a paper page (paper/tasks.py).
    with override_settings(TASKS=IMMEDIATE_TASKS, REPORT_PDF_AHEAD=False, PAPER_PDF_AHEAD=False):
        yield


@pytest.fixture
def no_worker_yet(settings):
    """Tasks are enqueued and wait, as for a worker that has not come round to them yet; the
    backend, whose `results` lists what was enqueued."""
    from django_tasks import default_task_backend

    from leerkansen.testing import DUMMY_TASKS

    settings.TASKS = DUMMY_TASKS
    yield default_task_backend
    default_task_backend.clear()


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Flags for a headless Chromium on a machine without network beyond localhost.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Rows the migrations write (the researchers' group). A transactional test (live_server) ends
# with a flush that empties every table; post_migrate gives back only the content types and
# permissions. In one process pytest-django runs the transactional tests last, but a
# pytest-xdist worker runs a whole file at once, browser tests included, and then other files:
# so the rows are kept once per test database and written back after each flush.
_migrated: dict = {}


def _flushes_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core import serializers

    rebuilt_by_post_migrate = {ContentType, Permission}
    with django_db_blocker.unblock():
        rows = [
            row
            for model in apps.get_models()
            if model not in rebuilt_by_post_migrate and not model._meta.proxy
            for row in model._default_manager.order_by("pk")
        ]
        _migrated["rows"] = serializers.serialize("json", rows)
    _migrated["blocker"] = django_db_blocker


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    # After the last test the test database is gone (nextitem None): nothing to write back.
    if nextitem is not None and "rows" in _migrated and _flushes_the_database(item):
        from django.core import serializers

        with _migrated["blocker"].unblock():
            for row in serializers.deserialize("json", _migrated["rows"]):
                row.save()


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test itself are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def browser_login(live_server):
    """Give a browser context the session of a logged-in user, without the login form."""
    from django.conf import settings
    from django.test import Client

    def log_in(context, user) -> None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )

    return log_in


@pytest.fixture(autouse=True)
def _empty_shared_cache(request):
    """Throttle counters (bad links, failed logins, mails sent) live in the database cache,
    which a flush does not empty: each case marked for the database, and each transactional
    one (live_server), starts and ends with it empty. (A case rolled back forgets them anyway.)"""
    from django.core.cache import cache

    uses_db = request.node.get_closest_marker("django_db") is not None
    if not uses_db and {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        uses_db = True
    if uses_db:
        cache.clear()
    yield
    if uses_db:
        cache.clear()
