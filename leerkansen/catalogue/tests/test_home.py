"""The start page: the two starts side by side (answer with a link; an account for your
organisation) and the example report one click away."""

import re

import pytest
from django.utils.html import escape

from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.testing import BARE, make_admin

pytestmark = pytest.mark.django_db


def sections(html: str) -> dict[str, str]:
    """Each start's text by its heading."""
    found = re.findall(
        r'<section class="start"[^>]*>\s*<h2[^>]*>(.*?)</h2>(.*?)</section>', html, re.S
    )
    return dict(found)


def test_home_offers_the_two_starts_and_the_example_report(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert "Leerkansen helpt HR-professionals" in html
    starts = sections(html)
    assert list(starts) == ["Ik kreeg een link", "Ik wil dit voor mijn organisatie"]
    link, organisation = starts.values()
    assert "Open de link uit je uitnodiging" in link and "Je hebt geen account nodig" in link
    # The questionnaire's own promise, word for word.
    assert escape(get_questionnaire().anonymity_note) in link
    assert 'href="/account/registreren/">Maak een account</a>' in organisation
    assert 'href="/account/inloggen/">Ik heb al een account</a>' in organisation
    assert "Een top 3 van acties" in organisation
    assert "zodra 5 van hen hun antwoorden verstuurd hebben" in organisation
    assert '<a class="button" href="/rapport/demo/">Bekijk het voorbeeldrapport</a>' in html
    assert 'href="/acties/"' in html


def test_a_logged_in_admin_goes_on_to_their_organisation(client):
    user, _organisation = make_admin(**BARE)
    client.force_login(user)

    organisation = sections(client.get("/").content.decode())["Ik wil dit voor mijn organisatie"]

    assert 'href="/organisatie/">Naar je organisatie</a>' in organisation
    assert "/account/registreren/" not in organisation


def test_the_threshold_in_the_promise_follows_the_setting(client, settings):
    settings.ANONYMITY_THRESHOLD = 7

    html = client.get("/").content.decode()

    assert "zodra 7 van hen hun antwoorden verstuurd hebben" in html
