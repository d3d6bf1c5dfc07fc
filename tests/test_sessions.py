"""Sessions (lib/sessions.py): the row is read on every request, its decoding remembered per
process for each stored text. Remembering must never let through what Django's own decoding
would refuse, nor carry one request's changes into the next."""

import logging

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings

from leerkansen.lib.sessions import SessionStore
from leerkansen.organisations.models import Membership
from leerkansen.testing import make_organisation, make_user

pytestmark = pytest.mark.django_db

DASHBOARD = "/organisatie/"


def logged_in_client() -> Client:
    user = make_user(password=None)
    Membership.objects.create(user=user, organisation=make_organisation())
    client = Client()
    client.force_login(user)
    return client


def test_a_session_signed_with_a_key_no_longer_trusted_is_refused_after_being_read():
    store = SessionStore()
    store["note"] = "signed with the key of now"
    store.save()
    data = Session.objects.get(session_key=store.session_key).session_data
    assert SessionStore().decode(data) == {"note": "signed with the key of now"}  # remembered

    with override_settings(SECRET_KEY="a-new-key-" + "y" * 50, SECRET_KEY_FALLBACKS=[]):
        assert SessionStore().decode(data) == {}
        assert SessionStore(store.session_key).get("note") is None


def test_a_session_signed_with_a_fallback_key_is_still_read():
    from django.conf import settings

    client = logged_in_client()
    old_key = settings.SECRET_KEY
    assert client.get(DASHBOARD).status_code == 200
    with override_settings(SECRET_KEY="a-new-key-" + "y" * 50, SECRET_KEY_FALLBACKS=[old_key]):
        assert client.get(DASHBOARD).status_code == 200


def test_a_session_changed_in_the_database_is_read_as_changed():
    client = logged_in_client()
    assert client.get(DASHBOARD).status_code == 200
    key = client.cookies["sessionid"].value

    store = SessionStore(key)
    store.load()
    store.flush()  # logged out elsewhere: the row is gone

    page = client.get(DASHBOARD)
    assert page.status_code == 302 and page["Location"].startswith("/account/inloggen/")


def test_a_list_in_a_session_changed_in_place_does_not_reach_the_next_read():
    store = SessionStore()
    store["visited"] = ["a"]
    store["name"] = "x"
    store.save()
    key = store.session_key

    first = SessionStore(key)
    first["visited"].append("changed in place, never saved")
    first["name"]
    second = SessionStore(key)
    assert second["visited"] == ["a"]

    plain = SessionStore()
    plain["name"] = "x"
    plain.save()
    one = SessionStore(plain.session_key)
    one["name"] = "changed, never saved"
    assert SessionStore(plain.session_key)["name"] == "x"


def test_a_tampered_session_is_empty_and_logged_every_time(caplog):
    client = logged_in_client()
    key = client.cookies["sessionid"].value
    row = Session.objects.get(session_key=key)
    Session.objects.filter(session_key=key).update(session_data=row.session_data[:-2] + "xx")

    with caplog.at_level(logging.WARNING, logger="django.security.SuspiciousSession"):
        for _ in range(2):
            page = client.get(DASHBOARD)
            assert page.status_code == 302
    corrupted = [r for r in caplog.records if r.getMessage() == "Session data corrupted"]
    assert len(corrupted) == 2
