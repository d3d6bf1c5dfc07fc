"""Each role's version on a 390 px phone: no page taller than about eight screens, no axe
violations, and an employee never meets the organisation's facts (issue 14)."""

import pytest

from leerkansen.content.questionnaire import ROLES
from leerkansen.content.questionnaire_pages import questionnaire_pages
from leerkansen.survey.tests import link, make_invitation
from leerkansen.testing import assert_no_axe_violations, make_round

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MAX_SCREENS = 8


@pytest.fixture
def phone(page):
    """The suite's browser page, at the size of a common phone."""
    page.set_viewport_size(PHONE)
    return page


@pytest.mark.parametrize("role", ROLES)
def test_no_page_of_a_version_is_taller_than_eight_phone_screens(phone, transactional_db, role):
    assessment = make_round(roles=ROLES)
    phone.goto(link(make_invitation(assessment, role)[1]))
    version = questionnaire_pages(role)
    heights = {}
    for section in version.sections:
        phone.goto(f"/vragenlijst/stap/{section.id}/")
        assert phone.locator("h1").inner_text() == section.title
        heights[section.id] = phone.evaluate("document.documentElement.scrollHeight")
        assert_no_axe_violations(phone)
    phone.goto("/vragenlijst/overzicht/")
    heights["overzicht"] = phone.evaluate("document.documentElement.scrollHeight")
    assert_no_axe_violations(phone)
    too_tall = {page: px for page, px in heights.items() if px > MAX_SCREENS * PHONE["height"]}
    assert not too_tall, f"{role}: taller than {MAX_SCREENS} screens: {too_tall}"


def test_an_employee_on_a_phone_meets_no_organisational_facts(phone, transactional_db):
    assessment = make_round(roles=ROLES)
    phone.goto(link(make_invitation(assessment, "medewerker")[1]))
    # The link starts at the statements: no context step, no role question.
    assert phone.url.endswith("/vragenlijst/stap/B/")
    for section_id in ("B", "B2", "B3", "E"):
        phone.goto(f"/vragenlijst/stap/{section_id}/")
        text = phone.locator("main").inner_text()
        for words in ("sector", "opleidingsplan", "Wat is jouw rol", "budget", "Hebben we al"):
            assert words not in text, (section_id, words)
    assert phone.goto("/vragenlijst/stap/A/").status == 404
    assert phone.goto("/vragenlijst/stap/C/").status == 404
