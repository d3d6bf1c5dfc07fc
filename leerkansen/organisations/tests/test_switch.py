"""A member of several organisations switches between them: a POST with its CSRF token, only
to an organisation of their own; anyone else's is a 404 that names nothing."""

import re

import pytest
from django.test import Client

from leerkansen.organisations.models import Membership
from leerkansen.survey.services import new_assessment
from leerkansen.testing import BARE, make_admin, make_organisation

pytestmark = pytest.mark.django_db

DASHBOARD = "/organisatie/"
SWITCH = "/organisatie/wisselen/"


@pytest.fixture
def an(client):
    """An, admin of Alfa Zorg (first) and of Bravo Bouw, logged in."""
    user, alfa = make_admin("an@alfa.be", "Alfa Zorg", **BARE)
    bravo = make_organisation("Bravo Bouw", sector="F", size_band="10_19")
    Membership.objects.create(user=user, organisation=bravo)
    client.force_login(user)
    client.alfa, client.bravo, client.user = alfa, bravo, user
    return client


def without_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def h1(response) -> str:
    html = response.content.decode()
    return html.split("<h1>")[1].split("</h1>")[0]


def test_a_member_of_two_switches_to_the_other_and_works_there(an):
    page = an.get(DASHBOARD).content.decode()
    assert h1(an.get(DASHBOARD)) == "Alfa Zorg"
    assert "Je bent beheerder van 2 organisaties. Je werkt nu in deze." in page
    assert '<label for="andere-organisatie">Werk in een andere organisatie</label>' in page
    assert f'<option value="{an.bravo.code}">Bravo Bouw</option>' in page
    assert f'<option value="{an.alfa.code}">' not in page

    switched = an.post(SWITCH, {"organisatie": an.bravo.code}, follow=True)

    assert switched.redirect_chain == [(DASHBOARD, 302)]
    assert h1(switched) == "Bravo Bouw"
    assert "Je werkt nu in Bravo Bouw." in switched.content.decode()
    # The other pages follow: a round opened now belongs to Bravo Bouw.
    round_ = new_assessment(an.bravo, roles=["medewerker"], title="Ronde van Bravo")
    assert an.get(f"/organisatie/rondes/{round_.code}/").status_code == 200
    back = an.post(SWITCH, {"organisatie": an.alfa.code}, follow=True)
    assert h1(back) == "Alfa Zorg"
    assert an.get(f"/organisatie/rondes/{round_.code}/").status_code == 404


def test_an_organisation_of_someone_else_is_a_404_that_names_nothing(an):
    _cas, charlie = make_admin("cas@charlie.be", "Charlie Chemie", **BARE)

    refused = an.post(SWITCH, {"organisatie": charlie.code})
    unknown = an.post(SWITCH, {"organisatie": "bestaat-niet"})

    assert refused.status_code == unknown.status_code == 404
    assert "Charlie Chemie" not in refused.content.decode()
    # The same page either way (but for the log-out form's CSRF token).
    assert without_token(refused) == without_token(unknown)
    page = an.get(DASHBOARD).content.decode()
    assert h1(an.get(DASHBOARD)) == "Alfa Zorg"
    assert "Charlie Chemie" not in page


def test_the_switch_is_a_post_with_its_csrf_token(an):
    assert an.get(SWITCH).status_code == 405
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(an.user)

    assert forged.post(SWITCH, {"organisatie": an.bravo.code}).status_code == 403
    assert h1(forged.get(DASHBOARD)) == "Alfa Zorg"


def test_an_empty_choice_asks_for_one(an):
    response = an.post(SWITCH, {}, follow=True)

    assert h1(response) == "Alfa Zorg"
    assert "Kies de organisatie waarin je wilt werken." in response.content.decode()


def test_a_member_of_one_organisation_sees_no_switch(client):
    user, _organisation = make_admin(**BARE)
    client.force_login(user)

    page = client.get(DASHBOARD).content.decode()

    assert "andere-organisatie" not in page and SWITCH not in page


def test_after_leaving_the_chosen_organisation_the_user_works_in_their_other_one(an):
    assert h1(an.post(SWITCH, {"organisatie": an.bravo.code}, follow=True)) == "Bravo Bouw"
    Membership.objects.filter(user=an.user, organisation=an.bravo).delete()

    response = an.get(DASHBOARD)

    assert h1(response) == "Alfa Zorg"
    assert "Bravo Bouw" not in response.content.decode()
