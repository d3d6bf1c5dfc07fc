"""CSRF on every POST: each form of the site, posted by someone allowed to post it, is refused
without the CSRF token and accepted with it (Django's test client skips the check unless
asked: these clients enforce it).

The routes come from the isolation matrix, so a new POST route is covered as soon as it is
listed there. The API is left out: it authenticates with a bearer key, not a cookie, so a
forged cross-site request has nothing to ride on.
"""

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import World, snapshot_of_a
from .test_isolation import MATRIX, PERSONAS

pytestmark = pytest.mark.django_db

CSRF_SECRET = "LeerkansenCsrfSecretForTests2026"  # 32 letters and digits, as Django makes them
# Who may post each route: the first persona in this order whose POST is not refused.
POSTERS = ("admin_a", "respondent", "anonymous")


def post_routes() -> list[tuple[str, str]]:
    routes = []
    for name, row in sorted(MATRIX.items()):
        if name.startswith("api_v1:"):
            continue
        allowed = dict(zip(PERSONAS, row.post, strict=True))
        for persona in POSTERS:
            if allowed[persona] in ("ok", "away", 400):
                routes.append((name, persona))
                break
    return routes


def csrf_client(world: World, persona: str) -> Client:
    """A client that enforces CSRF, with the persona's session."""
    client = Client(enforce_csrf_checks=True)
    client.cookies = world.clients[persona].cookies
    return client


def test_every_form_route_of_the_matrix_is_checked():
    names = {name for name, _persona in post_routes()}
    # The forms that matter most are among them, each posted by someone who may post it.
    assert {
        "organisations:login",
        "organisations:logout",
        "organisations:register",
        "organisations:invite",
        "organisations:revoke_api_token",
        "rounds:list",
        "rounds:close",
        "survey:section",
        "survey:review",
    } <= names


@pytest.mark.parametrize(("name", "persona"), post_routes())
def test_a_post_without_the_csrf_token_is_refused(world, name, persona):
    client = csrf_client(world, persona)
    url = reverse(name, kwargs=world.kwargs.get(name, {}))
    before = snapshot_of_a(world)

    refused = client.post(url, {"title": "Vervalst"})

    assert refused.status_code == 403
    assert snapshot_of_a(world) == before


@pytest.mark.parametrize(("name", "persona"), post_routes())
def test_the_same_post_with_the_token_gets_through(world, name, persona):
    client = csrf_client(world, persona)
    # The cookie a page with a form would set, and the same secret in the form.
    client.cookies["csrftoken"] = CSRF_SECRET
    url = reverse(name, kwargs=world.kwargs.get(name, {}))

    accepted = client.post(url, {"csrfmiddlewaretoken": CSRF_SECRET})

    assert accepted.status_code != 403


# The token on stored pages (lib/csrf.py): masked by our code, checked by Django's middleware.


def test_the_log_out_form_of_a_stored_report_page_is_accepted_with_its_token_and_not_without():
    import re

    from django.middleware.csrf import _unmask_cipher_token

    from leerkansen.reports.tests import close_and_publish, make_answered_round, make_member

    report = close_and_publish(make_answered_round({"medewerker": 5}))
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_member(report.assessment.organisation))
    client.get("/organisatie/")  # Django's own page sets the CSRF cookie first.
    secret = client.cookies["csrftoken"].value

    tokens = []
    for _ in range(2):
        page = client.get(f"/rapport/{report.code}/")
        assert page.status_code == 200
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1])
        # The cookie is sent again with the page, as Django does for its own tokens.
        assert page.cookies["csrftoken"].value == secret
    assert tokens[0] != tokens[1]
    assert [_unmask_cipher_token(token) for token in tokens] == [secret, secret]

    tampered = tokens[0][:-1] + ("a" if tokens[0][-1] != "a" else "b")
    assert (
        client.post(reverse("organisations:logout"), {"csrfmiddlewaretoken": tampered}).status_code
        == 403
    )
    assert client.get("/organisatie/").status_code == 200  # still logged in

    logout = client.post(reverse("organisations:logout"), {"csrfmiddlewaretoken": tokens[0]})
    assert logout.status_code == 302
    assert client.get("/organisatie/").status_code == 302  # logged out


def test_the_mask_draws_every_allowed_character_and_changes_each_time():
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
    from django.test import RequestFactory

    from leerkansen.lib.csrf import get_token

    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = CSRF_SECRET
    tokens = {get_token(request) for _ in range(200)}
    assert len(tokens) == 200
    assert {_unmask_cipher_token(token) for token in tokens} == {CSRF_SECRET}
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    masks = "".join(token[:32] for token in tokens)
    assert set(masks) == set(CSRF_ALLOWED_CHARS)
    # 6,400 characters over 62: each about 103 times; a biased draw (by 2 out of 256, the
    # modulo without rejection) is far inside this, a broken one (a character never or
    # twice as often) far outside.
    counts = [masks.count(char) for char in CSRF_ALLOWED_CHARS]
    assert min(counts) > 50 and max(counts) < 170


def test_a_request_without_a_csrf_secret_gets_one_from_django():
    from django.middleware.csrf import _unmask_cipher_token
    from django.test import RequestFactory

    from leerkansen.lib.csrf import get_token

    request = RequestFactory().get("/")
    token = get_token(request)
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    assert len(request.META["CSRF_COOKIE"]) == 32
