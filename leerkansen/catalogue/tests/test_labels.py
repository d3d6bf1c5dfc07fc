"""Labels that explain themselves: HIGHLIGHT with its meaning, and the overlap between
challenges marked on both actions of every related pair, wherever actions are shown."""

import io
import re

import pytest
from pypdf import PdfReader

from leerkansen.catalogue.printing import menu_card_pdf, sheet_pdf
from leerkansen.content.catalogue import get_catalogue

# The source's introduction ("Vooraf"): "Deze acties kwamen in de analyse of in workshops
# naar voren als bijzonder krachtig of veelbelovend."
MEANING = (
    "Een actie die in de analyse of in workshops naar voren kwam als bijzonder krachtig of "
    "veelbelovend."
)
OVERLAP_MEANING = "Sommige acties komen bij meerdere uitdagingen terug"

CATALOGUE = get_catalogue()
ACTIONS = list(CATALOGUE.actions())
HIGHLIGHTED = [action for action in ACTIONS if action.highlight]
# Every related pair, in both directions: (action, the other action).
PAIRS = [(action, CATALOGUE.action(other)) for action in ACTIONS for other in action.related]


def squeeze(text: str) -> str:
    """Text without any white space: a line may break anywhere in a PDF."""
    return "".join(text.split())


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def mark(other) -> str:
    return f"Komt ook terug bij actie {other.id} (uitdaging {other.challenge_number})"


def entry(html: str, slug: str) -> str:
    """One action's block of the menu or the report, up to the next list item."""
    start = html.index(f'id="{slug}"')
    return html[start : html.index("</li>", start)]


def test_the_pairs_include_1_1_and_2_2_both_ways():
    ids = {(action.id, other.id) for action, other in PAIRS}
    assert {("1.1", "2.2"), ("2.2", "1.1")} <= ids
    # Related is symmetric in the catalogue: every pair appears both ways.
    assert all((b, a) in ids for a, b in ids)


# -- Web: the action menu and the action page ----------------------------------------------


def test_menu_explains_highlight_on_every_label_and_in_a_legend(client):
    html = client.get("/acties/").content.decode()
    labels = re.findall(
        r'<span class="label label--highlight"[^>]*>HIGHLIGHT</span>.*?</span>', html
    )
    assert len(labels) == len(HIGHLIGHTED)
    for label in labels:
        # A tooltip for the mouse, a text for screen readers.
        assert f'title="{MEANING}"' in label
        assert label.endswith(f'<span class="visually-hidden"> ({MEANING})</span>')
    legend = html[html.index('class="label-legend"') :]
    legend = legend[: legend.index("</div>")]
    assert f"HIGHLIGHT</span> {MEANING}" in legend
    assert OVERLAP_MEANING in legend


def test_menu_marks_both_actions_of_every_related_pair(client):
    html = client.get("/acties/").content.decode()
    for action, other in PAIRS:
        assert mark(other) in entry(html, action.slug), (action.id, other.id)
    unrelated = next(action for action in ACTIONS if not action.related)
    assert "Komt ook terug bij actie" not in entry(html, unrelated.slug)


def test_highlight_filter_says_how_many_of_all_actions_it_keeps(client):
    total, kept = len(ACTIONS), len(HIGHLIGHTED)
    assert 0 < kept < total
    everything = client.get("/acties/").content.decode()
    assert f"Alleen HIGHLIGHT-acties ({kept} van de {total})" in everything
    assert f"alleen de {kept} HIGHLIGHT-acties van de {total} (pdf, A4)" in everything
    filtered = client.get("/acties/", {"highlight": "on"}).content.decode()
    status = re.search(r'<p class="result-count" role="status">(.*?)</p>', filtered, re.S)
    assert " ".join(status.group(1).split()) == (
        f"{kept} van de {total} acties: alleen de HIGHLIGHT-acties"
    )
    assert filtered.count('<details class="action"') == kept
    # With a search as well, the count is of what the search found.
    searched = client.get("/acties/", {"highlight": "on", "q": "coach"}).content.decode()
    assert "acties gevonden" in searched and f"van de {total} acties:" not in searched


@pytest.mark.parametrize("action_id", ["1.1", "2.2", "9.1", "5.3"])
def test_action_page_explains_the_labels_it_carries(client, action_id):
    action = CATALOGUE.action(action_id)
    html = client.get(f"/acties/{action_id}/").content.decode()
    assert (MEANING in html) == bool(action.highlight)
    assert (OVERLAP_MEANING in html) == bool(action.related)
    for other_id in action.related:
        assert mark(CATALOGUE.action(other_id)) in html
    if not action.highlight and not action.related:
        assert 'class="label-legend"' not in html


# -- Print: the menu card and the overview sheets ------------------------------------------


def test_menu_card_explains_highlight_and_marks_every_related_pair():
    text = squeeze(pdf_text(menu_card_pdf()))
    assert squeeze(f"★ HIGHLIGHT {MEANING}") in text
    assert squeeze(OVERLAP_MEANING) in text
    for action, other in PAIRS:
        line = squeeze(f"{action.id} {action.title}")
        after = text[text.index(line) + len(line) :]
        # Right after the title (and its ★): "komt ook terug bij 2.2".
        assert after.lstrip("★").startswith(squeeze(f"komt ook terug bij {other.id}")) or (
            # An action related to two others lists both, in catalogue order.
            squeeze(f"komt ook terug bij {other.id}") in after[:60]
        ), (action.id, other.id)


def test_highlight_menu_card_says_how_many_of_all_actions_it_holds():
    text = " ".join(pdf_text(menu_card_pdf(only_highlight=True)).split())
    assert f"{len(HIGHLIGHTED)} van de {len(ACTIONS)} acties: de HIGHLIGHT-acties" in text
    assert squeeze(MEANING) in squeeze(text)


@pytest.mark.parametrize("action_id", ["1.1", "2.2", "5.3"])
def test_sheet_explains_highlight_and_names_where_the_action_returns(action_id):
    action = CATALOGUE.action(action_id)
    text = squeeze(pdf_text(sheet_pdf(action)))
    assert (squeeze(MEANING) in text) == bool(action.highlight)
    assert (squeeze("Komt ook terug bij") in text) == bool(action.related)
    for other_id in action.related:
        other = CATALOGUE.action(other_id)
        assert squeeze(f"{other.id} {other.title} (uitdaging {other.challenge_number})") in text


# -- The report: the shared partials carry the labels into it ------------------------------


@pytest.mark.django_db
def test_report_explains_highlight_and_marks_every_related_pair_on_the_page_and_in_the_pdf(
    client,
):
    from leerkansen.reports.demo import load_demo

    load_demo()
    html = client.get("/rapport/demo/").content.decode()
    all_actions = html[html.index('id="alle-acties"') :]
    assert f'<span class="visually-hidden"> ({MEANING})</span>' in entry(all_actions, "actie-1-1")
    for action, other in PAIRS:
        assert mark(other) in entry(all_actions, action.slug), (action.id, other.id)
    assert squeeze(OVERLAP_MEANING) in squeeze(all_actions)
    text = " ".join(pdf_text(client.get("/rapport/demo/rapport.pdf").content).split())
    for _action, other in PAIRS:
        assert mark(other) in text, other.id
    # The appendix's legend: the labels' meaning is printed, not only read out.
    assert squeeze(OVERLAP_MEANING) in squeeze(text)
    assert squeeze(f"HIGHLIGHT {MEANING}") in squeeze(text)
