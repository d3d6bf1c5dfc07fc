"""Printable catalogue: an overview sheet per action and the visual menu card.

The source names what HR does with its actions: an overview sheet ("overzichtsfiche") and a
visual menu card ("visuele menukaart"), HIGHLIGHT actions standing out. Both are HTML + print
CSS laid out by WeasyPrint, fetching nothing but our own static files (lib/pdf.py).

Typography adapts to the text: a sheet takes the largest type size that keeps it on one page,
or two pages when even the smallest size cannot; the menu card takes the largest size that
keeps it on one page. Public renders depend only on the catalogue version and the language,
so their bytes are kept in-process.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

import pypdfium2
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from weasyprint.document import Document
from weasyprint.formatting_structure.boxes import MarginBox

from leerkansen.content.catalogue import Action, Tip, get_catalogue
from leerkansen.lib.pdf import render_html, write_pdf

from .selection import ChallengeSelection, select_actions
from .templatetags.catalogue_tags import challenge_icon

# Type sizes (pt) a sheet tries, largest first. Below 8.5 pt a sheet reads worse on paper
# than the same text on two pages at a comfortable size.
SHEET_SIZES = (10.5, 10.0, 9.5, 9.0, 8.5)
# The comfortable size for a sheet that needs two pages anyway.
SHEET_TWO_PAGE_SIZE = 10.0

# Type sizes (pt) for the menu card's action lines at A4, in quarter points from 16 (a plan's
# few actions) down to 7 pt, the smallest that stays readable on an A4 print. A3 scales the
# whole card by √2.
MENU_SIZES = tuple(16.0 - 0.25 * step for step in range(37))
# Narrow columns take less: a long Dutch word must still fit a column's line.
MENU_MAX_SIZE = {1: 16.0, 2: 14.0, 3: 12.0}
# The card's title, legend and footer keep one size (pt, at A4).
MENU_FRAME_SIZE = 8.5
A3_SCALE = 2**0.5

PNG_DPI = 150


class Paper(StrEnum):
    A4 = "a4"
    A3 = "a3"


@dataclass(frozen=True)
class SheetDetails:
    """What a plan adds to an action's sheet: who, from when, how far, and a note."""

    owner: str = ""
    start: date | None = None
    status_label: str = ""
    note: str = ""


class Selection(StrEnum):
    """The public menu card selections; a plan passes its own list of action ids."""

    ALL = "all"
    HIGHLIGHT = "highlight"


# -- Rendering ------------------------------------------------------------------------------


def fits(document: Document, max_pages: int) -> bool:
    """At most max_pages pages, and nothing runs past a page's bottom margin.

    A flex container is not split over pages, and a word wider than its column sticks out:
    the page count alone would not tell.
    """
    if len(document.pages) > max_pages:
        return False
    for page in document.pages:
        # WeasyPrint's layout tree (not public API, stable since v53): positions in CSS px.
        page_box = page._page_box
        bottom = page_box.content_box_y() + page_box.height + 0.5
        right = page_box.content_box_x() + page_box.width + 0.5
        for child in page_box.children:
            if isinstance(child, MarginBox):
                continue
            for box in child.descendants():
                if box.position_y + box.margin_height() > bottom:
                    return False
                if box.position_x + box.margin_width() > right:
                    return False
    return True


def balanced_split(weights: Sequence[float], parts: int) -> list[tuple[int, int]]:
    """Cut a sequence into `parts` consecutive runs of near-equal total weight.

    Returns (start, stop) index pairs; the order is kept, so a reader goes down the first
    column, then the second. Minimises the heaviest run (the page's height), by trying every
    cut: the sequences are short (at most nine challenges, seven tips).
    """
    count = len(weights)
    parts = max(1, min(parts, count))

    def cuts(start: int, left: int) -> Iterator[list[tuple[int, int]]]:
        if left == 1:
            yield [(start, count)]
            return
        for stop in range(start + 1, count - left + 2):
            for rest in cuts(stop, left - 1):
                yield [(start, stop), *rest]

    def total(run: tuple[int, int]) -> float:
        return sum(weights[run[0] : run[1]])

    # On a tie, the earlier columns longer: the eye expects them full.
    return min(
        cuts(0, parts),
        key=lambda runs: (max(map(total, runs)), [-total(run) for run in runs]),
    )


def _lines(text: str, width: int) -> int:
    """Rough number of lines a text takes in a column of `width` characters."""
    return -(-len(text) // width) if text else 0


def _tip_weight(tip: Tip) -> float:
    items = sum(_lines(item, 45) for item in tip.items)
    return 1.5 + _lines(tip.title, 50) + _lines(tip.text, 52) + items + _lines(tip.text_after, 52)


def _group_weight(group: ChallengeSelection) -> float:
    actions = sum(0.4 + _lines(action.title, 38) for action in group.actions)
    return 2.0 + _lines(group.challenge.title, 32) + actions


def white_icon(number: int) -> SafeString:
    """The challenge's icon in white, for a coloured disc: WeasyPrint ignores currentColor."""
    svg = str(challenge_icon(number)).replace('stroke="currentColor"', 'stroke="#ffffff"')
    return mark_safe(svg)  # noqa: S308 - our own vendored icon files


# -- Overview sheets ------------------------------------------------------------------------


def _sheet_document(action: Action, details: SheetDetails | None) -> Document:
    catalogue = get_catalogue()
    tips = action.tips
    halves = balanced_split([_tip_weight(tip) for tip in tips], 2)

    def render(size: float, two_columns: bool = True) -> Document:
        # Two columns of tips on a one-page sheet (lines of ~55 characters read well); one
        # column flowing over two pages otherwise.
        columns = [tips[a:b] for a, b in halves] if two_columns else [tips]
        context = {
            "tip_columns": columns,
            "action": action,
            "challenge": catalogue.challenge(action.challenge_number),
            "icon": white_icon(action.challenge_number),
            "related": [catalogue.action(other) for other in action.related],
            "details": details if details and _has_details(details) else None,
            "note_lines": _note_lines(details.note) if details else [],
            "catalogue": catalogue,
            "font_size": f"{size:g}pt",
        }
        return render_html(render_to_string("catalogue/print/sheet.html", context))

    # Most sheets fit at the largest size; a sheet that does not fit at the smallest either
    # goes to two pages at once; otherwise the largest size in between that fits.
    largest = render(SHEET_SIZES[0])
    if fits(largest, 1):
        return largest
    smallest = render(SHEET_SIZES[-1])
    if fits(smallest, 1):
        between = SHEET_SIZES[1:-1]
        low, high, best = 0, len(between) - 1, smallest
        while low <= high:
            middle = (low + high) // 2
            document = render(between[middle])
            if fits(document, 1):
                best, high = document, middle - 1
            else:
                low = middle + 1
        return best
    two_pages = render(SHEET_TWO_PAGE_SIZE, two_columns=False)
    if fits(two_pages, 2):
        return two_pages
    # Longer than any sheet of today's catalogue: the smallest size, however many pages.
    return render(SHEET_SIZES[-1], two_columns=False)


# A note keeps its first lines as written; the rest runs on, so that a note of many short
# lines cannot push a sheet past two pages.
NOTE_MAX_LINES = 12


def _note_lines(note: str) -> list[str]:
    lines = [line.strip() for line in note.splitlines() if line.strip()]
    if len(lines) > NOTE_MAX_LINES:
        lines[NOTE_MAX_LINES - 1 :] = [" · ".join(lines[NOTE_MAX_LINES - 1 :])]
    return lines


def _has_details(details: SheetDetails) -> bool:
    return bool(details.owner or details.start or details.status_label or details.note)


@lru_cache(maxsize=128)
def _public_sheet(action_id: str, version: str, language: str | None) -> bytes:
    action = get_catalogue().action(action_id)
    if action is None:
        raise KeyError(action_id)
    return write_pdf(_sheet_document(action, None))


def sheet_pdf(action: Action, plan_details: SheetDetails | None = None) -> bytes:
    """The action's overview sheet as an A4 PDF: one page where the text allows, at most two.

    Without plan details the result depends only on the catalogue and the language, and is
    kept in-process.
    """
    if plan_details is None:
        return _public_sheet(action.id, get_catalogue().version, get_language())
    return write_pdf(_sheet_document(action, plan_details))


def sheets_bundle_pdf(
    items: list[tuple[Action, SheetDetails | None]],
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """Several sheets as one PDF, each starting on a new page, in the given order;
    `progress(n)` after the n-th sheet is laid out (writing the file comes after)."""
    if not items:
        raise ValueError("a bundle needs at least one sheet")
    documents = []
    for action, details in items:
        documents.append(_sheet_document(action, details))
        if progress is not None:
            progress(len(documents))
    pages = [page for document in documents for page in document.pages]
    return write_pdf(documents[0].copy(pages))


# -- The visual menu card -------------------------------------------------------------------


def _menu_groups(
    selection: Selection | tuple[str, ...],
) -> list[ChallengeSelection]:
    catalogue = get_catalogue()
    if selection == Selection.ALL:
        return select_actions(catalogue)
    if selection == Selection.HIGHLIGHT:
        return select_actions(catalogue, only_highlight=True)
    wanted = set(selection)
    unknown = wanted - {action.id for action in catalogue.actions()}
    if unknown:
        raise ValueError(f"unknown action ids: {sorted(unknown)}")
    groups = []
    for challenge in catalogue.challenges:
        actions = [action for action in challenge.actions if action.id in wanted]
        if actions:
            groups.append(ChallengeSelection(challenge, actions))
    return groups


@dataclass(frozen=True)
class MenuCard:
    pdf: bytes
    # The action lines' type size at A4 scale (pt); an A3 card prints it √2 larger.
    font_size: float
    # The columns: (start, stop) indexes into the selection's challenges.
    runs: tuple[tuple[int, int], ...]


@lru_cache(maxsize=32)
def _menu_card(
    selection: Selection | tuple[str, ...],
    paper: Paper,
    subtitle: str,
    version: str,
    language: str | None,
) -> MenuCard:
    catalogue = get_catalogue()
    groups = _menu_groups(selection)
    if not groups:
        raise ValueError("a menu card needs at least one action")
    scale = A3_SCALE if paper == Paper.A3 else 1.0

    def render(size: float, runs: list[tuple[int, int]]) -> Document:
        columns = [
            [
                {
                    "challenge": group.challenge,
                    "actions": group.actions,
                    "icon": white_icon(group.challenge.number),
                }
                for group in groups[start:stop]
            ]
            for start, stop in runs
        ]
        context = {
            "catalogue": catalogue,
            "columns": columns,
            "column_count": len(columns),
            "action_count": sum(len(group.actions) for group in groups),
            "has_highlight": any(a.highlight for group in groups for a in group.actions),
            "has_related": any(a.related for group in groups for a in group.actions),
            "catalogue_count": len(list(catalogue.actions())),
            "selection": selection if isinstance(selection, Selection) else "plan",
            "subtitle": subtitle,
            "paper": paper,
            "frame_size": f"{MENU_FRAME_SIZE * scale:.2f}pt",
            "font_size": f"{size * scale:.2f}pt",
        }
        return render_html(render_to_string("catalogue/print/menu_card.html", context))

    if paper != Paper.A4:
        # A3 is the A4 card enlarged by √2, margins and all: the same columns and size fit.
        a4 = _menu_card(selection, Paper.A4, subtitle, version, language)
        runs, sizes = list(a4.runs), [size for size in MENU_SIZES if size <= a4.font_size]
        found = _fit_near(sizes, 0, lambda size: render(size, runs), max_pages=1, look_up=False)
    else:
        runs, sizes, start = _plan_menu(groups, render)
        found = _fit_near(sizes, start, lambda size: render(size, runs), max_pages=1)
    if found is None:
        raise RuntimeError("the menu card does not fit one page, even at the smallest size")
    document, size = found
    return MenuCard(pdf=write_pdf(document), font_size=size, runs=tuple(runs))


def _plan_menu(
    groups: list[ChallengeSelection], render: Callable[[float, list[tuple[int, int]]], Document]
) -> tuple[list[tuple[int, int]], list[float], int]:
    """The columns (runs of groups), the sizes to try and the index of the first guess.

    Three columns of challenges, cut where their heights balance (a grid of rows would leave
    each row as tall as its longest challenge). The heights are measured in a first layout at
    the smallest size, with a split estimated from the text lengths.
    """
    probe_size = MENU_SIZES[-1]
    probe = render(probe_size, balanced_split([_group_weight(g) for g in groups], 3))
    layout = _measure_menu(probe)
    runs = balanced_split([layout.groups[g.challenge.number] for g in groups], 3)
    sizes = [size for size in MENU_SIZES if size <= MENU_MAX_SIZE[len(runs)]]
    # The columns' text grows with its size and wraps into more lines: height ~ size^1.5.
    tallest = max(sum(layout.groups[g.challenge.number] for g in groups[a:b]) for a, b in runs)
    room = max(layout.available - layout.other, 1.0)
    estimate = probe_size * (room / tallest) ** (1 / 1.5)
    start = min(range(len(sizes)), key=lambda i: abs(sizes[i] - estimate))
    return runs, sizes, start


@dataclass(frozen=True)
class _MenuLayout:
    groups: dict[int, float]  # challenge number → its block's height
    other: float  # everything but the columns: header, footer, gaps
    available: float  # the page's content height


def _measure_menu(document: Document) -> _MenuLayout:
    """Heights (CSS px) in a menu card's first-page layout."""
    page_box = document.pages[0]._page_box
    groups: dict[int, float] = {}
    columns = 0.0
    bottom = 0.0
    for box in page_box.descendants():
        element = getattr(box, "element", None)
        if element is None or isinstance(box, MarginBox):
            continue
        classes = (element.get("class") or "").split()
        if "menu-group" in classes:
            number = int(element.get("data-challenge"))
            groups[number] = max(groups.get(number, 0.0), box.margin_height())
        elif "menu__columns" in classes:
            columns = max(columns, box.margin_height())
        bottom = max(bottom, box.position_y + box.margin_height())
    top = page_box.content_box_y()
    return _MenuLayout(groups=groups, other=bottom - top - columns, available=page_box.height)


def _fit_near(
    sizes: Sequence[float],
    start: int,
    render: Callable[[float], Document],
    max_pages: int,
    look_up: bool = True,
) -> tuple[Document, float] | None:
    """The render at the largest size that fits, and that size; None if none fits.

    Sizes go from large to small (a smaller size never needs more room); the search steps
    from a first guess, up while it fits, or down until it does.
    """
    document = render(sizes[start])
    if fits(document, max_pages):
        index = start
        while look_up and index > 0:
            larger = render(sizes[index - 1])
            if not fits(larger, max_pages):
                break
            document, index = larger, index - 1
        return document, sizes[index]
    for index in range(start + 1, len(sizes)):
        document = render(sizes[index])
        if fits(document, max_pages):
            return document, sizes[index]
    return None


def _selection(
    action_ids: Sequence[str] | None, only_highlight: bool
) -> Selection | tuple[str, ...]:
    if action_ids is not None:
        return tuple(dict.fromkeys(action_ids))
    return Selection.HIGHLIGHT if only_highlight else Selection.ALL


def menu_card_pdf(
    action_ids: Sequence[str] | None = None,
    *,
    only_highlight: bool = False,
    paper: Paper | str = Paper.A4,
    subtitle: str = "",
) -> bytes:
    """The visual menu card as a one-page PDF, A4 or A3.

    All actions, only the HIGHLIGHT ones, or the given action ids (a plan's), grouped per
    challenge in catalogue order. ValueError for an unknown id or an empty selection.
    """
    return menu_card(action_ids, only_highlight=only_highlight, paper=paper, subtitle=subtitle).pdf


def menu_card(
    action_ids: Sequence[str] | None = None,
    *,
    only_highlight: bool = False,
    paper: Paper | str = Paper.A4,
    subtitle: str = "",
) -> MenuCard:
    """The menu card's PDF with the type size it was laid out at."""
    selection = _selection(action_ids, only_highlight)
    return _menu_card(selection, Paper(paper), subtitle, get_catalogue().version, get_language())


def menu_card_png(
    action_ids: Sequence[str] | None = None,
    *,
    only_highlight: bool = False,
    paper: Paper | str = Paper.A4,
    subtitle: str = "",
) -> bytes:
    """The menu card as a PNG at 150 dpi (1241 × 1754 px at A4), for an intranet page."""
    pdf = menu_card_pdf(action_ids, only_highlight=only_highlight, paper=paper, subtitle=subtitle)
    return _png(pdf)


@lru_cache(maxsize=8)
def _png(pdf: bytes) -> bytes:
    return pdf_page_png(pdf, dpi=PNG_DPI)


def pdf_page_png(pdf: bytes, dpi: int = PNG_DPI, index: int = 0) -> bytes:
    """One page of a PDF as PNG bytes, rendered by PDFium."""
    buffer = io.BytesIO()
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[index]
        try:
            bitmap = page.render(scale=dpi / 72)
            bitmap.to_pil().save(buffer, format="PNG", optimize=True)
            bitmap.close()
        finally:
            page.close()
    finally:
        document.close()
    return buffer.getvalue()


def etag(content: bytes) -> str:
    """A strong ETag for bytes that only change with the catalogue or the templates."""
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
