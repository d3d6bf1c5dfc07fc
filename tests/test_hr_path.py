"""Issue 7 end to end in a real browser: the HR admin's path from the report to the progress.

An HR admin whose first round is done reads the report, opens the action plan, starts it with
the report's top 3, gives one action an owner and a status, and downloads the plan, the
overview sheets and the menu card. Every PDF is read back as text (pypdf) and rendered to PNG
by poppler's pdftoppm, an independent renderer: one-page documents must be one page, and no
page may be blank. Then the admin opens a new round (the re-scan), answers it, and reads on the
progress page what moved per challenge, next to the plan's actions.

The first round is made with the ORM (tests/test_round_scenario.py takes a round through the
browser); everything after that happens in the browser.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from leerkansen.content.catalogue import get_catalogue
from leerkansen.organisations.models import Organisation
from leerkansen.plans.models import PlanItem
from leerkansen.reports.models import Report
from leerkansen.reports.presentation import score_value
from leerkansen.reports.services import create_report
from leerkansen.reports.tests import add_responses, full_answers, make_member
from leerkansen.survey.models import Assessment
from leerkansen.survey.rounds import close_round, open_round
from leerkansen.testing import assert_no_axe_violations

from .test_round_scenario import answer_questionnaire, answers_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDFTOPPM = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"
# Low resolution is enough to see ink and count pages, and keeps the test fast.
PNG_DPI = 30
# A page counts as printed on when this share of its pixels is darker than near-white.
MIN_INK_SHARE = 0.005
NEAR_WHITE = 230

# The first round: challenges 1 and 4 weigh heavily (see reports.tests.DEFAULT_AGREEMENT).
FIRST_ROUND_AGREEMENT = {1: 5, 2: 2, 3: 3, 4: 5, 5: 2, 6: 3, 7: 2, 8: 4, 9: 3}


def first_round_with_report(organisation: Organisation) -> Report:
    assessment = open_round(organisation, ["hr", "medewerker"], "Najaar 2026")
    add_responses(assessment, "hr", 1, lambda _i: full_answers(agreement=FIRST_ROUND_AGREEMENT))
    add_responses(
        assessment, "medewerker", 2, lambda _i: full_answers(agreement=FIRST_ROUND_AGREEMENT)
    )
    close_round(assessment)
    return create_report(assessment)


def download(page, href: str, folder: Path) -> Path:
    """Click the link to `href` and keep the file it downloads."""
    with page.expect_download() as info:
        page.locator(f'a[href="{href}"]').first.click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


def pdf_text(path: Path) -> tuple[int, str]:
    """The number of pages and the text of all pages, whitespace made single."""
    reader = PdfReader(path)
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


def rendered_pages(path: Path, folder: Path) -> list[Path]:
    """Every page of the PDF as a PNG, rendered by poppler (not by the pdfium we make PNGs with)."""
    assert Path(PDFTOPPM).exists(), "pdftoppm is missing: apt-get install poppler-utils"
    target = folder / f"{path.stem}-pages"
    target.mkdir()
    subprocess.run(
        [PDFTOPPM, "-r", str(PNG_DPI), "-png", str(path), str(target / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    # pdftoppm numbers the files page-1.png, … (zero-padded from 10 pages: sorting holds).
    return sorted(target.glob("page-*.png"))


def ink_share(png: Path) -> float:
    """The share of the page's pixels that are darker than near-white.

    Pillow reads poppler's PNG: it comes with WeasyPrint (which needs it), so nothing is added.
    pypdfium2 could not do this check: it would render the PDF again with pdfium instead of
    looking at what poppler drew.
    """
    with Image.open(png) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
        return sum(histogram[:NEAR_WHITE]) / (grey.width * grey.height)


def check_pdf(path: Path, folder: Path, *, pages: int | range, words: list[str]) -> str:
    """The PDF has the pages expected, says `words`, and no page is blank. Returns its text."""
    count, text = pdf_text(path)
    expected = range(pages, pages + 1) if isinstance(pages, int) else pages
    assert count in expected, (path.name, count)
    for word in words:
        assert word in text, (path.name, word)
    pngs = rendered_pages(path, folder)
    assert len(pngs) == count, (path.name, pngs)
    for png in pngs:
        share = ink_share(png)
        assert share >= MIN_INK_SHARE, (path.name, png.name, share)
    return text


def table_numbers(page) -> dict[int, tuple[str, str, str]]:
    """Per challenge, the progress table's previous score, current score and change, as shown."""
    shown = {}
    for row in page.locator("#voortgang tbody tr").all():
        number = int(row.get_attribute("id").removeprefix("uitdaging-"))
        change = row.locator("td.progress-change .progress-change__number")
        shown[number] = (
            row.locator("td.progress-table__previous").inner_text().strip(),
            row.locator("td.progress-table__current").inner_text().strip(),
            change.inner_text().strip().lstrip("↓↑= ").strip() if change.count() else "",
        )
    return shown


def test_hr_admin_goes_from_report_to_plan_printouts_new_round_and_progress(
    browser, live_server, tmp_path, browser_login
):
    organisation = Organisation.objects.create(
        name="Zorggroep Noord", sector="Q", size_band="50_249"
    )
    admin = make_member(organisation, "an@zorggroep.be")
    first_report = first_round_with_report(organisation)
    top3 = [entry["action"] for entry in first_report.top3]
    catalogue = get_catalogue()

    context = browser.new_context(base_url=live_server.url, locale="nl-BE", accept_downloads=True)
    browser_login(context, admin)
    page = context.new_page()
    page.set_default_timeout(15_000)

    # 1. The report, then the plan from the organisation's page.
    page.goto(f"/rapport/{first_report.code}/")
    expect(page.locator("#top-3")).to_be_visible()
    page.goto("/organisatie/")
    page.locator('a[href="/organisatie/plan/"]').first.click()
    expect(page).to_have_url(re.compile(r"/organisatie/plan/$"))

    # 2. The top 3 into the plan, with one click.
    page.locator('form[action="/organisatie/plan/top-3/"] button[type="submit"]').click()
    items = page.locator("li.plan-item")
    expect(items).to_have_count(3)
    stored = list(PlanItem.objects.filter(plan__organisation=organisation).order_by("position"))
    assert [item.action_id for item in stored] == top3

    # 3. The second action gets an owner and a status.
    edited = stored[1]
    row = page.locator(f"#item-{edited.code}")
    row.locator("summary").click()
    row.locator(f"#item-{edited.code}-owner").fill("An Peeters")
    row.locator(f"#item-{edited.code}-status").select_option("in_progress")
    row.locator(f'form[action="/organisatie/plan/{edited.code}/"] button[type="submit"]').click()
    row = page.locator(f"#item-{edited.code}")
    expect(row.locator(".plan-facts")).to_contain_text("An Peeters")
    expect(row.locator(".plan-status")).to_have_class(re.compile(r"plan-status--in_progress"))
    edited.refresh_from_db()
    assert (edited.owner, edited.status) == ("An Peeters", PlanItem.Status.IN_PROGRESS)
    assert_no_axe_violations(page)

    # 4. The plan, the overview sheets and the menu card, each checked as text and as image.
    titles = [catalogue.action(action_id).title for action_id in top3]
    title_starts = [" ".join(title.split()[:2]) for title in titles]
    plan_pdf = download(page, "/organisatie/plan/actieplan.pdf", tmp_path)
    check_pdf(plan_pdf, tmp_path, pages=1, words=[*top3, "An Peeters", "Bezig", *title_starts])
    # Every sheet takes one page, two at most. The sheets are made by a job (run at once in
    # tests): its page offers the file.
    page.locator('form[action="/organisatie/plan/fiches.pdf"] button').click()
    expect(page.locator(".job-done")).to_contain_text("Klaar")
    with page.expect_download() as info:
        page.locator("#job-download").click()
    sheets_pdf = tmp_path / info.value.suggested_filename
    info.value.save_as(sheets_pdf)
    check_pdf(sheets_pdf, tmp_path, pages=range(3, 7), words=["An Peeters", "Bezig", *title_starts])
    page.goto("/organisatie/plan/")
    menu_pdf = download(page, "/organisatie/plan/menukaart.pdf", tmp_path)
    check_pdf(menu_pdf, tmp_path, pages=1, words=[organisation.name, *top3])

    # 5. The re-scan: a new round for HR, which the admin answers.
    page.goto("/organisatie/rondes/")
    page.locator("#rol-hr").check()
    page.locator("#id_title").fill("Voorjaar 2027")
    page.locator('form[action="/organisatie/rondes/"] button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/organisatie/rondes/[^/]+/uitnodigen/$"))
    second_round = Assessment.objects.get(organisation=organisation, title="Voorjaar 2027")
    page.goto(f"/organisatie/rondes/{second_round.code}/")
    page.locator(
        f'form[action="/organisatie/rondes/{second_round.code}/zelf-invullen/"] button'
    ).click()
    answer_questionnaire(page, answers_for("hr", 1))
    # One response is below the anonymity threshold: the report comes when the round closes.
    assert not Report.objects.filter(assessment=second_round).exists()
    page.goto(f"/organisatie/rondes/{second_round.code}/afsluiten/")
    page.locator(
        f'form[action="/organisatie/rondes/{second_round.code}/afsluiten/"] button'
    ).click()
    expect(page.get_by_text("De ronde is afgesloten.")).to_be_visible()
    second_report = Report.objects.get(assessment=second_round)

    # 6. From the round's page to its progress.
    page.goto(f"/organisatie/rondes/{second_round.code}/")
    page.locator(f'a[href="/rapport/{second_report.code}/voortgang/"]').click()
    expect(page.locator("#voortgang")).to_be_visible()
    shown = table_numbers(page)
    assert sorted(shown) == list(range(1, 10))
    for number, (previous, current, change) in shown.items():
        before = score_value(first_report.scores[str(number)])
        after = score_value(second_report.scores[str(number)])
        assert (previous, current) == (str(before), str(after)), number
        difference = after - before
        assert change == (
            f"−{-difference}" if difference < 0 else f"+{difference}" if difference else "0"
        )
    assert any(change != "0" for _previous, _current, change in shown.values()), shown
    expect(page.locator("#aantal-vorige")).to_have_text(re.compile(r"^3 "))
    expect(page.locator("#aantal-nu")).to_have_text(re.compile(r"^1 "))
    # The plan's actions stand next to the challenge they target, with their status.
    for item in stored:
        challenge = catalogue.action(item.action_id).challenge_number
        entry = page.locator(f'#plan-uitdaging-{challenge} li[data-action="{item.action_id}"]')
        expect(entry).to_have_count(1)
        status = "in_progress" if item.pk == edited.pk else "planned"
        expect(entry.locator(".plan-status")).to_have_class(re.compile(f"plan-status--{status}"))
    expect(page.locator("svg.progress-chart g.progress-chart__row")).to_have_count(9)
    assert_no_axe_violations(page)
    context.close()
