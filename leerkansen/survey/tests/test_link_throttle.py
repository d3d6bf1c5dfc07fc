"""The bad-link throttle counts only failures, in the shared cache, and never refuses a valid
link (issue 11, item 5: after 80 bad links, 8 of 10 respondents behind one NAT got 429)."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client

from leerkansen.survey.models import Response
from leerkansen.survey.rounds import BAD_TOKEN_LIMIT, _bad_token_key
from leerkansen.survey.tests import link, make_invitation
from leerkansen.testing import make_round

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
OFFICE = "203.0.113.40"  # the NAT address of an organisation's office


def from_office() -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OFFICE)


def test_valid_links_work_after_80_bad_links_from_the_same_address(settings):
    settings.BEHIND_TLS_PROXY = True
    assessment = make_round()
    tokens = [make_invitation(assessment)[1] for _person in range(10)]
    guesser = from_office()
    answers = [guesser.get(link(f"geraden-{n}")).status_code for n in range(80)]
    assert answers[:BAD_TOKEN_LIMIT] == [404] * BAD_TOKEN_LIMIT
    assert set(answers[BAD_TOKEN_LIMIT:]) == {429}

    # Ten colleagues behind the same address open their own links: all ten get in.
    for token in tokens:
        response = from_office().get(link(token))
        assert response.status_code == 302
    assert Response.objects.count() == 10
    # A bad resume link from there is still refused, and another address is not affected.
    assert from_office().get("/vragenlijst/hervat/iets/").status_code == 429
    other = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.3")
    assert other.get(link("geraden")).status_code == 404


def test_the_count_lives_in_the_shared_database_cache_without_the_address(settings):
    settings.BEHIND_TLS_PROXY = True
    guesser = from_office()
    for n in range(BAD_TOKEN_LIMIT):
        guesser.get(link(f"geraden-{n}"))
    # A fresh cache connection, as another worker process would open it, sees the count.
    other_worker = caches.create_connection("default")
    assert other_worker.__class__.__name__ == "DatabaseCache"
    assert other_worker.get(_bad_token_key(OFFICE)) == BAD_TOKEN_LIMIT
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM leerkansen_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("survey:bad-links:" in key for key in keys)
    assert not any(OFFICE in key for key in keys)
