"""An admin invites a colleague, who joins as co-admin with a new or an existing account."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from leerkansen.lib.codes import hash_token
from leerkansen.organisations.models import AdminInvitation, Membership
from leerkansen.testing import PASSWORD, make_admin, make_user

from .helpers import link_in_last_mail

pytestmark = pytest.mark.django_db

TEAM = "/organisatie/team/"
INVITE = "/organisatie/team/uitnodigen/"
DASHBOARD = "/organisatie/"


def invite(client, email="bert@zorggroep.be"):
    return client.post(INVITE, {"email": email})


def test_invited_colleague_registers_through_the_link_and_becomes_admin(client):
    an, organisation = make_admin()
    client.force_login(an)
    response = invite(client, "Bert@Zorggroep.be")
    assert response["Location"] == TEAM
    team = client.get(TEAM).content.decode()
    assert "We hebben een uitnodiging gestuurd naar bert@zorggroep.be." in team
    assert "bert@zorggroep.be" in team.split("Openstaande uitnodigingen")[1]

    message = mail.outbox[-1]
    assert message.to == ["bert@zorggroep.be"]
    assert "Zorggroep Noord" in message.subject
    link = link_in_last_mail("/organisatie/uitnodiging/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = AdminInvitation.objects.get()
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash

    bert = Client()
    page = bert.get(link).content.decode()
    assert "Beheer Zorggroep Noord mee" in page
    assert "Je logt in met bert@zorggroep.be" in page
    response = bert.post(link, {"name": "Bert", "password1": PASSWORD, "password2": PASSWORD})
    assert response["Location"] == DASHBOARD
    user = get_user_model().objects.get(username="bert@zorggroep.be")
    assert user.is_active  # the link reached the invited address: no second confirmation
    assert Membership.objects.filter(user=user, organisation=organisation).exists()
    dashboard = bert.get(DASHBOARD).content.decode()
    assert "Je beheert nu Zorggroep Noord mee." in dashboard
    assert "an@zorggroep.be" in dashboard and "bert@zorggroep.be" in dashboard

    # Used up: the link no longer works.
    bert.post("/account/uitloggen/")
    response = bert.get(link)
    assert response.status_code == 404
    assert "Deze uitnodiging werkt niet" in response.content.decode()


def test_colleague_with_an_account_logs_in_and_accepts(client):
    an, organisation = make_admin()
    bert, other = make_admin("bert@elders.be", "Elders")
    client.force_login(an)
    invite(client, "bert@elders.be")
    link = link_in_last_mail("/organisatie/uitnodiging/")
    client.post("/account/uitloggen/")

    page = client.get(link).content.decode()
    assert "Log in om de uitnodiging te aanvaarden" in page
    response = client.post(
        f"/account/inloggen/?next={link}",
        {"username": "bert@elders.be", "password": PASSWORD, "next": link},
    )
    assert response["Location"] == link
    assert "Uitnodiging aanvaarden" in client.get(link).content.decode()
    response = client.post(link)
    assert response["Location"] == DASHBOARD
    assert Membership.objects.filter(user=bert, organisation=organisation).exists()
    # The organisation just joined is the one shown; the other stays Bert's too.
    assert "<h1>Zorggroep Noord</h1>" in client.get(DASHBOARD).content.decode()
    assert Membership.objects.filter(user=bert, organisation=other).exists()


def test_invitation_for_another_address_is_not_accepted(client):
    an, _ = make_admin()
    client.force_login(an)
    invite(client, "bert@zorggroep.be")
    link = link_in_last_mail("/organisatie/uitnodiging/")
    carla = make_user("carla@zorggroep.be")
    client.force_login(carla)
    html = client.get(link).content.decode()
    assert "Deze uitnodiging is voor een ander adres" in html
    client.post(link)
    assert not Membership.objects.filter(user=carla).exists()
    assert AdminInvitation.objects.get().accepted_at is None


def test_expired_invitation_does_not_work(client):
    an, _ = make_admin()
    client.force_login(an)
    invite(client)
    link = link_in_last_mail("/organisatie/uitnodiging/")
    AdminInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.post("/account/uitloggen/")
    response = client.get(link)
    assert response.status_code == 404
    assert "Deze uitnodiging werkt niet" in response.content.decode()
    assert client.post(link, {"name": "B", "password1": PASSWORD, "password2": PASSWORD})
    assert not get_user_model().objects.filter(username="bert@zorggroep.be").exists()


def test_invitation_expires_after_the_configured_days(client, settings):
    settings.INVITATION_DAYS = 7
    an, _ = make_admin()
    client.force_login(an)
    invite(client)
    expires = AdminInvitation.objects.get().expires_at
    assert timedelta(days=6, hours=23) < expires - timezone.now() <= timedelta(days=7)


def test_inviting_an_existing_admin_says_so_next_to_the_field(client):
    an, _ = make_admin()
    client.force_login(an)
    html = invite(client, "an@zorggroep.be").content.decode()
    assert "Deze collega beheert je organisatie al mee." in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert mail.outbox == []


def test_team_pages_need_an_organisation(client):
    assert client.get(TEAM)["Location"].startswith("/account/inloggen/")
    client.force_login(make_user())
    assert client.get(INVITE)["Location"] == "/organisatie/nieuw/"


def test_bad_invitation_token_is_a_dutch_404(client):
    response = client.get("/organisatie/uitnodiging/bestaat-niet/")
    assert response.status_code == 404
    assert "Deze uitnodiging werkt niet" in response.content.decode()


def test_invitation_mail_is_plain_text_with_the_name_as_written(client):
    an, _ = make_admin(organisation_name="Zorg & Co <Noord>")
    client.force_login(an)
    invite(client)
    message = mail.outbox[-1]
    assert "Zorg & Co <Noord>" in message.subject
    assert "Zorg & Co <Noord>" in message.body
    assert "&amp;" not in message.subject + message.body
