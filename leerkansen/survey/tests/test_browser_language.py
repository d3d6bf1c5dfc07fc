"""A French-speaking employee answers the whole questionnaire in French on a phone (issue 17):
her browser's language decides, every page is French, accessible and fits the screen; and the
language switch works without JavaScript."""

import pytest

from leerkansen.content.questionnaire_pages import questionnaire_pages
from leerkansen.content.questionnaire_translations import questionnaire_in
from leerkansen.survey.models import Response
from leerkansen.survey.services import answers_of
from leerkansen.survey.tests import link, make_invitation
from leerkansen.testing import assert_no_axe_violations, make_round

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def french_phone(browser, live_server):
    """A phone whose browser speaks Belgian French."""
    context = browser.new_context(base_url=live_server.url, locale="fr-BE", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def check_page(page) -> None:
    assert page.locator("html").get_attribute("lang") == "fr"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways at 390 px ({width} px)"
    assert_no_axe_violations(page)


def test_a_french_speaking_employee_answers_everything_in_french_on_a_phone(
    french_phone, transactional_db
):
    page = french_phone
    assessment = make_round(roles=("hr", "medewerker"))
    page.goto(link(make_invitation(assessment, "medewerker")[1]))
    french = questionnaire_pages("medewerker", "fr")
    # The French label of 4 on the agreement scale ("D'accord").
    agree = french.scales.agreement[3].label
    assert page.url.endswith("/vragenlijst/stap/B/")
    # The switch is there, French chosen.
    assert page.get_by_role("button", name="Français").get_attribute("aria-pressed") == "true"
    check_page(page)

    for number, section in enumerate(french.sections, start=1):
        assert page.locator("h1").inner_text() == section.title
        assert f"Étape {number} sur {len(french.sections) + 1}" in page.inner_text("main")
        if number > 1:
            check_page(page)
        for item in french.items(section.id):
            row = page.locator(f"#vraag-{item.id}")
            assert item.text in row.inner_text()
            if item.scale == "text":
                row.get_by_role("textbox").fill("Plus de temps pour apprendre ensemble.")
            else:
                row.get_by_label(agree, exact=True).check()
        page.get_by_role("button", name="Suivant").click()

    assert page.url.endswith("/vragenlijst/overzicht/")
    assert page.locator("h1").inner_text() == "Aperçu"
    assert "Chaque question a une réponse. Merci\u00a0!" in page.inner_text("main")
    check_page(page)
    page.get_by_role("button", name="Envoyer vos réponses").click()

    assert page.url.endswith("/vragenlijst/bedankt/")
    assert page.locator("h1").inner_text() == "Merci pour vos réponses"
    check_page(page)

    response = Response.objects.get(assessment=assessment)
    assert response.is_completed and response.language == "fr"
    # Stored as codes and numbers: agreeing is 4, whatever the language.
    answers = answers_of(response)
    statements = [i.id for i in questionnaire_in("fr", "medewerker").items() if i.scale]
    assert {answers[i] for i in statements if i != "E_open"} == {4}
    assert answers["E_open"] == "Plus de temps pour apprendre ensemble."


def test_the_language_switch_works_without_javascript(browser, live_server, transactional_db):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-BE", viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        assessment = make_round(roles=("medewerker",))
        page.goto(link(make_invitation(assessment, "medewerker")[1]))
        page.get_by_role("button", name="English").click()
        assert page.url.endswith("/vragenlijst/stap/B/")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("button", name="Next").is_visible()
        english = questionnaire_in("en", "medewerker")
        assert english.item("B1_6").text in page.inner_text("main")
        page.get_by_role("button", name="Nederlands").click()
        assert page.locator("html").get_attribute("lang") == "nl"
        assert page.get_by_role("button", name="Volgende").is_visible()
        assert Response.objects.get(assessment=assessment).language == "nl"
    finally:
        context.close()


def test_hr_chooses_the_mail_language_on_a_phone_and_the_page_stays_dutch(
    browser, live_server, browser_login, transactional_db
):
    from django.core import mail

    from leerkansen.testing import make_admin

    user, organisation = make_admin()
    assessment = make_round(organisation, roles=("medewerker",))
    # A French browser: HR's pages stay Dutch all the same.
    context = browser.new_context(base_url=live_server.url, locale="fr-BE", viewport=PHONE)
    browser_login(context, user)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"/organisatie/rondes/{assessment.code}/uitnodigen/")
        assert page.locator("html").get_attribute("lang") == "nl"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_no_axe_violations(page)
        page.get_by_label("E-mailadressen").fill("chloe@linde.be")
        page.get_by_label("Taal van de e-mail").select_option("fr")
        page.get_by_role("button", name="Verstuur de uitnodigingen").click()
        # No group chosen: refused, and the language chosen is kept.
        page.get_by_text("Kijk dit even na").wait_for()
        assert page.get_by_label("Taal van de e-mail").input_value() == "fr"
        assert not mail.outbox
        page.get_by_label("Medewerker").check()
        page.get_by_role("button", name="Verstuur de uitnodigingen").click()
        page.get_by_text("1 uitnodiging verstuurd.").wait_for()
        assert page.locator("html").get_attribute("lang") == "nl"
        (message,) = mail.outbox
        assert message.body.startswith("Bonjour,")
    finally:
        context.close()
