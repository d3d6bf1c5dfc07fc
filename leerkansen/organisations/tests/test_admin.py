"""Django admin for staff: a verified TOTP device is required when ADMIN_REQUIRES_OTP."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from leerkansen.organisations.auth import is_researcher, researcher_required
from leerkansen.organisations.models import SecurityEvent
from leerkansen.organisations.services import create_api_token
from leerkansen.testing import make_admin, make_organisation, make_researcher, make_user

pytestmark = pytest.mark.django_db

ADMIN = "/beheer/"


def make_staff(email="staf@leerkansen.be", **extra):
    return make_user(email, is_staff=True, is_superuser=True, **extra)


def verify_device(client, user):
    device = TOTPDevice.objects.create(user=user, name="telefoon", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def test_with_otp_required_staff_without_a_verified_device_cannot_reach_the_admin(client, settings):
    settings.ADMIN_REQUIRES_OTP = True
    client.force_login(make_staff())
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"].startswith("/beheer/login/")
    login_page = client.get(response["Location"]).content.decode()
    assert 'name="otp_token"' in login_page


def test_with_otp_required_a_verified_device_opens_the_admin(client, settings):
    settings.ADMIN_REQUIRES_OTP = True
    staff = make_staff()
    client.force_login(staff)
    verify_device(client, staff)
    assert client.get(ADMIN).status_code == 200


def test_without_otp_required_staff_reach_the_admin_with_a_password_only(client, settings):
    settings.ADMIN_REQUIRES_OTP = False
    client.force_login(make_staff())
    assert client.get(ADMIN).status_code == 200
    assert 'name="otp_token"' not in client.get("/beheer/login/").content.decode()


def test_admin_lists_organisations_escaped_and_tokens_by_hash_only(client, settings):
    settings.ADMIN_REQUIRES_OTP = False
    an = make_user()
    organisation = make_organisation("<script>alert(1)</script>", admin=an)
    new = create_api_token(organisation, "HR-systeem", an)
    client.force_login(make_staff())
    html = client.get("/beheer/organisations/organisation/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    html = client.get(f"/beheer/organisations/apitoken/{new.token.pk}/change/").content.decode()
    assert new.secret not in html
    assert new.token.token_hash in html  # shown, read-only
    assert 'name="token_hash"' not in html


def test_security_log_is_read_only_in_the_admin(client, settings):
    settings.ADMIN_REQUIRES_OTP = False
    client.force_login(make_staff())
    assert client.get("/beheer/organisations/securityevent/").status_code == 200
    assert client.get("/beheer/organisations/securityevent/add/").status_code == 403


# Researchers ---------------------------------------------------------------------------------


def test_researchers_are_staff_in_the_group_made_by_the_migration():
    assert is_researcher(make_researcher())
    assert not is_researcher(make_researcher("niet-staf@ugent.be", staff=False))
    assert not is_researcher(make_user("staf@leerkansen.be", is_staff=True))
    an, _ = make_admin("an@zorggroep.be")
    assert not is_researcher(an)


@researcher_required
def research_view(request):
    return HttpResponse("onderzoek")


def test_researcher_required_lets_researchers_in_and_refuses_others_with_a_log_line():
    request = RequestFactory().get("/onderzoek/")
    request.user = make_researcher()
    assert research_view(request).content == b"onderzoek"

    an, _ = make_admin()
    request = RequestFactory().get("/onderzoek/")
    request.user = an
    with pytest.raises(PermissionDenied):
        research_view(request)
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.DENIED)
    assert event.user == an
    assert event.detail == "/onderzoek/"


def test_researcher_required_sends_anonymous_visitors_to_the_login():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/onderzoek/")
    request.user = AnonymousUser()
    response = research_view(request)
    assert response.status_code == 302
    assert response["Location"] == "/account/inloggen/?next=/onderzoek/"


def test_a_researcher_without_an_organisation_is_sent_to_the_research_area(client):
    client.force_login(make_researcher())
    response = client.get("/organisatie/")
    assert response.status_code == 302
    assert response["Location"] == "/onderzoek/"


def test_a_user_without_an_organisation_is_asked_to_create_one(client):
    client.force_login(make_user("nieuw@zorggroep.be"))
    response = client.get("/organisatie/")
    assert response["Location"] == "/organisatie/nieuw/"
