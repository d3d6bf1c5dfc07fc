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
