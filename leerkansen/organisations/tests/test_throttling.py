"""Login throttles hit the attacker, not the owner; registration and reset tell nothing and
send one mail an hour. Each test replays an attack of issue 11 (items 5 and 8)."""

import statistics
import time
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client

from leerkansen.lib.clients import client_address
from leerkansen.organisations import throttle
from leerkansen.organisations.models import SecurityEvent
from leerkansen.testing import PASSWORD, make_admin

from .helpers import link_in_last_mail

pytestmark = pytest.mark.django_db

LOGIN = "/account/inloggen/"
RESET = "/account/wachtwoord-vergeten/"
REGISTER = "/account/registreren/"
DASHBOARD = "/organisatie/"
PROXY = "10.0.0.2"  # every request reaches the app from the TLS proxy
WRONG = "fout wachtwoord van de aanvaller"


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_TLS_PROXY = True
    # A fast hasher: these tests are about who is refused, not about hashing (the timing
    # tests below keep the real one).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def via_proxy(address: str, forwarded_prefix: str = "") -> Client:
    """A client as the app sees it behind the proxy: the proxy appends the address it saw."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_prefix + address)


def log_in(client: Client, email: str = "an@zorggroep.be", password: str = PASSWORD):
    return client.post(LOGIN, {"username": email, "password": password})


# The client address ----------------------------------------------------------------------


def test_behind_the_proxy_the_address_is_the_right_most_forwarded_entry(rf, settings):
    settings.BEHIND_TLS_PROXY = True
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    # The left part is whatever the client wrote; only the proxy's own entry counts.
    assert client_address(request) == "203.0.113.5"
    assert client_address(rf.get("/", REMOTE_ADDR=PROXY)) == PROXY
    assert client_address(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="zever")) == PROXY


def test_without_the_proxy_a_forwarded_header_is_ignored(rf, settings):
    settings.BEHIND_TLS_PROXY = False
    request = rf.get("/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_address(request) == "198.51.100.4"


# Lock-out as a weapon ----------------------------------------------------------------------


def test_an_attacker_behind_the_proxy_does_not_lock_the_owner_out(behind_proxy):
    make_admin("an@zorggroep.be")
    attacker = via_proxy("203.0.113.5")
    answers = [log_in(attacker, password=WRONG).status_code for _attempt in range(7)]
    # The attacker is stopped after five tries, also when he varies the forwarded header.
    assert answers[:4] == [200] * 4
    assert answers[4:] == [429] * 3
    assert log_in(via_proxy("203.0.113.5", "192.0.2.99, "), password=WRONG).status_code == 429
    assert log_in(attacker).status_code == 429  # even with the right password, from there

    owner = via_proxy("198.51.100.20")
    response = log_in(owner)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKOUT).exists()


def test_an_account_attacked_from_many_addresses_is_paused_for_a_growing_while(behind_proxy):
    make_admin("an@zorggroep.be")
    # Two failures from each of many addresses: never five from one, so axes alone would not
    # notice.
    answers = []
    for number in range(1, 8):
        attacker = via_proxy(f"203.0.113.{number}")
        answers += [log_in(attacker, password=WRONG).status_code for _attempt in range(2)]
    assert answers[: throttle.ACCOUNT_FREE_FAILURES] == [200] * throttle.ACCOUNT_FREE_FAILURES
    assert 429 in answers
    # Refused attempts were not password checks: they did not count and did not grow the pause.
    failures = answers.count(200)
    assert failures == throttle.ACCOUNT_FREE_FAILURES

    # The owner, from yet another address, is paused too, for a short while only.
    page = log_in(via_proxy("198.51.100.20"))
    assert page.status_code == 429
    html = page.content.decode()
    assert "kan je even niet inloggen" in html
    assert "Probeer het opnieuw over 1 minuut" in html
    assert 'href="/account/wachtwoord-vergeten/"' in html

    # The pause grows with every further failure once it is over.
    assert [throttle.account_pause(n) for n in (10, 11, 12, 20)] == [30, 60, 120, 900]


def test_the_password_mail_ends_the_pause_and_logs_the_owner_in(behind_proxy):
    make_admin("an@zorggroep.be")
    for number in range(1, 6):
        attacker = via_proxy(f"203.0.113.{number}")
        for _attempt in range(2):
            log_in(attacker, password=WRONG)
    owner = via_proxy("198.51.100.20")
    assert log_in(owner).status_code == 429

    owner.post(RESET, {"email": "an@zorggroep.be"})
    form_page = owner.get(link_in_last_mail("/account/wachtwoord/"), follow=True)
    new = "een heel nieuw wachtwoord"
    response = owner.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response["Location"] == DASHBOARD
    assert owner.get(DASHBOARD).status_code == 200
    # Logging in with a password works again at once, from anywhere.
    assert log_in(via_proxy("198.51.100.77"), password=new)["Location"] == DASHBOARD


def test_password_spraying_from_one_address_is_stopped(behind_proxy):
    encoded = make_password(PASSWORD)
    get_user_model().objects.bulk_create(
        get_user_model()(
            username=f"hr{n}@bedrijf{n}.be", email=f"hr{n}@bedrijf{n}.be", password=encoded
        )
        for n in range(40)
    )
    sprayer = via_proxy("203.0.113.66")
    answers = [
        log_in(sprayer, email=f"hr{n}@bedrijf{n}.be", password="Zomer2026!").status_code
        for n in range(40)
    ]
    assert answers.count(200) == throttle.ADDRESS_FAILURE_LIMIT
    assert answers[throttle.ADDRESS_FAILURE_LIMIT :] == [429] * (
        40 - throttle.ADDRESS_FAILURE_LIMIT
    )
    # Only that address: the accounts' owners log in elsewhere as usual.
    assert log_in(via_proxy("198.51.100.8"), email="hr39@bedrijf39.be").status_code == 302


def test_throttle_counters_keep_no_address_or_username(behind_proxy):
    make_admin("an@zorggroep.be")
    for _attempt in range(3):
        log_in(via_proxy("203.0.113.5"), password=WRONG)
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM leerkansen_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("throttle:account" in key for key in keys)
    assert any("throttle:address" in key for key in keys)
    assert not any("203.0.113.5" in key or "zorggroep" in key for key in keys)


# Enumeration and mail flood ----------------------------------------------------------------


def register(client: Client, email: str):
    data = {"email": email, "name": "An", "password1": PASSWORD, "password2": PASSWORD}
    return client.post(REGISTER, data)


def test_registration_takes_as_long_for_a_known_address_as_for_a_new_one(client):
    """Was 22 ms against 420 ms: the new address alone paid for hashing a password."""
    make_admin("an@zorggroep.be")
    known, new = [], []
    for attempt in range(5):
        started = time.perf_counter()
        response = register(client, "an@zorggroep.be")
        known.append(time.perf_counter() - started)
        assert response["Location"] == "/account/registreren/verstuurd/"
        started = time.perf_counter()
        response = register(client, f"nieuw{attempt}@zorggroep.be")
        new.append(time.perf_counter() - started)
        assert response["Location"] == "/account/registreren/verstuurd/"
    slow, fast = sorted([statistics.median(known), statistics.median(new)], reverse=True)
    assert slow < 3 * fast or slow - fast < 0.05, (known, new)


def test_password_reset_takes_as_long_for_an_unknown_address(client):
    make_admin("an@zorggroep.be")
    known, unknown = [], []
    for attempt in range(3):
        started = time.perf_counter()
        client.post(RESET, {"email": f"an+{attempt}@zorggroep.be"})
        unknown.append(time.perf_counter() - started)
        mail.outbox.clear()
        started = time.perf_counter()
        client.post(RESET, {"email": "an@zorggroep.be"})
        known.append(time.perf_counter() - started)
    assert min(known + unknown) >= throttle.ANSWER_SECONDS
    assert abs(statistics.median(known) - statistics.median(unknown)) < 0.05, (known, unknown)


def test_twenty_reset_requests_send_one_mail(client, monkeypatch):
    monkeypatch.setattr(throttle, "ANSWER_SECONDS", 0)
    make_admin("an@zorggroep.be")
    for _attempt in range(20):
        response = client.post(RESET, {"email": "an@zorggroep.be"})
        assert response["Location"] == "/account/wachtwoord-vergeten/verstuurd/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["an@zorggroep.be"]


def test_registering_one_address_again_and_again_sends_one_mail(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_admin("an@zorggroep.be")
    for _attempt in range(4):
        register(client, "an@zorggroep.be")
    for _attempt in range(4):
        register(client, "nieuw@zorggroep.be")
    assert sorted(message.to[0] for message in mail.outbox) == [
        "an@zorggroep.be",
        "nieuw@zorggroep.be",
    ]


def test_the_mail_limit_keeps_a_hash_of_the_address_not_the_address(client, monkeypatch):
    monkeypatch.setattr(throttle, "ANSWER_SECONDS", 0)
    client.post(RESET, {"email": "an@zorggroep.be"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM leerkansen_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("throttle:mail" in key for key in keys)
    assert not any("zorggroep" in key for key in keys)


def test_expired_counters_are_deleted_from_the_cache_table():
    cache.set("throttle:test:expired", 1, timeout=0)
    cache.set("throttle:test:current", 1, timeout=60)

    def stored() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT cache_key FROM leerkansen_cache")
            return {row[0] for row in cursor.fetchall()}

    assert {":1:throttle:test:expired", ":1:throttle:test:current"} <= stored()
    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert "Expired throttle counters deleted: 1" in out.getvalue()
    assert ":1:throttle:test:expired" not in stored()
    assert ":1:throttle:test:current" in stored()
