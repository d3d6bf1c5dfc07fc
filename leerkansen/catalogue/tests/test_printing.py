"""Overview sheets and the visual menu card: what lands on paper, and how it is served."""

import ctypes
import io
import math
import re
import time
from datetime import date

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from leerkansen.catalogue import printing
from leerkansen.catalogue.printing import (
    SheetDetails,
    balanced_split,
    menu_card,
    menu_card_pdf,
    menu_card_png,
    sheet_pdf,
    sheets_bundle_pdf,
)
from leerkansen.content.catalogue import get_catalogue

CATALOGUE = get_catalogue()
ACTIONS = list(CATALOGUE.actions())
A4_POINTS = (595.3, 841.9)
A3_POINTS = (841.9, 1190.6)


def squeeze(text: str) -> str:
    """Text without any white space: a line may break anywhere in a title."""
    return "".join(text.split())


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [
        (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1))
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def ink_share(image: Image.Image) -> float:
    """The share of pixels that are not (near) white."""
    grey = image.convert("L")
    histogram = grey.histogram()
    return 1 - sum(histogram[240:]) / (grey.width * grey.height)


def rendered_pages(pdf: bytes, dpi: int = 24) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        images = []
        for page in document:
            images.append(page.render(scale=dpi / 72).to_pil())
            page.close()
        return images
    finally:
        document.close()


def smallest_font_size(pdf: bytes) -> float:
    """The smallest type size (pt) of any printed character on the first page."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        text_page = document[0].get_textpage()
        matrix = pdfium_c.FS_MATRIX()
        sizes = []
        for index in range(text_page.count_chars()):
            if text_page.get_text_range(index, 1).isspace():
                continue
            # The font's size times the page's scale (WeasyPrint draws in CSS px, scaled 3/4).
            pdfium_c.FPDFText_GetMatrix(text_page.raw, index, ctypes.byref(matrix))
            scale = math.hypot(matrix.b, matrix.d)
            sizes.append(pdfium_c.FPDFText_GetFontSize(text_page.raw, index) * scale)
        return min(sizes)
    finally:
        text_page.close()
        document.close()


@pytest.fixture(scope="module")
def sheets():
    """Every action's public sheet, rendered once: id → (PDF, text of each page)."""
    started = time.perf_counter()
    rendered = {action.id: sheet_pdf(action) for action in ACTIONS}
    elapsed = time.perf_counter() - started
    print(f"\n48 overview sheets rendered in {elapsed:.1f} s")
    return {action_id: (pdf, page_texts(pdf)) for action_id, pdf in rendered.items()}


# -- Overview sheets ------------------------------------------------------------------------


def test_every_sheet_is_an_a4_of_at_most_two_pages_with_title_and_every_tip(sheets):
    for action in ACTIONS:
        pdf, pages = sheets[action.id]
        assert pdf.startswith(b"%PDF-")
        assert 1 <= len(pages) <= 2, action.id
        assert set(page_sizes(pdf)) == {A4_POINTS}, action.id
        text = squeeze(" ".join(pages))
        assert squeeze(action.title) in text, action.id
        assert squeeze(action.introduction)[:80] in text, action.id
        for tip in action.tips:
            assert squeeze(tip.title) in text, (action.id, tip.title)
            first_words = " ".join((tip.text or tip.items[0]).split()[:6])
            assert squeeze(first_words) in text, (action.id, first_words)
            for item in tip.items:
                assert squeeze(item) in text, (action.id, item)
        # The footer: "Leerkansen · Actie 1.1" and "pagina 1 van 2" on every page.
        for number, page in enumerate(pages, start=1):
            assert f"pagina{number}van{len(pages)}" in squeeze(page), action.id
            assert squeeze(f"Actie {action.id}") in squeeze(page), action.id


def test_sheets_fit_on_one_page_where_the_text_allows(sheets):
    one_page = [action_id for action_id, (_pdf, pages) in sheets.items() if len(pages) == 1]
    print(f"\n{len(one_page)} of {len(sheets)} sheets fit on one page")
    # The shortest actions fit one page at any type size we use.
    shortest = sorted(ACTIONS, key=lambda action: len(action.model_dump_json()))[:10]
    for action in shortest:
        assert action.id in one_page, action.id


def test_highlight_line_only_on_highlight_actions(sheets):
    for action in ACTIONS:
        text = squeeze(" ".join(sheets[action.id][1]))
        if action.highlight:
            assert "HIGHLIGHT" in text, action.id
            assert squeeze(action.highlight) in text, action.id
        else:
            assert "HIGHLIGHT" not in text, action.id


def test_sheet_lists_the_related_actions_and_its_challenge(sheets):
    for action in ACTIONS:
        text = squeeze(" ".join(sheets[action.id][1]))
        challenge = CATALOGUE.challenge(action.challenge_number)
        assert squeeze(challenge.title) in text, action.id
        for other_id in action.related:
            other = CATALOGUE.action(other_id)
            assert squeeze(f"{other.id} {other.title}") in text, (action.id, other_id)


def test_no_sheet_page_is_empty(sheets):
    for action_id, (pdf, _pages) in sheets.items():
        for image in rendered_pages(pdf):
            assert ink_share(image) > 0.02, action_id


def test_plan_details_appear_on_the_sheet_when_given(sheets):
    action = CATALOGUE.action("1.2")
    details = SheetDetails(
        owner="An Peeters (HR)",
        start=date(2026, 3, 2),
        status_label="Bezig",
        note="Eerst proberen in team Zorg 2.",
    )
    pdf = sheet_pdf(action, details)
    pages = page_texts(pdf)
    text = squeeze(" ".join(pages))
    assert len(pages) <= 2
    assert squeeze("An Peeters (HR)") in text
    assert "Bezig" in text
    assert "2026" in text
    assert squeeze("Eerst proberen in team Zorg 2.") in text
    assert squeeze(action.title) in text
    public = squeeze(" ".join(sheets[action.id][1]))
    assert "AnPeeters" not in public
    assert "2026" not in public


def test_a_long_plan_note_takes_two_pages_and_loses_no_text():
    action = CATALOGUE.action("6.5")  # the longest action
    sentence = "Bespreken op het directieoverleg en daarna per team uitrollen."
    pdf = sheet_pdf(action, SheetDetails(owner="An", note=" ".join([sentence] * 40)))
    pages = page_texts(pdf)
    assert len(pages) == 2
    text = squeeze(" ".join(pages))
    assert text.count(squeeze(sentence)) == 40
    for tip in action.tips:
        assert squeeze(tip.title) in text, tip.title
        assert squeeze(tip.text)[-40:] in text, tip.title


@pytest.mark.parametrize(
    "note",
    [
        # The plan's longest note (plans.models.NOTE_MAX_LENGTH), as prose and as 1,000 lines.
        ("Eerst proberen in team Zorg 2, evaluatie in juni. " * 40)[:2000],
        "x\n" * 1000,
    ],
    ids=["prose", "lines"],
)
def test_the_longest_action_with_the_longest_note_stays_within_two_pages(note):
    action = max(ACTIONS, key=lambda a: len(a.model_dump_json()))
    details = SheetDetails(
        owner="O" * 100, start=date(2026, 3, 2), status_label="Gepland", note=note
    )
    pages = page_texts(sheet_pdf(action, details))
    assert len(pages) <= 2
    text = squeeze(" ".join(pages))
    for tip in action.tips:
        assert squeeze(tip.title) in text, tip.title


def test_empty_plan_details_add_no_plan_block(sheets):
    action = CATALOGUE.action("1.2")
    assert squeeze(" ".join(page_texts(sheet_pdf(action, SheetDetails())))) == squeeze(
        " ".join(sheets[action.id][1])
    )


def test_bundle_starts_every_sheet_on_a_new_page(sheets):
    chosen = [CATALOGUE.action(action_id) for action_id in ("6.5", "1.1", "9.5")]
    items = [(chosen[0], None), (chosen[1], SheetDetails(owner="Tom")), (chosen[2], None)]
    pages = page_texts(sheets_bundle_pdf(items))
    expected = [len(sheets[action.id][1]) for action in chosen]
    assert len(pages) == sum(expected)
    first_pages = [0, expected[0], expected[0] + expected[1]]
    for action, index in zip(chosen, first_pages, strict=True):
        assert squeeze(action.title) in squeeze(pages[index]), action.id
    assert "Tom" in pages[first_pages[1]]


def test_bundle_needs_a_sheet():
    with pytest.raises(ValueError):
        sheets_bundle_pdf([])


# -- The visual menu card -------------------------------------------------------------------


def test_menu_card_is_one_page_at_a4_and_a3_with_every_action_and_challenge():
    for paper, size in (("a4", A4_POINTS), ("a3", A3_POINTS)):
        pdf = menu_card_pdf(paper=paper)
        pages = page_texts(pdf)
        assert len(pages) == 1, paper
        assert page_sizes(pdf) == [size], paper
        text = squeeze(pages[0])
        for challenge in CATALOGUE.challenges:
            assert squeeze(challenge.title) in text, (paper, challenge.number)
        for action in ACTIONS:
            assert squeeze(f"{action.id} {action.title}") in text, (paper, action.id)
        # HIGHLIGHT is a symbol explained in a legend, not a colour alone.
        assert "HIGHLIGHT" in text
        assert text.count("★") == 1 + sum(1 for a in ACTIONS if a.highlight)


def test_menu_card_text_stays_readable_at_a4():
    card = menu_card()
    assert card.font_size >= 7
    # Measured on the page itself: no character, footer and legend included, below 7 pt.
    assert smallest_font_size(card.pdf) >= 7 - 0.01
    print(f"\nmenu card, all 48 actions, A4: action lines at {card.font_size} pt")


def test_highlight_menu_card_holds_only_highlight_actions():
    pdf = menu_card_pdf(only_highlight=True)
    pages = page_texts(pdf)
    assert len(pages) == 1
    text = squeeze(pages[0])
    for action in ACTIONS:
        line = squeeze(f"{action.id} {action.title}")
        assert (line in text) == bool(action.highlight), action.id
    others = {a.challenge_number for a in ACTIONS if a.highlight}
    for challenge in CATALOGUE.challenges:
        assert (squeeze(challenge.title) in text) == (challenge.number in others)


def test_menu_card_for_a_plan_holds_only_its_actions_in_catalogue_order():
    pdf = menu_card_pdf(["9.5", "1.2", "4.1"], subtitle="Zorggroep De Linde")
    text = squeeze(page_texts(pdf)[0])
    positions = [text.index(squeeze(CATALOGUE.action(i).title)) for i in ("1.2", "4.1", "9.5")]
    assert positions == sorted(positions)
    assert "ZorggroepDeLinde" in text
    for action in ACTIONS:
        if action.id not in ("9.5", "1.2", "4.1"):
            assert squeeze(f"{action.id} {action.title}") not in text, action.id
    assert len(page_texts(menu_card_pdf(["9.5", "1.2", "4.1"], paper="a3"))) == 1


def test_menu_card_refuses_unknown_or_no_actions():
    with pytest.raises(ValueError):
        menu_card_pdf(["1.1", "10.1"])
    with pytest.raises(ValueError):
        menu_card_pdf([])


def test_menu_card_png_is_a_150_dpi_image_of_the_page():
    for paper, (width_mm, height_mm) in (("a4", (210, 297)), ("a3", (297, 420))):
        png = menu_card_png(paper=paper)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG"
        assert abs(image.width - width_mm / 25.4 * 150) <= 1, paper
        assert abs(image.height - height_mm / 25.4 * 150) <= 1, paper
        # Coloured challenge headings and text: far from a blank page.
        assert ink_share(image) > 0.1, paper
        assert len(image.convert("RGB").resize((64, 90)).getcolors(64 * 90)) > 20, paper


def test_menu_card_page_is_not_empty():
    for image in rendered_pages(menu_card_pdf(only_highlight=True)):
        assert ink_share(image) > 0.1


def test_balanced_split_keeps_the_order_and_evens_the_heights():
    assert balanced_split([5, 1, 1, 1, 1, 1], 2) == [(0, 1), (1, 6)]
    assert balanced_split([1, 1, 1, 1, 1, 1], 3) == [(0, 2), (2, 4), (4, 6)]
    assert balanced_split([3, 3], 3) == [(0, 1), (1, 2)]
    assert balanced_split([2, 1, 1], 1) == [(0, 3)]


# -- Served at /acties/... ------------------------------------------------------------------


def test_action_sheet_url_serves_the_pdf_for_anyone(client):
    url = reverse("catalogue:action_sheet", args=["1.1"])
    assert url == "/acties/1.1/fiche.pdf"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="leerkansen-actie-1-1.pdf"'
    assert response.content == sheet_pdf(CATALOGUE.action("1.1"))
    assert "public" in response["Cache-Control"]
    assert "max-age=3600" in response["Cache-Control"]
    assert client.post(url).status_code == 405


def test_unknown_action_has_no_sheet(client):
    assert client.get("/acties/10.1/fiche.pdf").status_code == 404
    assert client.get("/acties/abc/fiche.pdf").status_code == 404


def test_menu_card_urls_serve_pdf_and_png(client):
    assert reverse("catalogue:menu_card_pdf") == "/acties/menukaart.pdf"
    assert reverse("catalogue:menu_card_png") == "/acties/menukaart.png"
    pdf = client.get("/acties/menukaart.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == menu_card_pdf()
    assert "max-age=3600" in pdf["Cache-Control"]
    highlight = client.get("/acties/menukaart.pdf", {"alleen": "highlight"})
    assert highlight.content == menu_card_pdf(only_highlight=True)
    assert highlight.content != pdf.content
    a3 = client.get("/acties/menukaart.pdf", {"formaat": "A3"})
    assert page_sizes(a3.content) == [A3_POINTS]
    png = client.get("/acties/menukaart.png", {"formaat": "a4"})
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert png.content == menu_card_png()
    assert png["Content-Disposition"] == 'inline; filename="leerkansen-menukaart-a4.png"'
    for name in ("catalogue:menu_card_pdf", "catalogue:menu_card_png"):
        assert client.post(reverse(name)).status_code == 405


def test_menu_card_refuses_unknown_query_values_with_a_hint(client):
    for url in ("/acties/menukaart.pdf", "/acties/menukaart.png"):
        size = client.get(url, {"formaat": "a5"})
        assert size.status_code == 400
        assert "formaat=a3" in size.content.decode()
        only = client.get(url, {"alleen": "alles"})
        assert only.status_code == 400
        assert "alleen=highlight" in only.content.decode()


def test_a_conditional_request_with_the_etag_gets_not_modified(client):
    first = client.get("/acties/menukaart.pdf")
    tag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', tag)
    again = client.get("/acties/menukaart.pdf", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    sheet = client.get("/acties/1.1/fiche.pdf")
    assert sheet["ETag"] != tag
    other = client.get("/acties/1.1/fiche.pdf", headers={"If-None-Match": tag})
    assert other.status_code == 200


def test_renders_are_kept_in_process(monkeypatch):
    menu_card_pdf(paper="a4")
    sheet_pdf(CATALOGUE.action("1.1"))

    def fail(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(printing, "render_html", fail)
    menu_card_pdf(paper="a4")
    sheet_pdf(CATALOGUE.action("1.1"))
    with pytest.raises(AssertionError, match="rendered again"):
        sheet_pdf(CATALOGUE.action("1.1"), SheetDetails(owner="An"))


def test_action_pages_link_to_the_sheet_and_the_menu_card(client):
    detail = client.get("/acties/1.1/").content.decode()
    assert 'href="/acties/1.1/fiche.pdf"' in detail
    listing = client.get("/acties/").content.decode()
    assert 'href="/acties/menukaart.pdf"' in listing
    assert 'href="/acties/menukaart.pdf?formaat=a3"' in listing
    assert 'href="/acties/menukaart.pdf?alleen=highlight"' in listing
    assert 'href="/acties/menukaart.png"' in listing
    assert listing.count("/fiche.pdf") == 48
