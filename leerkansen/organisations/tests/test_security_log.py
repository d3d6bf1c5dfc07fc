"""The security log records logins, failures, lock-outs, logouts and key changes — and no
passwords, typed usernames or IP addresses."""

import pytest

from leerkansen.organisations.models import SecurityEvent
from leerkansen.organisations.security import log_event
from leerkansen.organisations.services import create_api_token
from leerkansen.testing import PASSWORD, make_admin

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind
LOGIN = "/account/inloggen/"


def kinds() -> list[str]:
    return list(SecurityEvent.objects.order_by("created_at", "pk").values_list("kind", flat=True))


def test_login_failed_login_and_logout_are_logged_with_user_and_organisation(client):
    an, organisation = make_admin()
    client.post(LOGIN, {"username": "an@zorggroep.be", "password": "niet het wachtwoord!"})
    client.post(LOGIN, {"username": "an@zorggroep.be", "password": PASSWORD})
    client.post("/account/uitloggen/")
    assert kinds() == [Kind.LOGIN_FAILED, Kind.LOGIN, Kind.LOGOUT]
    for event in SecurityEvent.objects.all():
        assert event.user == an
        assert event.organisation == organisation


def test_failed_login_for_an_unknown_address_keeps_nothing_typed(client):
    client.post(LOGIN, {"username": "wachtwoord123@x.be", "password": "geheim geheim geheim"})
    event = SecurityEvent.objects.get()
    assert event.kind == Kind.LOGIN_FAILED
    assert event.user is None
    assert event.detail == ""
    values = " ".join(str(value) for value in SecurityEvent.objects.values().get().values())
    assert "wachtwoord123" not in values
    assert "geheim" not in values
    assert "127.0.0.1" not in values


def test_lockout_is_logged(client):
    make_admin()
    for _attempt in range(5):
        client.post(LOGIN, {"username": "an@zorggroep.be", "password": "fout fout fout fout"})
    assert kinds().count(Kind.LOGIN_FAILED) == 5
    assert Kind.LOCKOUT in kinds()


def test_token_creation_and_revocation_are_logged(client):
    an, organisation = make_admin()
    client.force_login(an)
    client.post("/organisatie/api-sleutels/", {"name": "HR-systeem"})
    token = organisation.api_tokens.get()
    client.post(f"/organisatie/api-sleutels/{token.pk}/intrekken/")
    created, revoked = (
        SecurityEvent.objects.filter(kind=kind).get()
        for kind in (Kind.TOKEN_CREATED, Kind.TOKEN_REVOKED)
    )
    for event in (created, revoked):
        assert event.user == an
        assert event.organisation == organisation
        assert token.prefix in event.detail
    # Revoking twice changes nothing and logs nothing more.
    client.post(f"/organisatie/api-sleutels/{token.pk}/intrekken/")
    assert SecurityEvent.objects.filter(kind=Kind.TOKEN_REVOKED).count() == 1


def test_invitation_is_logged_without_the_address(client):
    an, organisation = make_admin()
    client.force_login(an)
    client.post("/organisatie/team/uitnodigen/", {"email": "bert@zorggroep.be"})
    event = SecurityEvent.objects.get(kind=Kind.INVITATION_SENT)
    assert event.organisation == organisation
    assert "bert" not in event.detail


def test_log_event_takes_user_and_organisation_from_the_request(rf):
    an, organisation = make_admin()
    request = rf.get("/organisatie/export/")
    request.user = an
    request.organisation = organisation
    event = log_event(Kind.EXPORT, request=request, detail="json " + "x" * 300)
    assert (event.user, event.organisation) == (an, organisation)
    assert len(event.detail) == 200


def test_security_events_belong_to_their_organisation():
    an, organisation = make_admin()
    _other_admin, other = make_admin("bert@elders.be", "Elders")
    create_api_token(organisation, "A", an)
    from leerkansen.organisations.tenancy import owned

    assert owned(SecurityEvent, organisation).count() == 1
    assert owned(SecurityEvent, other).count() == 0
