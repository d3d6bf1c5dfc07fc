"""Convert the PDF-extracted source text of the action catalogue into catalogue.yaml.

Usage:
    python tools/convert_catalogue.py SOURCE.txt leerkansen/content/data/catalogue.yaml

The source is the text of the appendix "uitgewerkte acties" of "Onderzoek informeel leren op de
werkvloer" (see /work/shared/seed/README.md). The script keeps the wording exactly and only removes
PDF artefacts:

- page footers (FOOTER_RE: the document title with "Bijlage : uitgewerkte acties") and the page
  number line after each;
- table-of-contents numbering ("1.2 Actie 1.2. …" → title, " 1 UITDAGING 1: …" → title), including
  the heading numbered "4.6.1" that is really action 4.7 (the id is taken from "Actie 4.7.");
- lines broken inside headings, paragraphs and sub-items (joined with one space; a line that ends
  in "-" without a trailing space is a compound split at the hyphen and is joined without a space,
  keeping the hyphen: "kennisdeling-" + "sessies" → "kennisdeling-sessies"; the extraction writes
  "team- " with a space where the hyphen is followed by a space: "team- en locatiegrenzen");
- bullet glyphs ("•", "o " sub-item markers), stray leading/trailing and double spaces;
- trailing periods of action headings and challenge headings; challenge headings are converted
  from upper case to sentence case (keeping the acronym HR).

Layout rules decided from the source (checked by assertions below):

- Some actions (6.5, 7.3, 8.4, 8.5, 9.4) were extracted with a blank line after every line. In a
  text segment where a blank line is followed by a line starting in lower case, blank lines are
  line wraps, not paragraph breaks; there a paragraph only ends at a short line (shorter than
  SHORT_LINE characters) that ends a sentence. This splits the introduction of 6.5 into its two
  paragraphs and nowhere else.
- A sub-item continues on the next line when that line follows directly, or follows after a blank
  line and starts in lower case; otherwise the line starts the paragraph after the sub-items.
- In action 3.7 the paragraph of the tip "Gebruik maken van gestructureerde reflectievragen" is
  itself preceded by a bullet glyph ("• Ontwikkel een gespreksleidraad …", directly under the tip
  title). A bullet line directly under a tip title, before that tip has any text, is taken as the
  tip's text (the glyph is an artefact; it cannot be a tip of its own as it has no title).

Content fixes that are not mechanical are listed in CONTENT_FIXES and applied by this script;
the script reproduces the committed YAML exactly.

Kept verbatim although probably an extraction glyph: "àLeren" in three sub-items of action 7.1
("Innoveren? àLeren experimenteren, …"), most likely an arrow (Wingdings) in the original PDF.
It is not in the list of artefacts to remove, so it is left for an editorial decision.

Hand edits of the YAML after running this script: none.
"""

from __future__ import annotations

import itertools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

VERSION = "1.0.0"
# "\u2013" is the en dash of the source.
SOURCE_TITLE = "Onderzoek informeel leren op de werkvloer \u2013 Bijlage: uitgewerkte acties"

# Our own short labels (≤ 4 words) for chips and menus, one per challenge.
SHORT_TITLES = {
    1: "Werk gaat voor",
    2: "Onbewust leren",
    3: "Geen processen voor leernoden",
    4: "Veel verschillende locaties",
    5: "Leidinggevenden ondersteunen weinig",
    6: "Wie weet wat?",
    7: "Geen strategisch HR-beleid",
    8: "Vaak alleen werken",
    9: "Weinig coachende vaardigheden",
}

# Actions that are the same practice in another challenge's context (symmetric; see
# docs/catalogue.md for the reason of each pair).
RELATED_PAIRS = [
    ("1.1", "2.2"),
    ("1.5", "7.3"),
    ("4.2", "8.1"),
    ("4.3", "8.3"),
    ("5.2", "9.2"),
    ("5.4", "9.1"),
    ("5.5", "9.3"),
]

# Non-mechanical fixes: (action id, tip title, text as extracted, restored text). Each must match
# exactly once.
CONTENT_FIXES = [
    # First letter lost at a page break: " timuleer deelnemers om concrete werkervaringen …".
    ("4.6", "Verbinding met de praktijk", "timuleer deelnemers", "Stimuleer deelnemers"),
]

ACRONYMS = ("HR",)
SHORT_LINE = 75
EXPECTED_ACTIONS = [5, 5, 7, 7, 5, 5, 4, 5, 5]

FOOTER_RE = re.compile(
    "^Onderzoek informeel leren op de werkvloer \u2013 Bijlage : uitgewerkte acties$"
)
PAGE_NUMBER_RE = re.compile(r"^\d+$")
CHALLENGE_RE = re.compile(r"^(\d+) UITDAGING (\d+):\s*(.*)$")
HIGHLIGHT_RE = re.compile(r"^HIGHLIGHT:\s*(.*)$")
ACTION_RE = re.compile(r"^(\d+(?:\.\d+)+) Actie (\d+\.\d+)\.\s+(.*)$")
TIPS_HEADING = "Wat je kan doen \u2013 inspiratie voor de praktijk"
BULLET_RE = re.compile(r"^•\s*(.*)$")
ITEM_RE = re.compile(r"^o\s+(.*)$")
OVERLAP = "(OVERLAP)"
# Sentence ends, also after a closing quote (\u201d, \u2019) or parenthesis.
SENTENCE_END = (".", "?", "!", ":", ";", "\u201d", "\u2019", '"', ")")


@dataclass
class Line:
    """A non-blank source line."""

    number: int
    text: str  # stripped
    glue: bool  # ends in "-" without a trailing space: join the next line without a space
    blank_before: bool


@dataclass
class TipDraft:
    title: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class ActionDraft:
    id: str
    title: str
    highlight: str | None
    overlap: bool
    intro: list[Line] = field(default_factory=list)
    tips: list[TipDraft] = field(default_factory=list)


@dataclass
class ChallengeDraft:
    number: int
    title: str
    actions: list[ActionDraft] = field(default_factory=list)


def read_lines(path: Path) -> list[Line]:
    """The non-blank lines from the first challenge on, without page footers."""
    raw = path.read_text(encoding="utf-8").split("\n")
    lines: list[Line] = []
    blank = False
    started = False
    skip_page_number = False
    for number, text in enumerate(raw, start=1):
        stripped = " ".join(text.split())
        if skip_page_number:
            skip_page_number = False
            if PAGE_NUMBER_RE.match(stripped):
                continue
        if FOOTER_RE.match(stripped):
            skip_page_number = True
            continue
        if not stripped:
            blank = True
            continue
        if not started:
            if not CHALLENGE_RE.match(stripped):
                continue
            started = True
        glue = text.endswith("-") and not text.endswith(" -")
        lines.append(Line(number, stripped, glue, blank))
        blank = False
    return lines


# A right arrow set in a symbol font comes out of the PDF as "à" glued to the next word:
# "Innoveren? àLeren experimenteren" is "Innoveren? → Leren experimenteren".
SYMBOL_ARROW_RE = re.compile(r"(?<= )à(?=[A-Z])")


def join(lines: list[Line]) -> str:
    out = ""
    for index, line in enumerate(lines):
        if index and not lines[index - 1].glue:
            out += " "
        out += line.text
    return SYMBOL_ARROW_RE.sub("→ ", " ".join(out.split()))


def paragraphs(lines: list[Line]) -> list[str]:
    """Split lines into paragraphs at blank lines (see the module docstring for the rules)."""
    if not lines:
        return []
    double_spaced = any(line.blank_before and line.text[0].islower() for line in lines[1:])
    groups: list[list[Line]] = [[lines[0]]]
    for previous, line in itertools.pairwise(lines):
        if not line.blank_before:
            brk = False
        elif not double_spaced:
            brk = True
        else:
            brk = (
                previous.text.endswith(SENTENCE_END)
                and len(previous.text) < SHORT_LINE
                and line.text[0].isupper()
            )
        if brk:
            groups.append([line])
        else:
            groups[-1].append(line)
    return [join(group) for group in groups]


def sentence_case(text: str) -> str:
    text = text.lower()
    text = text[:1].upper() + text[1:]
    for acronym in ACRONYMS:
        text = re.sub(rf"\b{acronym.lower()}\b", acronym, text)
    return text


def strip_period(text: str) -> str:
    return text[:-1].rstrip() if text.endswith(".") else text


def parse(lines: list[Line]) -> list[ChallengeDraft]:
    challenges: list[ChallengeDraft] = []
    highlight: list[Line] | None = None
    action: ActionDraft | None = None
    in_tips = False
    merged_bullets: list[int] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        text = line.text
        if match := CHALLENGE_RE.match(text):
            assert match.group(1) == match.group(2), text
            parts = [Line(line.number, match.group(3), line.glue, False)]
            while i + 1 < len(lines) and not lines[i + 1].blank_before:
                i += 1
                assert lines[i].text.upper() == lines[i].text, lines[i]
                parts.append(lines[i])
            title = sentence_case(strip_period(join(parts)))
            challenges.append(ChallengeDraft(int(match.group(2)), title))
            action, in_tips, highlight = None, False, None
        elif match := HIGHLIGHT_RE.match(text):
            assert highlight is None, line
            highlight = [Line(line.number, match.group(1), line.glue, False)]
            while (
                i + 1 < len(lines)
                and not lines[i + 1].blank_before
                and not ACTION_RE.match(lines[i + 1].text)
            ):
                i += 1
                highlight.append(lines[i])
            action, in_tips = None, False
        elif match := ACTION_RE.match(text):
            number, action_id, rest = match.groups()
            if number != action_id:
                assert (number, action_id) == ("4.6.1", "4.7"), text
            parts = [Line(line.number, rest, line.glue, False)]
            while i + 1 < len(lines) and (
                lines[i + 1].text[0].islower() or lines[i + 1].text[0] == "("
            ):
                i += 1
                parts.append(lines[i])
            hl_text, overlap = None, False
            if highlight is not None:
                hl_text = join(highlight)
                if hl_text.endswith(OVERLAP):
                    overlap = True
                    hl_text = hl_text[: -len(OVERLAP)].rstrip()
                assert OVERLAP not in hl_text, hl_text
            action = ActionDraft(action_id, strip_period(join(parts)), hl_text, overlap)
            assert OVERLAP not in action.title
            challenges[-1].actions.append(action)
            highlight, in_tips = None, False
        elif text == TIPS_HEADING:
            assert action is not None and not in_tips, line
            in_tips = True
        elif in_tips and (match := BULLET_RE.match(text)):
            assert action is not None
            tip = action.tips[-1] if action.tips else None
            if tip is not None and not tip.lines and not line.blank_before:
                # A bullet glyph in front of the tip's own paragraph (action 3.7).
                merged_bullets.append(line.number)
                tip.lines.append(Line(line.number, match.group(1), line.glue, False))
            else:
                action.tips.append(TipDraft(match.group(1)))
        else:
            assert action is not None and highlight is None, line
            assert OVERLAP not in text, line
            if in_tips:
                assert action.tips, f"text before the first tip in action {action.id}: {line}"
                action.tips[-1].lines.append(line)
            else:
                action.intro.append(line)
        i += 1
    assert len(merged_bullets) == 1, merged_bullets
    return challenges


def build_tip(action_id: str, draft: TipDraft) -> dict:
    before: list[Line] = []
    items: list[list[Line]] = []
    after: list[Line] = []
    for line in draft.lines:
        if match := ITEM_RE.match(line.text):
            assert not after, f"{action_id}: sub-item after a paragraph: {line}"
            items.append([Line(line.number, match.group(1), line.glue, False)])
        elif items and not after and (not line.blank_before or line.text[0].islower()):
            items[-1].append(line)  # the sub-item continues
        elif items:
            after.append(line)
        else:
            before.append(line)
    text = "\n\n".join(paragraphs(before))
    for fix_id, fix_title, old, new in CONTENT_FIXES:
        if (fix_id, fix_title) == (action_id, draft.title):
            assert text.count(old) == 1, (action_id, draft.title, old)
            text = text.replace(old, new)
    return {
        "title": draft.title,
        "text": text,
        "items": [join(item) for item in items],
        "text_after": "\n\n".join(paragraphs(after)),
    }


def build(challenges: list[ChallengeDraft]) -> dict:
    related: dict[str, list[str]] = {}
    for a, b in RELATED_PAIRS:
        related.setdefault(a, []).append(b)
        related.setdefault(b, []).append(a)
    data = {"version": VERSION, "source": SOURCE_TITLE, "challenges": []}
    for challenge in challenges:
        actions = []
        for action in challenge.actions:
            intro = paragraphs(action.intro)
            assert intro and action.tips, action.id
            actions.append(
                {
                    "id": action.id,
                    "title": action.title,
                    "highlight": action.highlight,
                    "overlap": action.overlap,
                    "related": sorted(related.get(action.id, [])),
                    "introduction": "\n\n".join(intro),
                    "tips": [build_tip(action.id, tip) for tip in action.tips],
                }
            )
        data["challenges"].append(
            {
                "number": challenge.number,
                "title": challenge.title,
                "short_title": SHORT_TITLES[challenge.number],
                "actions": actions,
            }
        )
    check(data)
    return data


def check(data: dict) -> None:
    challenges = data["challenges"]
    assert [c["number"] for c in challenges] == list(range(1, 10))
    assert [len(c["actions"]) for c in challenges] == EXPECTED_ACTIONS
    ids = {a["id"] for c in challenges for a in c["actions"]}
    for c in challenges:
        for n, a in enumerate(c["actions"], start=1):
            assert a["id"] == f"{c['number']}.{n}", a["id"]
            assert all(r in ids for r in a["related"]), a["id"]
            for tip in a["tips"]:
                assert tip["title"], a["id"]
                for fragment in [tip["text"], tip["text_after"], *tip["items"]]:
                    for paragraph in fragment.split("\n\n") if fragment else []:
                        assert not paragraph[0].islower(), (a["id"], paragraph)
    assert len(set(SHORT_TITLES.values())) == 9
    assert all(len(title.split()) <= 4 for title in SHORT_TITLES.values())


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(data: dict) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100000, indent=2
    )


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    source, target = Path(argv[1]), Path(argv[2])
    data = build(parse(read_lines(source)))
    text = dump(data)
    assert yaml.safe_load(text) == data
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    actions = sum(len(c["actions"]) for c in data["challenges"])
    print(f"{target}: {len(data['challenges'])} challenges, {actions} actions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
