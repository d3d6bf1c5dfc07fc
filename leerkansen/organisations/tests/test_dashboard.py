"""The organisation's page: the latest report one click away, a plain state without one, and
the API keys apart, under "Voor ontwikkelaars", after everything an HR user needs."""

import re

import pytest

from leerkansen.organisations.models import Organisation
from leerkansen.reports.services import create_report
from leerkansen.reports.tests import add_responses
from leerkansen.survey.services import new_assessment
from leerkansen.testing import BARE, make_admin

pytestmark = pytest.mark.django_db

DASHBOARD = "/organisatie/"


def answered_round(organisation: Organisation, title: str, responses: int = 5):
    assessment = new_assessment(organisation, roles=["medewerker"], title=title)
    add_responses(assessment, "medewerker", responses)
    return assessment


def page_of(client, user) -> str:
    client.force_login(user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode()


def headings(html: str) -> list[str]:
    return re.findall(r"<h2[^>]*>(.*?)</h2>", html)


def test_the_latest_report_is_one_click_away(client):
    an, organisation = make_admin(**BARE)
    old = create_report(answered_round(organisation, "Najaar 2025"))
    new = create_report(answered_round(organisation, "Voorjaar 2026", responses=6))

    html = page_of(client, an)

    assert headings(html)[0] == "Je laatste rapport"
    assert "Ronde “Voorjaar 2026”: 6 antwoorden, laatst bijgewerkt op" in html
    assert (
        f'<a class="button button--primary" href="/rapport/{new.code}/">Bekijk het rapport</a>'
        in (html)
    )
    assert f'href="/rapport/{new.code}/rapport.pdf"' in html
    assert old.code not in html
    # With a report of its own, the page does not point to the example.
    assert "/rapport/demo/" not in html


def test_a_round_without_a_report_yet_says_when_it_comes(client):
    an, organisation = make_admin(**BARE)
    answered_round(organisation, "Voorjaar 2026", responses=2)

    html = page_of(client, an)

    assert "Er is nog geen rapport: het verschijnt zodra 5 mensen van één groep" in html
    assert '<a class="button" href="/organisatie/rondes/">Naar de rondes</a>' in html
    assert 'href="/rapport/demo/"' in html


def test_without_any_round_the_page_starts_one(client):
    an, _organisation = make_admin(**BARE)

    html = page_of(client, an)

    assert "Er is nog geen rapport. Open een ronde en nodig je collega's uit" in html
    assert '<a class="button button--primary" href="/organisatie/rondes/">Naar de rondes</a>' in (
        html
    )
    assert "Zo ziet een rapport eruit: het voorbeeldrapport" in html


def test_another_organisations_report_is_never_the_latest(client):
    an, _alfa = make_admin("an@alfa.be", "Alfa Zorg", **BARE)
    _bo, bravo = make_admin("bo@bravo.be", "Bravo Bouw", **BARE)
    theirs = create_report(answered_round(bravo, "Ronde Bravo"))

    html = page_of(client, an)

    assert theirs.code not in html and "Ronde Bravo" not in html
    assert "Er is nog geen rapport. Open een ronde" in html


def test_api_keys_are_for_developers_after_everything_else(client):
    an, _organisation = make_admin(**BARE)

    html = page_of(client, an)

    assert headings(html)[-1] == "Voor ontwikkelaars"
    developers = html.split('id="ontwikkelaars-titel"')[1]
    before = html.split('id="ontwikkelaars-titel"')[0]
    assert "api-sleutels" not in before
    assert '<a href="/organisatie/api-sleutels/">API-sleutels beheren</a>' in developers
    assert 'href="/api/v1/docs"' in developers
    keys = client.get("/organisatie/api-sleutels/").content.decode()
    assert '<a href="/organisatie/#ontwikkelaars">Zorggroep Noord: voor ontwikkelaars</a>' in keys
