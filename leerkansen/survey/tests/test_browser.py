"""The questionnaire in a real browser on a phone: invited, answer, close midway, resume, send;
and the admin's round pages."""

import re
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.content.questionnaire_pages import questionnaire_pages
from leerkansen.organisations.models import Organisation
from leerkansen.reports.models import Report
from leerkansen.reports.tests import add_responses, full_answers
from leerkansen.survey.models import Assessment
from leerkansen.survey.tests import link, make_invitation
from leerkansen.testing import BARE, assert_no_axe_violations, make_admin, make_round

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser, live_server):
    """A fresh browser profile at phone size; closed at the end unless the test closed it."""
    contexts = []

    def open_context(javascript: bool = True):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=PHONE,
            locale="nl-BE",
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_context
    for context in contexts:
        context.close()  # a no-op for a context the test closed itself


def assert_no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways at 360 px ({width} px)"


@pytest.fixture
def organisation(transactional_db):
    return Organisation.objects.create(name="Zorggroep Noord")


@pytest.fixture
def invitation_link(organisation):
    """A personal link to a round the admin opened (made through the services)."""
    assessment = make_round(organisation, roles=["hr", "medewerker"])
    return link(make_invitation(assessment, "hr")[1])


def start(page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Over je organisatie")
    assert "/uitnodiging/" not in page.url


def item(page, item_id: str):
    return page.locator(f"#vraag-{item_id}")


def answer_section_a(page) -> None:
    page.get_by_label("In welke sector is je organisatie vooral actief?").select_option(
        label="Gezondheidszorg en welzijn"
    )
    item(page, "A_size").get_by_label("50 tot 249").check()
    item(page, "A_sites").get_by_label("2 tot 3").check()
    for item_id in ("A_away_from_manager", "A_alone", "A_telework"):
        item(page, item_id).get_by_label("Weet niet").check()
    item(page, "A_hr_capacity").get_by_label("Minder dan één voltijdse job").check()
    item(page, "A_training_plan").get_by_label("In opmaak").check()


def test_invited_person_answers_closes_the_browser_midway_resumes_and_sends(
    phone, browser, live_server, organisation, invitation_link, browser_login
):
    # Four HR colleagues sent their answers already: this person's is the group's fifth,
    # which makes the report (a round's report waits for a group of k = 5 responses).
    # They share this person's largest need (challenge 3, chosen on the needs page below).
    add_responses(
        Assessment.objects.get(),
        "hr",
        settings.ANONYMITY_THRESHOLD - 1,
        lambda _i: full_answers(needs=(3, 4, 9)),
    )
    page = phone()
    start(page, invitation_link)
    # HR's version: A, five pages of statements, three of practices, D, E, the overview.
    expect(page.get_by_role("progressbar", name="Stap 1 van 12")).to_be_visible()
    expect(page.get_by_text("Bewaar deze link: zo kan je later verder")).to_be_visible()
    resume_url = page.get_by_role(
        "textbox", name="Bewaar deze link: zo kan je later verder"
    ).input_value()
    # The resume token, then the personal link's token (so that sending from another browser
    # still uses up the personal link).
    assert re.search(r"/vragenlijst/hervat/[\w-]{40,}\.[\w-]{43}/$", resume_url)
    assert_no_sideways_scroll(page)

    answer_section_a(page)
    page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitdagingen (1 van 5)")
    expect(page.get_by_text("Je antwoorden zijn bewaard.")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Stap 2 van 12")).to_be_visible()
    assert_no_sideways_scroll(page)

    # Part of B, saved on change; then the phone's browser is closed.
    item(page, "B1_1").get_by_label("Helemaal eens", exact=True).check()
    item(page, "B1_6").get_by_label("Eens", exact=True).check()
    item(page, "B1_3").get_by_label("Weet niet").check()
    expect(page.locator(".autosave-status")).to_have_text("Bewaard")
    page.context.close()

    # Later, another browser with the saved link.
    page = phone()
    page.goto(resume_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitdagingen (1 van 5)")
    assert "/hervat/" not in page.url
    expect(item(page, "B1_1").get_by_label("Helemaal eens", exact=True)).to_be_checked()
    expect(item(page, "B1_6").get_by_label("Eens", exact=True)).to_be_checked()
    expect(item(page, "B1_3").get_by_label("Weet niet")).to_be_checked()
    expect(item(page, "B1_7").get_by_label("Eens", exact=True)).not_to_be_checked()

    page.get_by_role("button", name="Vorige").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Over je organisatie")
    expect(item(page, "A_size").get_by_label("50 tot 249")).to_be_checked()
    expect(page.get_by_label("In welke sector is je organisatie vooral actief?")).to_have_value("Q")
    page.get_by_role("button", name="Volgende").click()

    # The rest of the statements, page by page: "Eens" everywhere still open.
    pages = questionnaire_pages("hr")
    for section in pages.sections:
        if section.kind != "diagnostic":
            continue
        expect(page.get_by_role("heading", level=1)).to_have_text(section.title)
        for b_item in pages.items(section.id):
            if b_item.id not in ("B1_1", "B1_6", "B1_3"):
                item(page, b_item.id).get_by_label("Eens", exact=True).check()
        page.get_by_role("button", name="Volgende").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Wat doen jullie al? (1 van 3)")
    page.locator("#id_C_1_1").select_option("al")
    page.get_by_role("button", name="Volgende").click()
    for number in (2, 3):
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Wat doen jullie al? ({number} van 3)"
        )
        page.get_by_role("button", name="Volgende").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Jullie grootste noden")
    needs = page.locator("select.item__select")
    for index, number in enumerate(("3", "1", "9")):
        needs.nth(index).select_option(number)
    item(page, "D_1_urgency").get_by_label("Heel dringend").check()
    page.get_by_role("button", name="Volgende").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Leren vandaag")
    for e_item in pages.items("E"):
        if e_item.scale == "text":
            page.get_by_label(e_item.text).fill("Meer tijd om van elkaar te leren.")
        else:
            item(page, e_item.id).get_by_label("Oneens", exact=True).check()
    page.get_by_role("button", name="Volgende").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Overzicht")
    expect(page.get_by_text("Elke vraag heeft een antwoord.")).to_be_visible()
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Verstuur je antwoorden").click()
    # The respondent is thanked; the report is the admin's.
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor je antwoorden")
    assert urlparse(page.url).path == "/vragenlijst/bedankt/"
    assert_no_sideways_scroll(page)

    # The admin finds the report from the round page.
    admin = phone()
    admin_user, _ = make_admin("hr@linde.be", organisation=organisation, **BARE)
    browser_login(admin.context, admin_user)
    assessment = Assessment.objects.get()
    admin.goto(f"/organisatie/rondes/{assessment.code}/")
    # One invited HR person and four who answered otherwise: HR's counts show from 5.
    expect(
        admin.get_by_text("Persoonlijk uitgenodigd: 1 · Begonnen: 5 · Verstuurd: 5")
    ).to_be_visible()
    admin.get_by_role("link", name="Bekijk het rapport").click()
    admin.wait_for_url(re.compile(r"/rapport/"))
    expect(admin.get_by_text("Zorggroep Noord").first).to_be_visible()
    read_report_and_download_the_pdf(admin)


def read_report_and_download_the_pdf(page) -> None:
    """The report follows from the answers; the catalogue expands; the PDF has the top 3."""
    report = Report.objects.get(code=urlparse(page.url).path.split("/")[2])
    catalogue = get_catalogue()
    titles = [catalogue.action(item["action"]).title for item in report.top3]
    assert len(titles) == 3
    # 1.1 was marked "Hebben we al": neither it nor its twin 2.2 is advised.
    assert "2.2" not in [item["action"] for item in report.top3]
    assert "1.1" not in [item["action"] for item in report.top3]
    top3 = page.locator(".top3-card h3")
    for index, title in enumerate(titles):
        expect(top3.nth(index)).to_contain_text(title)

    section = page.locator("#alle-acties-5")
    expect(section.get_by_text(catalogue.action("5.1").title, exact=True)).to_be_hidden()
    section.locator("summary").click()
    expect(section.get_by_text(catalogue.action("5.1").title, exact=True)).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download als PDF").click()
    pdf = PdfReader(download.value.path())
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    for title in titles:
        assert title in text


def test_without_javascript_the_buttons_save_and_go_back_and_forth(phone, invitation_link):
    page = phone(javascript=False)
    start(page, invitation_link)
    # The copy button needs JavaScript, so it stays hidden; the link itself is there.
    expect(page.get_by_role("button", name="Kopieer de link")).to_be_hidden()
    page.get_by_role("button", name="Volgende").click()
    item(page, "B1_1").get_by_label("Oneens", exact=True).check()
    page.get_by_role("button", name="Vorige").click()
    expect(page.get_by_text("Je antwoorden zijn bewaard.")).to_be_visible()
    page.get_by_role("button", name="Volgende").click()
    expect(item(page, "B1_1").get_by_label("Oneens", exact=True)).to_be_checked()


def test_a_wrong_need_shows_its_message_next_to_the_field(phone, invitation_link):
    page = phone()
    start(page, invitation_link)
    page.goto("/vragenlijst/stap/D/")
    needs = page.locator("select.item__select")
    needs.nth(0).select_option("4")
    needs.nth(1).select_option("4")
    page.get_by_role("button", name="Volgende").click()
    select = page.get_by_label("Welke uitdaging komt op de tweede plaats?")
    expect(select).to_have_accessible_description(re.compile("Deze uitdaging koos je al"))
    expect(select).to_have_value("4")
    expect(page.get_by_role("alert")).to_contain_text("Kijk 1 antwoord na")
    assert_no_sideways_scroll(page)


PAGES = ["start"] + [f"stap/{s.id}" for s in get_questionnaire().sections] + ["overzicht"]


@pytest.mark.parametrize("path", PAGES)
def test_questionnaire_pages_have_no_axe_violations_and_fit_a_phone(phone, path, invitation_link):
    page = phone()
    if path == "start":
        page.goto("/vragenlijst/")
    else:
        start(page, invitation_link)
        page.goto(f"/vragenlijst/{path}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_axe_violations(page)
    assert_no_sideways_scroll(page)


def test_an_admin_opens_a_round_and_invites_on_a_phone(
    phone, live_server, organisation, browser_login
):
    page = phone()
    admin_user, _ = make_admin("hr@linde.be", organisation=organisation, **BARE)
    browser_login(page.context, admin_user)
    page.goto("/organisatie/rondes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rondes")
    assert_no_axe_violations(page)
    assert_no_sideways_scroll(page)
    page.get_by_label("Medewerker").check()
    page.get_by_label("Leidinggevende").check()
    page.get_by_label("Titel (niet verplicht)").fill("Voorjaar 2027")
    page.get_by_role("button", name="Open de ronde").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Nodig mensen uit")
    expect(page.get_by_text("Je ronde is open.")).to_be_visible()
    assert_no_axe_violations(page)
    assert_no_sideways_scroll(page)
    page.get_by_role("group", name="Ze antwoorden als").get_by_label("Medewerker").check()
    page.get_by_label("E-mailadressen").fill("an@noord.be\nbert@noord.be")
    page.get_by_role("button", name="Verstuur de uitnodigingen").click()
    expect(page.get_by_text("2 uitnodigingen verstuurd.")).to_be_visible()
    assert sorted(m.to[0] for m in mail.outbox) == ["an@noord.be", "bert@noord.be"]

    page.get_by_role("button", name="Maak een link voor Leidinggevende").click()
    shared = page.get_by_label("Gedeelde link voor Leidinggevende")
    expect(shared).to_have_value(re.compile(r"/vragenlijst/uitnodiging/[\w-]{43}/$"))
    expect(page.get_by_role("button", name="Kopieer de link")).to_be_visible()
    assert_no_sideways_scroll(page)

    page.get_by_role("link", name="Voorjaar 2027").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voorjaar 2027")
    expect(
        page.get_by_text(
            "Persoonlijk uitgenodigd: 2 · Begonnen: minder dan 5 · Verstuurd: minder dan 5"
        )
    ).to_be_visible()
    assert_no_axe_violations(page)
    assert_no_sideways_scroll(page)


def test_a_bad_link_gets_a_dutch_page_that_fits_a_phone(phone, transactional_db):
    page = phone()
    page.goto("/vragenlijst/uitnodiging/geen-echte-link/")
    expect(page.get_by_role("heading", level=1)).to_have_text("We vinden deze link niet")
    assert_no_axe_violations(page)
    assert_no_sideways_scroll(page)


def test_an_expired_session_keeps_the_page_until_the_link_is_opened_again(phone, invitation_link):
    page = phone()
    start(page, invitation_link)
    resume_url = page.get_by_role(
        "textbox", name="Bewaar deze link: zo kan je later verder"
    ).input_value()
    page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitdagingen (1 van 5)")
    # The session ends while the page is open (the CSRF cookie stays, as in a real browser).
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    item(page, "B1_1").get_by_label("Helemaal eens", exact=True).check()
    item(page, "B1_6").get_by_label("Weet niet").check()
    # Saving on change fails visibly; the button keeps the page for later.
    expect(page.locator(".autosave-status")).to_contain_text("Nog niet bewaard")
    page.get_by_role("button", name="Volgende").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Je antwoorden staan klaar")
    expect(
        page.get_by_text("Je sessie is verlopen. Open je persoonlijke link opnieuw")
    ).to_be_visible()
    assert_no_axe_violations(page)
    assert_no_sideways_scroll(page)

    page.goto(resume_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitdagingen (1 van 5)")
    expect(
        page.get_by_text("De antwoorden die je gaf voor je sessie verliep, zijn bewaard.")
    ).to_be_visible()
    expect(item(page, "B1_1").get_by_label("Helemaal eens", exact=True)).to_be_checked()
    expect(item(page, "B1_6").get_by_label("Weet niet")).to_be_checked()
