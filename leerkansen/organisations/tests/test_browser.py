"""An HR professional registers and sets up the organisation in a real browser."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from leerkansen.testing import PASSWORD, assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_confirm_create_organisation_and_make_an_api_key(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, locale="nl-BE"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)

    # The start page's second start: an account for your organisation.
    page.goto("/")
    page.get_by_role("region", name="Ik wil dit voor mijn organisatie").get_by_role(
        "link", name="Maak een account"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maak een account")
    page.get_by_label("E-mailadres").fill("an@zorggroep.be")
    page.get_by_label("Je naam").fill("An Peeters")
    page.get_by_label("Wachtwoord", exact=True).fill("kort")
    page.get_by_label("Wachtwoord nog eens").fill("kort")
    page.get_by_role("button", name="Account maken").click()
    expect(page.get_by_role("alert")).to_contain_text("Dit wachtwoord is te kort")
    assert_no_axe_violations(page)

    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Wachtwoord nog eens").fill(PASSWORD)
    page.get_by_role("button", name="Account maken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kijk in je mailbox")

    link = re.search(r"https?://\S+/account/bevestigen/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Bevestig mijn adres").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voeg je organisatie toe")
    assert_no_axe_violations(page)

    page.get_by_label("Naam van je organisatie").fill("Zorggroep Noord")
    page.get_by_label("Sector").select_option(label="Gezondheidszorg en welzijn")
    # Keyboard only for the size question.
    page.get_by_label("50 tot 249").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Organisatie maken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zorggroep Noord")
    expect(page.get_by_role("status")).to_contain_text("Je organisatie staat klaar")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="API-sleutels beheren").click()
    page.get_by_label("Naam van de sleutel").fill("HR-systeem")
    page.get_by_role("button", name="Sleutel maken").click()
    expect(page.locator(".secret__value")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Intrekken HR-systeem").click()
    expect(page.get_by_role("status")).to_contain_text("werkt niet meer")

    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()
    context.close()
