"""The action menu in a real browser, as an HR professional uses it."""

import pytest
from playwright.sync_api import expect

from leerkansen.testing import assert_no_axe_violations

pytestmark = pytest.mark.browser


def test_search_expand_follow_related_and_print(page):
    page.goto("/acties/")
    page.get_by_label("Zoeken").fill("reflectiemoment")
    page.get_by_role("button", name="Toon acties").click()
    expect(page.get_by_role("status")).to_contain_text("acties gevonden")

    action = page.locator("#actie-1-1")
    tips_heading = action.get_by_text("Wat je kan doen – inspiratie voor de praktijk")
    expect(tips_heading).to_be_hidden()
    action.locator("summary").click()
    expect(tips_heading).to_be_visible()
    expect(action.get_by_text("HIGHLIGHT", exact=True)).to_be_visible()

    action.get_by_role("link", name="Actie 2.2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2.2")
    assert page.url.endswith("/acties/2.2/")

    # The print view: navigation and buttons leave, the action and all its tips stay.
    print_button = page.get_by_role("button", name="Deze actie afdrukken")
    expect(print_button).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".tip").first).to_be_visible()


def test_action_menu_works_at_phone_width(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, locale="nl-BE"
    )
    page = context.new_page()
    page.goto("/acties/?uitdaging=4")
    expect(page.locator("details.action")).to_have_count(7)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"page scrolls sideways at 360 px ({scroll_width} px)"
    context.close()


def test_empty_search_offers_the_way_back(page):
    page.goto("/acties/?q=xylofoonorkest")
    expect(page.get_by_role("heading", name="Geen acties gevonden")).to_be_visible()
    page.get_by_role("link", name="Toon alle acties").click()
    expect(page.locator("details.action")).to_have_count(48)


@pytest.mark.parametrize("path", ["/", "/acties/", "/acties/?q=coach", "/acties/1.2/"])
def test_pages_have_no_axe_violations(page, path):
    page.goto(path)
    if path == "/acties/":
        page.locator("#actie-1-2 summary").click()
    assert_no_axe_violations(page)
