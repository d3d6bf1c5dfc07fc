"""The report in a real browser: readable, accessible, expandable, downloadable."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from leerkansen.content.catalogue import get_catalogue
from leerkansen.testing import assert_no_axe_violations

from . import close_and_publish, full_answers, make_answered_round, make_member, make_report

pytestmark = pytest.mark.browser


def log_in_as_member(context, report, live_server) -> None:
    """Give the browser the session of an admin of the report's organisation."""
    client = Client()
    client.force_login(make_member(report.assessment.organisation))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


def test_report_is_accessible_expands_and_downloads_as_pdf(page, live_server, transactional_db):
    report = make_report(answers={"C_1_1": "al"})
    log_in_as_member(page.context, report, live_server)
    page.goto(f"/rapport/{report.code}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Zorggroep De Linde")
    expect(page.get_by_role("heading", name=report.profile["name"])).to_be_visible()
    expect(page.get_by_role("img", name="Hoe zwaar elke uitdaging weegt")).to_be_visible()
    first = get_catalogue().action(report.top3[0]["action"])
    expect(page.locator("#top-3").get_by_role("heading", name=first.title)).to_be_visible()
    assert_no_axe_violations(page)

    # "Alle acties": collapsed per challenge, opened with one click.
    action = page.locator("#actie-1-1")
    expect(action).to_be_hidden()
    page.locator("#alle-acties-1 summary").click()
    expect(action).to_be_visible()
    expect(action.get_by_text("Hebben we al")).to_be_visible()
    expect(action.get_by_text("HIGHLIGHT", exact=True)).to_be_visible()
    assert_no_axe_violations(page)

    link = page.get_by_role("link", name="Download als PDF")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("leerkansen-rapport-zorggroep-de-linde-")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_report_prints_with_every_section_open(page, live_server, transactional_db):
    report = make_report()
    log_in_as_member(page.context, report, live_server)
    page.goto(f"/rapport/{report.code}/")
    action = page.locator("#actie-9-1")
    expect(action).to_be_hidden()
    page.emulate_media(media="print")
    expect(action).to_be_visible()
    expect(page.get_by_role("link", name="Download als PDF")).to_be_hidden()


def test_report_fits_a_phone(browser, live_server, transactional_db):
    report = make_report()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, locale="nl-BE"
    )
    log_in_as_member(context, report, live_server)
    page = context.new_page()
    page.goto(f"/rapport/{report.code}/")
    page.locator("#alle-acties-4 summary").click()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"page scrolls sideways at 360 px ({scroll_width} px)"
    chart_width = page.locator("svg.chart").bounding_box()["width"]
    assert chart_width <= 360
    context.close()


def test_report_of_several_respondents_is_accessible_and_fits_a_phone(
    browser, live_server, transactional_db
):
    def answers(index):
        return full_answers({"E_open": f"Een langer open antwoord van iemand, nummer {index}."})

    # Roles are compared in a closed round's final report.
    report = close_and_publish(
        make_answered_round(
            {"medewerker": 6, "hr": 5, "leidinggevende": 1},
            answers={"medewerker": answers, "hr": answers},
        )
    )
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, locale="nl-BE"
    )
    log_in_as_member(context, report, live_server)
    page = context.new_page()
    page.goto(f"/rapport/{report.code}/")

    roles = page.locator("#per-rol")
    expect(roles.get_by_role("heading", name="Wie antwoordde")).to_be_visible()
    # HR and the employees apart; the one manager counts in no figure.
    challenges = roles.get_by_role("list", name="Scores per uitdaging")
    first = challenges.locator(".comparison__row").first
    expect(first.locator(".comparison__scores li")).to_have_text(
        ["Iedereen 100", "HR of opleiding 100", "Medewerkers 100"]
    )
    expect(roles.get_by_text("Niet meegeteld in de cijfers", exact=False)).to_be_visible()
    expect(page.locator("#open-antwoorden li")).to_have_count(11)
    # Nothing of these parts makes the page wider than the phone: the comparison is a list
    # that wraps. (The page as a whole is checked in test_report_fits_a_phone.)
    for part in ("#per-rol", ".comparison", "#open-antwoorden"):
        right = page.locator(part).evaluate("e => e.getBoundingClientRect().right")
        assert right <= 360, f"{part} reaches {right} px at 360 px"
    assert_no_axe_violations(page)
    context.close()
