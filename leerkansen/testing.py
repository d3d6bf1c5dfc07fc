"""Helpers for the test suites of every app: the personas and a browser check.

One place for the people and organisations every app's tests need (after healthchecks'
`hc/test.py`): a user, an organisation, its admin, a researcher and a round, made the real
way. The defaults are An, admin of Zorggroep Noord, with `PASSWORD`; keyword arguments cover
the variants (no password, another name, staff, a given organisation).
App-specific makers (a round with answers, an exported round) stay with their app's tests
and build on these.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from leerkansen.organisations.auth import RESEARCHERS_GROUP
from leerkansen.organisations.models import Membership, Organisation
from leerkansen.survey.models import Assessment
from leerkansen.survey.rounds import open_round

# The database backend as production has it (settings.TASKS), for tests of what a worker does.
DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "jobs"]}
}
# Tasks enqueued and left waiting, as for a worker that has not come round to them yet (the
# root conftest's `no_worker_yet`).
DUMMY_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "QUEUES": ["default", "jobs"],
    }
}

PASSWORD = "een lange zin als wachtwoord"  # noqa: S105 (a test persona's, not a secret)

# An account as create_user(email) makes it: no name, no usable password. For tests that log
# in with force_login, which needs none (hashing a password takes a fifth of a second).
BARE = {"name": "", "password": None}


def make_user(
    email: str = "an@zorggroep.be",
    *,
    name: str = "An",
    password: str | None = PASSWORD,
    active: bool = True,
    researcher: bool = False,
    **extra,
):
    """A user named `name`; `extra` sets other User fields (is_staff, is_superuser).

    `password=None` leaves it unusable: force_login needs none, and hashing one takes a
    fifth of a second. A researcher is put in the researchers' group.
    """
    user = get_user_model()(username=email, email=email, first_name=name, is_active=active, **extra)
    user.set_password(password)
    user.save()
    if researcher:
        # get_or_create: a transactional test (live_server) before this one flushes the
        # group its data migration made.
        user.groups.add(Group.objects.get_or_create(name=RESEARCHERS_GROUP)[0])
    return user


def make_organisation(
    name: str = "Zorggroep Noord", *, admin=None, sector: str = "Q", size_band: str = "50_249"
) -> Organisation:
    """An organisation, with `admin` as its admin when given."""
    organisation = Organisation.objects.create(name=name, sector=sector, size_band=size_band)
    if admin is not None:
        Membership.objects.create(user=admin, organisation=organisation)
    return organisation


def make_admin(
    email: str = "an@zorggroep.be",
    organisation_name: str = "Zorggroep Noord",
    *,
    organisation: Organisation | None = None,
    **user_fields,
):
    """A user (see make_user) who is admin of `organisation`, or of a new one named
    `organisation_name`; returns (user, organisation)."""
    user = make_user(email, **user_fields)
    if organisation is None:
        return user, make_organisation(organisation_name, admin=user)
    Membership.objects.create(user=user, organisation=organisation)
    return user, organisation


def make_researcher(email: str = "onderzoeker@ugent.be", *, staff: bool = True, **user_fields):
    """A researcher: staff in the researchers' group (`staff=False` to leave staff out)."""
    return make_user(email, is_staff=staff, researcher=True, **user_fields)


def make_round(
    organisation: Organisation | None = None,
    roles: Sequence[str] = ("hr", "leidinggevende", "medewerker"),
    title: str = "Voorjaar 2027",
) -> Assessment:
    """An open round of `organisation` (a new "Zorggroep De Linde" by default) for `roles`."""
    if organisation is None:
        organisation = make_organisation("Zorggroep De Linde", sector="", size_band="")
    return open_round(organisation, roles, title)


def assert_no_axe_violations(page) -> None:
    """Run axe-core (shipped with axe-playwright-python) on the page; fail with its report."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def job_download(client, started):
    """The file of the job that the response `started` redirected to (tests run tasks at
    once), as the download response with its bytes in `.body`."""
    assert started.status_code == 302, started.status_code
    job_page = started["Location"]
    assert job_page.startswith("/bestanden/"), job_page
    response = client.get(f"{job_page}download/")
    assert response.status_code == 200, response.status_code
    if getattr(response, "streaming", False):
        # Read to the end: the test client closes the response then (an explicit close()
        # would close PostgreSQL's connection).
        response.body = b"".join(response.streaming_content)
    else:
        response.body = response.content
    return response


def logged_in_page(browser, live_server, browser_login, user, width: int):
    """A Playwright context logged in as `user` at `width` px (Dutch, 844 px high), and its
    page; the caller closes the context."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 844}, locale="nl-BE"
    )
    browser_login(context, user)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page
