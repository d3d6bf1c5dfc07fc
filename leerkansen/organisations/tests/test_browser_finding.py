"""Finding the way in a real browser on a 390 px phone: the start page's two starts, the
organisation page's latest report and the switch between organisations, by keyboard."""

import pytest
from playwright.sync_api import expect

from leerkansen.organisations.models import Membership
from leerkansen.reports.services import create_report
from leerkansen.reports.tests import add_responses
from leerkansen.survey.services import new_assessment
from leerkansen.testing import BARE, assert_no_axe_violations, make_admin, make_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def assert_fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways at 390 px ({width} px)"


def test_the_start_page_shows_both_starts_on_a_phone(phone):
    phone.goto("/")

    expect(phone.get_by_role("heading", name="Ik kreeg een link")).to_be_visible()
    expect(phone.get_by_role("heading", name="Ik wil dit voor mijn organisatie")).to_be_visible()
    expect(phone.get_by_role("link", name="Bekijk het voorbeeldrapport")).to_have_attribute(
        "href", "/rapport/demo/"
    )
    assert_fits(phone)
    assert_no_axe_violations(phone)

    # By keyboard from the top of the page to the account start.
    for _ in range(30):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.textContent.trim()") == "Maak een account":
            break
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Maak een account")


def test_an_admin_of_two_switches_by_keyboard_and_opens_the_latest_report(phone, browser_login):
    user, alfa = make_admin("an@alfa.be", "Alfa Zorg", **BARE)
    bravo = make_organisation("Bravo Bouw", sector="F", size_band="10_19")
    Membership.objects.create(user=user, organisation=bravo)
    assessment = new_assessment(bravo, roles=["medewerker"], title="Voorjaar 2026")
    add_responses(assessment, "medewerker", 5)
    report = create_report(assessment)
    browser_login(phone.context, user)

    phone.goto("/organisatie/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Alfa Zorg")
    expect(phone.get_by_text("Er is nog geen rapport. Open een ronde")).to_be_visible()
    assert_fits(phone)
    assert_no_axe_violations(phone)

    phone.get_by_label("Werk in een andere organisatie").focus()
    phone.keyboard.press("Tab")
    expect(phone.get_by_role("button", name="Wissel")).to_be_focused()
    phone.keyboard.press("Enter")

    expect(phone.get_by_role("heading", level=1)).to_have_text("Bravo Bouw")
    expect(phone.get_by_role("status")).to_have_text("Je werkt nu in Bravo Bouw.")
    assert_fits(phone)
    assert_no_axe_violations(phone)
    phone.get_by_role("link", name="Bekijk het rapport").click()
    phone.wait_for_url(f"**/rapport/{report.code}/")
    assert alfa.name not in phone.content()
