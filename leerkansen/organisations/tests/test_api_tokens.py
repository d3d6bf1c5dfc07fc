"""API keys: made once and shown once, stored hashed, revoked by the organisation's admins."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone

from leerkansen.lib.codes import hash_token
from leerkansen.organisations.api_auth import OrganisationToken
from leerkansen.organisations.models import ApiToken, Membership, Organisation
from leerkansen.organisations.services import create_api_token
from leerkansen.testing import make_admin, make_user

from .helpers import link_in_last_mail

pytestmark = pytest.mark.django_db

KEYS = "/organisatie/api-sleutels/"


def revoke_url(token: ApiToken) -> str:
    return f"/organisatie/api-sleutels/{token.pk}/intrekken/"


def authenticate(secret: str):
    request = RequestFactory().get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    return OrganisationToken()(request), request


def test_admin_makes_a_key_that_is_shown_once_and_works(client):
    an, organisation = make_admin()
    client.force_login(an)
    response = client.post(KEYS, {"name": "HR-systeem"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    secret = re.search(r'<code class="secret__value">([^<]+)</code>', html).group(1)
    assert len(secret) >= 43  # 256 bits, URL-safe base64
    token = ApiToken.objects.get()
    assert token.token_hash == hash_token(secret)
    assert token.prefix == secret[:8]
    assert token.created_by == an

    # The list shows the prefix, never the key again.
    html = client.get(KEYS).content.decode()
    assert secret not in html
    assert f"Begint met {secret[:8]}" in html
    assert "Nog niet gebruikt" in html

    found, request = authenticate(secret)
    assert found == organisation
    assert request.organisation == organisation
    token.refresh_from_db()
    assert token.last_used_on == timezone.localdate()
    assert "Laatst gebruikt op" in client.get(KEYS).content.decode()


def test_revoked_key_no_longer_authenticates(client):
    an, organisation = make_admin()
    new = create_api_token(organisation, "HR-systeem", an)
    client.force_login(an)
    response = client.post(revoke_url(new.token))
    assert response["Location"] == KEYS
    html = client.get(KEYS).content.decode()
    assert "De sleutel “HR-systeem” werkt niet meer." in html
    assert "Ingetrokken" in html
    assert authenticate(new.secret)[0] is None


def test_unknown_or_missing_key_does_not_authenticate():
    assert authenticate("niet-echt")[0] is None
    assert OrganisationToken()(RequestFactory().get("/api/v1/")) is None


def test_another_organisations_admin_gets_404_on_revoke(client):
    an, organisation = make_admin()
    new = create_api_token(organisation, "HR-systeem", an)
    bert, _ = make_admin("bert@elders.be", "Elders")
    client.force_login(bert)
    assert client.post(revoke_url(new.token)).status_code == 404
    new.token.refresh_from_db()
    assert new.token.revoked_at is None
    assert authenticate(new.secret)[0] == organisation


def test_revoke_is_post_only_and_checks_csrf():
    an, organisation = make_admin()
    new = create_api_token(organisation, "HR-systeem", an)
    client = Client(enforce_csrf_checks=True)
    client.force_login(an)
    assert client.get(revoke_url(new.token)).status_code == 405
    assert client.post(revoke_url(new.token)).status_code == 403
    new.token.refresh_from_db()
    assert new.token.revoked_at is None


def test_key_needs_a_name(client):
    an, _ = make_admin()
    client.force_login(an)
    html = client.post(KEYS, {"name": ""}).content.decode()
    assert "Geef de sleutel een naam, zodat je hem later herkent." in html
    assert not ApiToken.objects.exists()


def test_create_organisation_command_prints_the_id_and_a_working_key_last():
    out = io.StringIO()
    call_command(
        "create_organisation",
        "Zorggroep Noord",
        "--admin-email",
        "HR@Zorggroep.be",
        "--api-token",
        "--site-url",
        "https://leerkansen.example",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    organisation = Organisation.objects.get(name="Zorggroep Noord")
    assert f"Organisation id: {organisation.code}" in lines
    found, _ = authenticate(lines[-1])
    assert found == organisation
    assert lines[-1] == lines[-1].strip() and " " not in lines[-1]

    membership = Membership.objects.get(organisation=organisation)
    user = membership.user
    assert user.username == "hr@zorggroep.be"
    assert user.is_active and not user.has_usable_password()
    assert membership.role == Membership.Role.ADMIN

    # The admin chooses a password through the e-mailed link, then lands on the dashboard.
    assert mail.outbox[-1].to == ["hr@zorggroep.be"]
    assert "https://leerkansen.example/account/wachtwoord/" in mail.outbox[-1].body
    client = Client()
    form_page = client.get(link_in_last_mail("/account/wachtwoord/"), follow=True)
    password = "een lange zin als wachtwoord"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert response["Location"] == "/organisatie/"
    assert "<h1>Zorggroep Noord</h1>" in client.get("/organisatie/").content.decode()


def test_create_organisation_without_key_ends_with_the_admin_and_reuses_an_account():
    user = make_user("an@zorggroep.be")
    out = io.StringIO()
    call_command("create_organisation", "Elders", "--admin-email", "an@zorggroep.be", stdout=out)
    organisation = Organisation.objects.get(name="Elders")
    assert Membership.objects.filter(user=user, organisation=organisation).exists()
    assert not ApiToken.objects.exists()
    assert out.getvalue().splitlines()[-1] == "Admin: an@zorggroep.be (existing account)"
    assert mail.outbox == []


def test_create_organisation_refuses_a_bad_address():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Not an e-mail address"):
        call_command(
            "create_organisation", "X", "--admin-email", "geen-adres", stdout=io.StringIO()
        )
    assert not Organisation.objects.exists()


def test_create_organisation_prints_the_password_link_when_the_mail_fails(monkeypatch):
    from leerkansen.organisations import emails

    def fail(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(emails, "send_onboarding", fail)
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_organisation", "X", "--admin-email", "a@x.be", "--api-token", stdout=out, stderr=err
    )
    assert "could not be sent" in err.getvalue()
    assert "/account/wachtwoord/" in err.getvalue()
    assert authenticate(out.getvalue().splitlines()[-1])[0] == Organisation.objects.get(name="X")
