"""Paper questionnaires in a real browser: HR types ten in with the keyboard alone, and an
import with a wrong row shows what to correct; both at 1366 and 390 px, axe-clean."""

from __future__ import annotations

import csv
import io
import time

import pytest
from playwright.sync_api import expect

from leerkansen.content.questionnaire import questionnaire_for
from leerkansen.paper.keys import option_count
from leerkansen.survey.models import Response
from leerkansen.survey.services import answers_of
from leerkansen.testing import (
    BARE,
    DUMMY_TASKS,
    assert_no_axe_violations,
    logged_in_page,
    make_admin,
    make_round,
)

from .helpers import typed_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The slowest acceptable: ten questionnaires in five minutes, by hand. A person types slower
# than Playwright; what this measures is that the screen needs no mouse and no waiting.
FIVE_MINUTES = 300
# A save enters the response and lets the report take it in; on the shared 2-core machine
# with other suites running that took more than Playwright's 5 s default once.
SAVE_TIMEOUT = 20_000


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def wait_for_the_entry_script(page) -> None:
    """The script that moves the cursor on is deferred: typing before it ran would fill the
    first field only (seen on a busy machine)."""
    expect(page.locator(".paper-entry[data-keys-ready]")).to_be_attached()


def keys_in_page_order(role: str) -> tuple[str, str]:
    """The digits of one questionnaire in the order of the fields, and its open answer."""
    typed = typed_answers(role, seed=3)
    items = questionnaire_for(role).items()
    # The sector's 21 options take two digits each: "01".
    digits = "".join(
        typed[item.id].zfill(2 if option_count(item) > 9 else 1)
        for item in items
        if item.scale != "text"
    )
    open_answer = next(typed[item.id] for item in items if item.scale == "text")
    return digits, open_answer


@pytest.mark.parametrize("width", [1366, 390])
def test_hr_enters_ten_paper_questionnaires_with_the_keyboard_alone(
    browser, live_server, browser_login, width
):
    admin, organisation = make_admin(**BARE)
    assessment = make_round(organisation, roles=("leidinggevende", "medewerker"))
    context, page = logged_in_page(browser, live_server, browser_login, admin, width)

    page.goto(f"/organisatie/rondes/{assessment.code}/")
    assert_no_axe_violations(page)
    page.get_by_role(
        "link", name="Papieren vragenlijsten afdrukken, invoeren of importeren"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Antwoorden op papier")
    assert no_sideways_scrolling(page)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Een vragenlijst van Medewerker invoeren").click()

    digits, open_answer = keys_in_page_order("medewerker")
    # The open question is the last field: after it, Tab reaches the save button.
    last_item = questionnaire_for("medewerker").items()[-1]
    assert last_item.scale == "text"
    started = time.monotonic()
    for number in range(1, 11):
        first_field = page.locator(".paper-entry__key").first
        expect(first_field).to_be_focused()
        wait_for_the_entry_script(page)
        page.keyboard.type(digits)
        expect(page.locator(f"#f-{last_item.id}")).to_be_focused()
        page.keyboard.type(open_answer)
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Deze vragenlijst bewaren")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text(
            f"Bewaard als papieren vragenlijst {number} van deze ronde", timeout=SAVE_TIMEOUT
        )
        if number == 1:
            assert no_sideways_scrolling(page)
            assert_no_axe_violations(page)
    elapsed = time.monotonic() - started
    assert elapsed < FIVE_MINUTES / 5, f"ten questionnaires took {elapsed:.0f} s"

    entered = Response.objects.filter(assessment=assessment, entered_by_organisation=True)
    assert entered.filter(completed_on__isnull=False, role="medewerker").count() == 10
    expected = typed_answers("medewerker", seed=3)
    items = {item.id: item for item in questionnaire_for("medewerker").items()}
    for response in entered:
        answers = answers_of(response)
        assert len(answers) == len(items)
        for item_id, value in answers.items():
            if items[item_id].scale == "agreement":
                assert value == int(expected[item_id])
    context.close()


def test_hr_enters_their_own_version_with_the_sector_in_two_digits(
    browser, live_server, browser_login
):
    admin, organisation = make_admin(**BARE)
    assessment = make_round(organisation, roles=("hr",))
    context, page = logged_in_page(browser, live_server, browser_login, admin, 1366)
    page.goto(f"/organisatie/rondes/{assessment.code}/papier/invoeren/")
    # The role first: the only one of this round, chosen with the keyboard (once the browser
    # has put the cursor on it: autofocus comes after the page's load).
    expect(page.locator("#rol-hr")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Papieren vragenlijst invoeren: HR")
    expect(page.locator("#keys-A_sector")).to_contain_text("Twee cijfers: 01 tot 21")
    wait_for_the_entry_script(page)
    digits, open_answer = keys_in_page_order("hr")
    page.keyboard.type(digits)
    page.keyboard.type(open_answer)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        "Bewaard als papieren vragenlijst 1", timeout=SAVE_TIMEOUT
    )
    saved = Response.objects.get(assessment=assessment, entered_by_organisation=True)
    answers = answers_of(saved)
    assert answers["A_sector"] == "A"
    assert len(answers) == len(questionnaire_for("hr").items())
    context.close()


def test_a_wrong_digit_is_named_and_the_typing_kept_in_the_browser(
    browser, live_server, browser_login
):
    admin, organisation = make_admin(**BARE)
    assessment = make_round(organisation, roles=("medewerker",))
    context, page = logged_in_page(browser, live_server, browser_login, admin, 1366)
    page.goto(f"/organisatie/rondes/{assessment.code}/papier/invoeren/?rol=medewerker")
    digits, _open_answer = keys_in_page_order("medewerker")
    digits = digits[:5] + "9" + digits[6:]
    wait_for_the_entry_script(page)
    page.keyboard.type(digits)
    # The open answer stays empty: Tab past it to the save button.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    wrong = questionnaire_for("medewerker").items()[5]
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"Vraag {wrong.id}")
    expect(alert).to_contain_text("“9” is geen vakje van deze vraag")
    expect(page.locator(f"#f-{wrong.id}")).to_have_value("9")
    expect(page.locator(".paper-entry__key").first).to_have_value(digits[0])
    assert_no_axe_violations(page)
    # The summary's link leads to the field; the right digit replaces the wrong one.
    alert.get_by_role("link").first.click()
    expect(page.locator(f"#f-{wrong.id}")).to_be_focused()
    page.keyboard.type("3")
    page.get_by_role("button", name="Deze vragenlijst bewaren").press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        "Bewaard als papieren vragenlijst 1", timeout=SAVE_TIMEOUT
    )
    assert Response.objects.filter(assessment=assessment, entered_by_organisation=True).count() == 1
    context.close()


def test_without_javascript_the_entry_screen_is_a_plain_form(browser, live_server, browser_login):
    admin, organisation = make_admin(**BARE)
    assessment = make_round(organisation, roles=("medewerker",))
    context = browser.new_context(
        base_url=live_server.url, locale="nl-BE", java_script_enabled=False
    )
    browser_login(context, admin)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"/organisatie/rondes/{assessment.code}/papier/invoeren/?rol=medewerker")
    digits, open_answer = keys_in_page_order("medewerker")
    # Without the script the cursor stays: Tab to the next field after each digit.
    for digit in digits:
        page.keyboard.type(digit)
        page.keyboard.press("Tab")
    page.keyboard.type(open_answer)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        "Bewaard als papieren vragenlijst 1", timeout=SAVE_TIMEOUT
    )
    saved = Response.objects.get(assessment=assessment, entered_by_organisation=True)
    assert answers_of(saved)[questionnaire_for("medewerker").items()[-1].id] == open_answer
    context.close()


def template_with_a_wrong_row(role: str) -> bytes:
    items = questionnaire_for(role).items()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["nr", *(item.id for item in items)])
    for number in range(1, 6):
        typed = typed_answers(role, seed=number)
        if number == 4:
            typed[items[2].id] = "x"
        writer.writerow([str(number), *(typed.get(item.id, "") for item in items)])
    return buffer.getvalue().encode("utf-8")


@pytest.mark.parametrize("width", [1366, 390])
def test_an_import_with_a_wrong_row_shows_what_to_correct_and_imports_nothing(
    browser, live_server, browser_login, width
):
    admin, organisation = make_admin(**BARE)
    assessment = make_round(organisation, roles=("medewerker",))
    context, page = logged_in_page(browser, live_server, browser_login, admin, width)
    page.goto(f"/organisatie/rondes/{assessment.code}/papier/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="XLSX").click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
    page.get_by_role("link", name="Een ingevuld sjabloon importeren").click()
    page.get_by_label("Medewerker").check()
    page.get_by_label("Het ingevulde sjabloon (.csv of .xlsx)").set_input_files(
        files=[
            {
                "name": "papier.csv",
                "mimeType": "text/csv",
                "buffer": template_with_a_wrong_row("medewerker"),
            }
        ]
    )
    page.get_by_role("button", name="Importeren").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Er is niets geïmporteerd")
    wrong = questionnaire_for("medewerker").items()[2].id
    # Row 5 of the file (a header row, then questionnaires 1 to 5).
    row = alert.get_by_role("row").filter(has_text=wrong)
    expect(row).to_contain_text("5 (nr. 4)")
    expect(row).to_contain_text("“x” is geen vakje van deze vraag")
    assert no_sideways_scrolling(page)
    assert_no_axe_violations(page)
    assert not Response.objects.filter(assessment=assessment).exists()
    context.close()


def test_the_pdf_waits_on_a_page_that_opens_it_once_the_worker_made_it(
    browser, live_server, browser_login, settings, tmp_path
):
    from leerkansen.paper.tasks import render_paper_form_pdf

    # Enqueued tasks wait, as for a worker that has not come round to them yet.
    settings.TASKS = DUMMY_TASKS
    admin, organisation = make_admin(**BARE)
    assessment = make_round(organisation, roles=("medewerker",))
    pdf_url = f"/organisatie/rondes/{assessment.code}/papier/vragenlijst.pdf?rol=medewerker"
    for width in (1366, 390):
        context, page = logged_in_page(browser, live_server, browser_login, admin, width)
        page.goto(pdf_url)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "De vragenlijst wordt klaargemaakt"
        )
        expect(page.get_by_role("status")).to_contain_text("deze pagina opent hem vanzelf")
        assert no_sideways_scrolling(page)
        assert_no_axe_violations(page)
        page.screenshot(path=tmp_path / f"waiting-{width}.png", full_page=True)
        context.close()

    # The worker makes it; the page's own refresh (after 3 s, without JavaScript) brings it.
    context, page = logged_in_page(browser, live_server, browser_login, admin, 390)
    page.goto(pdf_url)
    render_paper_form_pdf.call(assessment.pk, "medewerker")
    pdf = page.wait_for_event(
        "response",
        lambda response: (
            "vragenlijst.pdf" in response.url
            and response.headers["content-type"] == "application/pdf"
        ),
        timeout=10_000,
    )
    assert pdf.status == 200
    context.close()
