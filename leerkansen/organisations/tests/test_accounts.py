"""An HR professional registers, confirms the address, adds the organisation and logs in."""

import time
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail, signing
from django.utils.html import escape

from leerkansen.organisations import services
from leerkansen.organisations.models import Membership, Organisation
from leerkansen.testing import PASSWORD, make_admin, make_organisation, make_user

from .helpers import link_in_last_mail

pytestmark = pytest.mark.django_db

REGISTER = "/account/registreren/"
LOGIN = "/account/inloggen/"
LOGOUT = "/account/uitloggen/"
DASHBOARD = "/organisatie/"
CREATE = "/organisatie/nieuw/"


def register(client, email="an@zorggroep.be", name="An Peeters", password=PASSWORD):
    return client.post(
        REGISTER, {"email": email, "name": name, "password1": password, "password2": password}
    )


def log_in(client, email="an@zorggroep.be", password=PASSWORD):
    return client.post(LOGIN, {"username": email, "password": password})


def test_registration_confirmation_and_organisation_lead_to_the_dashboard(client):
    response = register(client, email="An@Zorggroep.be")
    assert response.status_code == 302
    assert response["Location"] == "/account/registreren/verstuurd/"
    assert "Kijk in je mailbox" in client.get(response["Location"]).content.decode()
    user = get_user_model().objects.get(username="an@zorggroep.be")
    assert not user.is_active

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["an@zorggroep.be"]
    assert "Bevestig je e-mailadres" in mail.outbox[0].subject
    link = link_in_last_mail("/account/bevestigen/")

    # Opening the link asks for a click; only the click confirms (mail scanners open links).
    page = client.get(link)
    assert page.status_code == 200
    assert "Bevestig mijn adres" in page.content.decode()
    user.refresh_from_db()
    assert not user.is_active

    response = client.post(link)
    assert response["Location"] == CREATE
    user.refresh_from_db()
    assert user.is_active
    page = client.get(CREATE).content.decode()
    assert "Je e-mailadres is bevestigd" in page
    assert "Voeg je organisatie toe" in page
    assert "Gezondheidszorg en welzijn" in page  # the sectors of the questionnaire

    response = client.post(
        CREATE, {"name": "Zorggroep Noord", "sector": "Q", "size_band": "50_249"}
    )
    assert response["Location"] == DASHBOARD
    organisation = Organisation.objects.get(name="Zorggroep Noord")
    assert Membership.objects.filter(
        user=user, organisation=organisation, role=Membership.Role.ADMIN
    ).exists()

    html = client.get(DASHBOARD).content.decode()
    assert "<h1>Zorggroep Noord</h1>" in html
    assert "Gezondheidszorg en welzijn" in html
    assert "50 tot 249" in html
    assert "an@zorggroep.be" in html
    assert 'href="/organisatie/rondes/"' in html
    assert 'href="/organisatie/api-sleutels/"' in html
    assert 'href="/organisatie/team/"' in html


def test_confirmation_link_works_only_once(client):
    register(client)
    link = link_in_last_mail("/account/bevestigen/")
    client.post(link)
    client.post(LOGOUT)
    response = client.get(link)
    assert response.status_code == 400
    assert "Deze link werkt niet" in response.content.decode()


def test_unconfirmed_account_cannot_log_in_and_gets_a_new_link(client):
    make_user(active=False)
    response = log_in(client)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "Je hebt je e-mailadres nog niet bevestigd" in html
    assert len(mail.outbox) == 1
    assert link_in_last_mail("/account/bevestigen/")


def test_an_unconfirmed_account_gets_at_most_one_new_link_an_hour(client):
    register(client)
    for _attempt in range(3):
        html = log_in(client).content.decode()
    # The registration's mail was the one of this hour; the page says so instead.
    assert len(mail.outbox) == 1
    assert "We stuurden je minder dan een uur geleden een link" in html


def test_wrong_password_of_unconfirmed_account_says_nothing_about_it(client):
    register(client)
    mail.outbox.clear()
    html = log_in(client, password="een ander lang wachtwoord").content.decode()
    assert "nog niet bevestigd" not in html
    assert "Dit e-mailadres en wachtwoord horen niet bij een account" in html
    assert mail.outbox == []


def test_forged_confirmation_link_shows_a_dutch_error(client):
    response = client.get("/account/bevestigen/niet-echt/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Deze link werkt niet" in html
    assert 'href="/account/registreren/"' in html


def test_expired_confirmation_link_explains_how_to_get_a_new_one(client):
    user = make_user(active=False)
    four_days_ago = signing.b62_encode(int(time.time()) - 4 * 24 * 3600)
    with mock.patch.object(signing.TimestampSigner, "timestamp", return_value=four_days_ago):
        token = services.verification_token(user)
    response = client.get(f"/account/bevestigen/{token}/")
    assert response.status_code == 400
    assert "Deze link is verlopen" in response.content.decode()
    response = client.post(f"/account/bevestigen/{token}/")
    assert response.status_code == 400
    user.refresh_from_db()
    assert not user.is_active


def test_registering_an_existing_address_changes_nothing_and_tells_only_its_owner(client):
    user = make_user("an@zorggroep.be")
    response = register(client, email="an@zorggroep.be", password="nog een ander wachtwoord")
    assert response["Location"] == "/account/registreren/verstuurd/"
    assert get_user_model().objects.filter(username="an@zorggroep.be").count() == 1
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert mail.outbox[-1].to == ["an@zorggroep.be"]
    assert "Je hebt al een Leerkansen-account" in mail.outbox[-1].subject


def test_registration_refuses_a_short_password_next_to_the_field(client):
    response = register(client, password="kort")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dit wachtwoord is te kort. Gebruik minstens 12 tekens." in html
    assert 'aria-describedby="id_password1_helptext id_password1_error"' in html
    assert 'aria-invalid="true"' in html
    assert not get_user_model().objects.exists()


def test_registration_refuses_two_different_passwords(client):
    response = client.post(
        REGISTER,
        {
            "email": "an@zorggroep.be",
            "name": "An",
            "password1": PASSWORD,
            "password2": PASSWORD + "!",
        },
    )
    assert "De twee wachtwoorden verschillen" in response.content.decode()


def test_login_with_email_and_password_goes_to_the_dashboard(client):
    make_admin("an@zorggroep.be")
    response = log_in(client, email="AN@zorggroep.be")
    assert response["Location"] == DASHBOARD
    assert "Zorggroep Noord" in client.get(DASHBOARD).content.decode()


def test_login_page_is_dutch_and_labelled(client):
    html = client.get(LOGIN).content.decode()
    assert '<label for="id_username">E-mailadres</label>' in html
    assert '<label for="id_password">Wachtwoord</label>' in html
    assert 'href="/account/wachtwoord-vergeten/"' in html


def test_navigation_offers_login_or_my_organisation_and_a_logout_button(client):
    assert 'href="/account/inloggen/"' in client.get("/").content.decode()
    user, _ = make_admin()
    client.force_login(user)
    html = client.get("/").content.decode()
    assert 'href="/organisatie/">Mijn organisatie</a>' in html
    assert '<form method="post" action="/account/uitloggen/">' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_logout_is_a_post(client):
    user, _ = make_admin()
    client.force_login(user)
    assert client.get(LOGOUT).status_code == 405
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_five_failed_logins_lock_the_account_with_a_dutch_page(client):
    make_admin("an@zorggroep.be")
    for _attempt in range(4):
        response = log_in(client, password="fout wachtwoord nummer x")
        assert response.status_code == 200
    response = log_in(client, password="fout wachtwoord nummer x")
    assert response.status_code == 429
    # Locked: even the right password does not get in now.
    response = log_in(client)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Te veel pogingen" in html
    assert "Probeer het opnieuw over 60 minuten" in html
    assert "_auth_user_id" not in client.session


def test_dashboard_needs_a_login_and_then_an_organisation(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    client.force_login(make_user())
    assert client.get(DASHBOARD)["Location"] == CREATE


def test_organisation_form_says_what_is_missing_next_to_each_field(client):
    client.force_login(make_user())
    html = client.post(CREATE, {"name": "", "sector": "", "size_band": ""}).content.decode()
    assert "Vul de naam van je organisatie in." in html
    assert "Kies de sector waarin je organisatie vooral actief is." in html
    assert "Kies hoeveel mensen in je organisatie werken." in html
    assert "<legend>Aantal medewerkers</legend>" in html
    assert not Organisation.objects.exists()


def test_organisation_name_is_escaped_on_the_dashboard(client):
    user = make_user()
    make_organisation("<script>alert(1)</script>", admin=user)
    client.force_login(user)
    html = client.get(DASHBOARD).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert escape("<script>alert(1)</script>") in html


def test_forgotten_password_mails_a_link_that_sets_a_new_one(client):
    make_admin("an@zorggroep.be")
    response = client.post("/account/wachtwoord-vergeten/", {"email": "an@zorggroep.be"})
    assert response["Location"] == "/account/wachtwoord-vergeten/verstuurd/"
    link = link_in_last_mail("/account/wachtwoord/")
    form_page = client.get(link, follow=True)
    assert "Kies een wachtwoord" in form_page.content.decode()
    new = "een heel nieuw wachtwoord"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response["Location"] == DASHBOARD
    client.post(LOGOUT)
    assert log_in(client, password=new)["Location"] == DASHBOARD


def test_passwords_are_kept_as_argon2id_and_an_older_hash_becomes_one_at_login(client):
    user = make_user()
    assert user.password.startswith("argon2$argon2id$")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    assert log_in(client).status_code == 302

    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)
