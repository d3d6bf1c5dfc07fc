"""The comparison in a real browser: the report's section and the organisation's choice, at
1366 and 390 px, with axe and without sideways scrolling."""

import pytest
from playwright.sync_api import expect

from leerkansen.benchmarks.services import compute_benchmarks
from leerkansen.reports.tests.test_browser import log_in_as_member
from leerkansen.testing import assert_no_axe_violations

from . import contributors
from .test_report import SENTENCE, published_round

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1366, 390])
def test_the_comparison_reads_well_and_accessibly(browser, live_server, transactional_db, width):
    contributors([40.0 + i for i in range(10)])
    compute_benchmarks()
    report = published_round()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, locale="nl-BE"
    )
    log_in_as_member(context, report, live_server)
    page = context.new_page()
    page.goto(f"/rapport/{report.code}/")

    section = page.locator("#vergelijking")
    expect(
        section.get_by_role("heading", name="Vergeleken met gelijkaardige organisaties")
    ).to_be_visible()
    expect(section.get_by_role("img").first).to_have_attribute(
        "aria-label", "Middelste helft 42 tot 47, mediaan 45, jullie score 100"
    )
    expect(section.get_by_text(SENTENCE, exact=False).first).to_be_visible()
    assert_no_axe_violations(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"page scrolls sideways at {width} px ({scroll_width} px)"

    # The organisation page: the choice, explained, and saved without JavaScript.
    page.goto("/organisatie/")
    choice = page.locator("#vergelijken")
    expect(choice.get_by_text("Nooit gedeeld", exact=False)).to_be_visible()
    choice.get_by_label("Nee, onze resultaten niet delen").check()
    choice.get_by_role("button", name="Keuze bewaren").click()
    expect(page.get_by_text("deelt haar rondescores niet meer", exact=False)).to_be_visible()
    assert_no_axe_violations(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"page scrolls sideways at {width} px ({scroll_width} px)"
    context.close()
