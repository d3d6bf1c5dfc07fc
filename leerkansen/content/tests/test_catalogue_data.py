"""Checks of the committed catalogue data file against its schema and its Dutch source text.

The source-comparison tests read the PDF-extracted source in ../shared/seed/ next to the repo root
and are skipped when it is absent.
"""

import re
import unicodedata
from pathlib import Path

import pytest

SOURCE_FILE = (
    Path(__file__).resolve().parents[3].parent / "shared" / "seed" / "000_1fd2b23c8e285c7e.txt"
)

EXPECTED_ACTIONS_PER_CHALLENGE = [5, 5, 7, 7, 5, 5, 4, 5, 5]
FOOTER = "Onderzoek informeel leren op de werkvloer"
# Restorations of text lost in the PDF extraction: text in the data file → text in the source.
RESTORED = {
    "? → Leren": "? àLeren",
    "Stimuleer deelnemers om concrete werkervaringen": (
        "timuleer deelnemers om concrete werkervaringen"
    ),
}

TOP_KEYS = ["version", "source", "challenges"]
CHALLENGE_KEYS = ["number", "title", "short_title", "actions"]
ACTION_KEYS = ["id", "title", "highlight", "overlap", "related", "introduction", "tips"]
TIP_KEYS = ["title", "text", "items", "text_after"]


@pytest.fixture(scope="module")
def source_text():
    if not SOURCE_FILE.exists():
        pytest.skip(f"source text not available at {SOURCE_FILE}")
    return SOURCE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def normalised_source(source_text):
    return normalise_source(source_text)


def normalise_source(text):
    """The source as one line: no footers, no bullet glyphs, lines joined, whitespace collapsed.

    A line ending in "-" without a trailing space is a compound split at its hyphen and is joined
    to the next line without a space.
    """
    lines = [line for line in text.split("\n") if line.strip()]
    out = []
    skip_number = False
    for line in lines:
        if skip_number and re.fullmatch(r"\s*\d+\s*", line):
            skip_number = False
            continue
        skip_number = False
        if line.strip().startswith(FOOTER):
            skip_number = True
            continue
        line = line.replace("•", " ").replace("\uf0b7", " ")
        out.append(line if line.endswith("-") else line + " ")
    return collapse("".join(out))


def collapse(text):
    return " ".join(text.split())


def in_source(fragment, normalised):
    fragment = collapse(fragment)
    for restored, extracted in RESTORED.items():
        fragment = fragment.replace(restored, extracted)
    return fragment in normalised


def all_strings(data):
    """(location, value) for every string in the data file."""
    found = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else key)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")
        elif isinstance(node, str):
            found.append((path, node))

    walk(data, "")
    return found


def paragraphs(value):
    return value.split("\n\n") if value else []


def text_fragments(action):
    """(label, paragraph) for the running text and sub-items of an action."""
    fragments = [("introduction", p) for p in paragraphs(action["introduction"])]
    for tip in action["tips"]:
        label = f"tip {tip['title']!r}"
        fragments += [(f"{label} text", p) for p in paragraphs(tip["text"])]
        fragments += [(f"{label} item", item) for item in tip["items"]]
        fragments += [(f"{label} text_after", p) for p in paragraphs(tip["text_after"])]
    return fragments


def test_file_has_exactly_the_schema_keys(data):
    assert list(data) == TOP_KEYS
    assert isinstance(data["version"], str) and data["version"]
    assert data["source"] == (
        "Onderzoek informeel leren op de werkvloer – Bijlage: uitgewerkte acties"
    )
    for challenge in data["challenges"]:
        assert list(challenge) == CHALLENGE_KEYS
        for action in challenge["actions"]:
            assert list(action) == ACTION_KEYS, action["id"]
            assert isinstance(action["overlap"], bool)
            assert isinstance(action["related"], list)
            assert action["highlight"] is None or isinstance(action["highlight"], str)
            for entry in action["tips"]:
                assert list(entry) == TIP_KEYS, action["id"]
                assert isinstance(entry["items"], list)


def test_has_nine_challenges_numbered_in_order(data):
    assert [c["number"] for c in data["challenges"]] == list(range(1, 10))


def test_has_48_actions_with_the_expected_number_per_challenge(data, actions):
    assert [len(c["actions"]) for c in data["challenges"]] == EXPECTED_ACTIONS_PER_CHALLENGE
    assert len(actions) == 48


def test_action_ids_are_unique_well_formed_and_numbered_in_order(data, actions):
    ids = [action["id"] for action in actions]
    assert len(set(ids)) == len(ids)
    for challenge in data["challenges"]:
        for index, action in enumerate(challenge["actions"], start=1):
            assert re.fullmatch(r"^\d\.\d$", action["id"])
            assert action["id"] == f"{challenge['number']}.{index}"


def test_every_action_has_a_title_an_introduction_and_tips(actions):
    for action in actions:
        assert action["title"], action["id"]
        assert action["introduction"], action["id"]
        assert action["tips"], action["id"]
        for entry in action["tips"]:
            assert entry["title"], action["id"]
            assert entry["text"] or entry["items"], (action["id"], entry["title"])


def test_text_after_only_follows_sub_items(actions):
    for action in actions:
        for entry in action["tips"]:
            if entry["text_after"]:
                assert entry["items"], (action["id"], entry["title"])


def test_challenge_titles_are_sentence_case_without_final_period(data):
    for challenge in data["challenges"]:
        title = challenge["title"]
        assert title[0].isupper() and not title.endswith("."), title
        words = re.findall(r"[^\W\d_]+", title[1:])
        assert all(word.islower() or word == "HR" for word in words), title


def test_short_titles_are_distinct_and_at_most_four_words(data):
    short_titles = [c["short_title"] for c in data["challenges"]]
    assert len(set(short_titles)) == 9
    assert all(1 <= len(title.split()) <= 4 for title in short_titles)


def test_action_titles_have_no_numbering_or_final_period(actions):
    for action in actions:
        assert not re.match(r"^\s*[\d.]+\s", action["title"]), action["title"]
        assert "Actie" not in action["title"]
        assert not action["title"].endswith("."), action["title"]


# --- related and overlap ---------------------------------------------------------------------


def test_related_is_symmetric_and_points_to_actions_in_other_challenges(by_id):
    for action_id, action in by_id.items():
        assert len(set(action["related"])) == len(action["related"])
        for other in action["related"]:
            assert other in by_id, f"{action_id} → {other} does not exist"
            assert other.split(".")[0] != action_id.split(".")[0], f"{action_id} → {other}"
            assert action_id in by_id[other]["related"], f"{action_id} → {other} not back"


def test_the_briefed_related_pairs_are_present(by_id):
    assert "2.2" in by_id["1.1"]["related"]
    assert "9.1" in by_id["5.4"]["related"]


def test_overlap_is_set_exactly_where_the_source_writes_overlap(actions, source_text):
    start = re.search(r"UITDAGING 1:", source_text).start()
    body = source_text[start:]
    marked = set()
    for marker in re.finditer(re.escape("(OVERLAP)"), body):
        heading = re.compile(r"Actie (\d\.\d)\.").search(body, marker.end())
        assert heading is not None
        # The marker belongs to the HIGHLIGHT block just before the heading.
        between = body[marker.end() : heading.start()]
        assert "Wat je kan doen" not in between and "HIGHLIGHT" not in between
        marked.add(heading.group(1))
    assert marked, "no (OVERLAP) marker found in the source"
    assert {a["id"] for a in actions if a["overlap"]} == marked


def test_highlight_is_set_exactly_where_the_source_has_a_highlight_line(actions, source_text):
    body = source_text[re.search(r"UITDAGING 1:", source_text).start() :]
    expected = set()
    for marker in re.finditer(r"^\s*HIGHLIGHT:", body, flags=re.MULTILINE):
        heading = re.compile(r"Actie (\d\.\d)\.").search(body, marker.end())
        expected.add(heading.group(1))
    assert {a["id"] for a in actions if a["highlight"] is not None} == expected


# --- artefacts -----------------------------------------------------------------------------


def test_no_pdf_artefacts_in_any_string(data):
    # The metadata field "source" names the document (and so its footer text) on purpose.
    for location, value in all_strings({"challenges": data["challenges"]}):
        assert "•" not in value, location
        assert "\uf0b7" not in value, location
        assert FOOTER not in value, location
        assert "Bijlage :" not in value, location
        assert "(OVERLAP)" not in value, location
        assert "HIGHLIGHT:" not in value, location
        assert "  " not in value, location
        assert "\t" not in value and "\r" not in value, location
        assert not re.search(r"(?:^|\s)o\s", value), f"{location}: sub-item marker in {value!r}"
        assert not re.search(r"\w- (?!(?:en|of|en/of|&)(?:\s|$))", value), (
            f"{location}: line-end hyphen joined with a space in {value!r}"
        )
        assert not re.search(r"\bActie \d", value), location
        assert not re.search(r"\d\.\d\.\d", value), location


def test_strings_are_clean_unicode(data):
    for location, value in all_strings(data):
        assert unicodedata.is_normalized("NFC", value), location
        for char in value:
            category = unicodedata.category(char)
            assert category not in ("Co", "Cs", "Cf") or char == "\u00ad", (
                location,
                hex(ord(char)),
            )
            assert category != "Cc" or char == "\n", (location, hex(ord(char)))


def test_no_leading_or_trailing_whitespace_and_no_line_breaks_inside_paragraphs(data):
    multi_paragraph = ("introduction", "text", "text_after")
    for location, value in all_strings(data):
        field = location.rsplit(".", 1)[-1]
        pieces = value.split("\n\n") if field in multi_paragraph else [value]
        for piece in pieces:
            assert piece == piece.strip(), location
            assert "\n" not in piece, location
            if field in multi_paragraph and value:
                assert piece, f"{location}: empty paragraph"


def test_no_paragraph_or_item_starts_with_a_lower_case_letter(actions):
    for action in actions:
        for label, fragment in text_fragments(action):
            assert not fragment[0].islower(), f"{action['id']} {label}: {fragment!r}"


# --- faithfulness to the source --------------------------------------------------------------


def test_every_paragraph_and_item_appears_in_the_source(actions, normalised_source):
    missing = [
        f"{action['id']} {label}: {fragment!r}"
        for action in actions
        for label, fragment in text_fragments(action)
        if not in_source(fragment, normalised_source)
    ]
    assert not missing, "\n".join(missing)


def test_titles_tip_titles_and_highlights_appear_in_the_source(actions, normalised_source):
    for action in actions:
        assert in_source(f"Actie {action['id']}. {action['title']}", normalised_source) or (
            in_source(action["title"], normalised_source)
        ), action["id"]
        if action["highlight"] is not None:
            assert in_source(f"HIGHLIGHT: {action['highlight']}", normalised_source), action["id"]
        for entry in action["tips"]:
            assert in_source(entry["title"], normalised_source), (action["id"], entry["title"])


def test_challenge_titles_appear_in_the_source(data, normalised_source):
    for challenge in data["challenges"]:
        heading = f"UITDAGING {challenge['number']}: {challenge['title']}".casefold()
        assert heading in normalised_source.casefold(), challenge["number"]


def words(text):
    """Lower-case words and numbers, for an order-preserving comparison that ignores punctuation."""
    return re.findall(r"\w+", text.casefold())


def test_nothing_is_lost_or_added_compared_to_the_source(data, normalised_source):
    """The data, read in source order, has exactly the words of the source from challenge 1 on.

    Only the artefacts are removed from the source first: table-of-contents numbering, the "o"
    sub-item markers and the "(OVERLAP)" markers (kept as the overlap flag).
    """
    body = normalised_source[re.search(r"\d UITDAGING 1:", normalised_source).start() :]
    body = re.sub(r"\d+ (?=UITDAGING \d)", " ", body)
    body = re.sub(r"[\d.]+ (?=Actie \d\.\d\.)", " ", body)
    body = body.replace("(OVERLAP)", " ")
    source_words = [word for word in words(body) if word != "o"]

    rendered = []
    for challenge in data["challenges"]:
        rendered.append(f"UITDAGING {challenge['number']}: {challenge['title']}")
        for action in challenge["actions"]:
            if action["highlight"] is not None:
                rendered.append(f"HIGHLIGHT: {action['highlight']}")
            rendered.append(f"Actie {action['id']}. {action['title']}")
            rendered.append(action["introduction"])
            rendered.append("Wat je kan doen – inspiratie voor de praktijk")
            for entry in action["tips"]:
                rendered += [entry["title"], entry["text"], *entry["items"], entry["text_after"]]
    text = " ".join(rendered)
    for restored, extracted in RESTORED.items():
        text = text.replace(restored, extracted)
    data_words = words(text)
    if data_words != source_words:
        index = next(
            (i for i, (a, b) in enumerate(zip(data_words, source_words, strict=False)) if a != b),
            min(len(data_words), len(source_words)),
        )
        pytest.fail(
            f"first difference at word {index}: data {data_words[index - 5 : index + 8]} "
            f"vs source {source_words[index - 5 : index + 8]}"
        )


# --- spot checks ---------------------------------------------------------------------------
