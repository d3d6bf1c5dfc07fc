"""The demo report's PDF as a director reads it: order, filled pages, tags and bookmarks.

The PDF is rendered once for the module (rendering takes seconds) inside a transaction that
is rolled back, and read with poppler's pdftotext (word boxes, per page) and pypdf (structure,
metadata, outline).
"""

import io
import logging
import re
import subprocess
from dataclasses import dataclass
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from pypdf import PdfReader

from leerkansen.reports.models import Report
from leerkansen.reports.pdf import render_report_pdf
from leerkansen.reports.presentation import report_context

# A4 in points, and the report's page margins (leerkansen.css, @page report: 18mm top, 20mm
# bottom): the text area runs from TOP to BOTTOM; the footer ("pagina 3 van 12") lies below.
MM = 72 / 25.4
TOP = 18 * MM
BOTTOM = 841.89 - 20 * MM

# The mark makes pytest-django create the test database, which the module's fixture needs.
pytestmark = pytest.mark.django_db

PARTS = [
    "Jullie profiel",
    "De negen uitdagingen",
    "Jullie eigen noden",
    "Jullie top 3",
    "Wie antwoordde",
    "In jullie eigen woorden",
    "Over dit rapport",
    "Bijlage: alle 48 acties",
]


@dataclass
class Page:
    text: str  # runs of white space as one space
    fill: float  # share of the text area's height between its top and the last line of text


@dataclass
class DemoPdf:
    pdf: bytes
    pages: list[Page]
    context: dict
    errors: list[str]  # WeasyPrint's errors while rendering (a missing language or alt text)

    def page_of(self, text: str, start: int = 1) -> int:
        """The number (from 1) of the first page from `start` on that holds the text."""
        for number, page in enumerate(self.pages[start - 1 :], start=start):
            if text in page.text:
                return number
        raise AssertionError(f"not in the PDF: {text!r}")


def read_pages(pdf: bytes, tmp_path) -> list[Page]:
    path = tmp_path / "rapport.pdf"
    path.write_bytes(pdf)
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", boxes, re.S):
        words = [
            (float(y_max), unescape(word))
            for y_max, word in re.findall(r'<word [^>]*yMax="([\d.]+)">(.*?)</word>', page)
        ]
        body = [y_max for y_max, _ in words if y_max < BOTTOM]
        pages.append(
            Page(
                text=" ".join(word for _, word in words),
                fill=(max(body) - TOP) / (BOTTOM - TOP) if body else 0.0,
            )
        )
    return pages


class Errors(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    errors = Errors()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(errors)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            call_command("load_demo", stdout=StringIO())
            report = Report.objects.get()
            pdf = render_report_pdf(report)
            context = report_context(report)
            transaction.set_rollback(True)
    finally:
        logger.removeHandler(errors)
    pages = read_pages(pdf, tmp_path_factory.mktemp("pdf"))
    return DemoPdf(pdf=pdf, pages=pages, context=context, errors=errors.messages)


def outline(pdf: bytes) -> list[tuple[int, str, int]]:
    """The bookmarks as (level, title, page number), in order."""
    reader = PdfReader(io.BytesIO(pdf))
    found = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 1)
    return found


def test_summary_profile_and_chart_are_on_the_first_two_pages(demo):
    first = demo.pages[0].text
    assert "Demo: Zorggroep De Linde" in first
    assert "Jullie top 3:" in first
    for item in demo.context["top3"]:
        assert item.action.title in first
    profile = demo.context["profile"]
    assert demo.page_of(profile.name) == 1
    assert demo.page_of(profile.description) == 1
    # The chart whole, on one page: its heading and every row's label and score.
    chart_page = demo.page_of("De negen uitdagingen Hoe zwaar")
    assert chart_page <= 2
    chart = demo.pages[chart_page - 1].text
    for row in demo.context["chart"].rows:
        assert f"{row.number}. {row.title} {row.value}" in chart, row.number


def test_the_top3_starts_after_profile_and_chart_and_the_catalogue_closes(demo):
    parts = {title: page for level, title, page in outline(demo.pdf) if level == 2}
    assert list(parts) == PARTS
    assert parts["Jullie profiel"] == 1
    assert parts["De negen uitdagingen"] <= 2
    top3 = parts["Jullie top 3"]
    assert top3 == 3
    assert demo.pages[top3 - 1].text.startswith("Jullie top 3 Drie acties")
    for item in demo.context["top3"]:
        assert top3 <= demo.page_of(item.reasons[0]) < parts["Bijlage: alle 48 acties"]
    assert demo.pages[parts["Bijlage: alle 48 acties"] - 1].text.startswith("Bijlage")
    assert all(page < parts["Jullie top 3"] for page in list(parts.values())[:3])


def test_no_page_holds_an_action_title_alone_and_the_top3_runs_on(demo):
    parts = {title: page for level, title, page in outline(demo.pdf) if level == 2}
    top3 = parts["Jullie top 3"]
    for item in demo.context["top3"]:
        # A page never ends with an action's title: its first reason follows on the same page.
        title = f"{item.rank}. {item.action.title}"
        assert item.reasons[0] in demo.pages[demo.page_of(title, start=top3) - 1].text, title
    # Between the first action and the section's last page, every page is well filled: the
    # actions run on from one to the next instead of each starting a page.
    for number in range(parts["Jullie top 3"], parts["Wie antwoordde"] - 1):
        assert demo.pages[number - 1].fill > 0.6, (number, demo.pages[number - 1].fill)
    # The three actions (with their reasons and "Ook sterk") share their pages: at most 5,
    # never a page per action and its tips as before (6).
    assert parts["Wie antwoordde"] - parts["Jullie top 3"] <= 5


def test_every_page_holds_a_reasonable_amount_of_text(demo):
    assert 8 <= len(demo.pages) <= 16
    for number, page in enumerate(demo.pages, start=1):
        assert page.fill > 0.25, (number, page.fill, page.text[:80])
        assert f"pagina {number} van {len(demo.pages)}" in page.text


def test_pdf_is_tagged_pdf_ua_with_language_and_title(demo):
    reader = PdfReader(io.BytesIO(demo.pdf))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == "nl"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == "Leerkansen-rapport – Demo: Zorggroep De Linde"
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert re.search(r'pdfuaid:part="1"', xmp), xmp
    assert "Leerkansen-rapport – Demo: Zorggroep De Linde</rdf:li>" in xmp
    # WeasyPrint logs an error for what PDF/UA needs and the HTML lacks (a language, an alt).
    assert demo.errors == []


def test_outline_lists_the_parts_the_three_actions_and_the_challenges(demo):
    bookmarks = outline(demo.pdf)
    parts = {title: page for level, title, page in bookmarks if level == 2}
    assert bookmarks[0] == (1, "Demo: Zorggroep De Linde", 1)
    assert [title for level, title, _ in bookmarks if level == 2] == PARTS
    level_three = [title for level, title, _ in bookmarks if level == 3]
    top3 = [f"{item.rank}. {item.action.title}" for item in demo.context["top3"]]
    challenges = [
        f"Uitdaging {group.challenge.number} {group.challenge.title}"
        for group in demo.context["challenges"]
    ]
    assert level_three == top3 + challenges
    # Each action's bookmark opens the page its title is on.
    for _, title, page in bookmarks:
        if title in top3:
            assert demo.page_of(title, start=parts["Jullie top 3"]) == page
    # Sub-headings stay out of the outline.
    titles = [title for _, title, _ in bookmarks]
    for heading in (
        "Inhoud",
        "Waarom voor jullie",
        "Wat je kan doen – inspiratie voor de praktijk",
    ):
        assert heading not in titles
    assert demo.context["profile"].name not in titles
    assert max(level for level, _, _ in bookmarks) == 3
