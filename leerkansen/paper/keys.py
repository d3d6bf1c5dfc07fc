"""What HR types for a ticked box: the numbers printed next to the boxes of the paper form.

Every item's options are numbered from 1 in the questionnaire's order, "Weet niet" is 0, and
an empty field is a question left open. The same numbers are printed on the form
(printing.py), typed on the entry screen (views.py) and written in an import's cells
(spreadsheets.py), so one rule reads all three. An item of more than nine options (the
sector) takes two digits on the entry screen, "01" to "21" and "00", so that the cursor can
move on after the second one; a single digit is read the same.

"Weet niet" is printed on every question. On an item that does not take it (the ranked needs
and their urgency, the sector), a ticked "Weet niet" is read as no answer: the respondent gave
none.

An open question takes the written text itself, of at most the questionnaire's
MAX_TEXT_LENGTH characters; a control character in it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from leerkansen.content.questionnaire import (
    MAX_TEXT_LENGTH,
    Item,
    Questionnaire,
    get_questionnaire,
)
from leerkansen.lib.text import clean_text

DONT_KNOW_KEY = "0"


class NotAnswered:
    """The marker of a question left open: no answer row is stored."""

    def __repr__(self) -> str:
        return "NOT_ANSWERED"


NOT_ANSWERED = NotAnswered()


@dataclass(frozen=True)
class Key:
    """One printed box of an item: the number to type and what it means."""

    number: str
    label: str


def choices(item: Item, dont_know_label: str | None = None) -> list[Key]:
    """The item's boxes in print order: its options 1..n, then "Weet niet" (0). The numbers
    are the same in every language (a translation keeps the options' order); the labels are
    the item's, "Weet niet" the Dutch one unless another language's label is given."""
    numbered = [option for option in item.options if option.value is not None]
    keys = [Key(str(index), option.label) for index, option in enumerate(numbered, start=1)]
    dont_know = dont_know_label or get_questionnaire().scales.dont_know_label
    return [*keys, Key(DONT_KNOW_KEY, dont_know)]


def option_count(item: Item) -> int:
    """How many numbered options (without "Weet niet") the item has; 0 for an open question."""
    return sum(1 for option in item.options if option.value is not None)


def allowed_text(item: Item) -> str:
    """The values an item takes, as the entry screen and the import's template say them."""
    if item.scale == "text":
        return gettext("text, at most %(limit)d characters") % {"limit": MAX_TEXT_LENGTH}
    return gettext("1 to %(last)d, 0 = don't know, empty = no answer") % {
        "last": option_count(item)
    }


def has_control_characters(text: str) -> bool:
    return clean_text(text) != text


def read_key(item: Item, typed: str) -> object:
    """The answer value the typed key stands for, NOT_ANSWERED, or a ValueError with the
    Dutch reason (which names no question: the caller does)."""
    if has_control_characters(typed):
        raise ValueError(gettext("it contains an invisible control character"))
    if item.scale == "text":
        text = typed.strip()
        if not text:
            return NOT_ANSWERED
        if len(text) > MAX_TEXT_LENGTH:
            raise ValueError(
                gettext("the text is longer than %(limit)d characters") % {"limit": MAX_TEXT_LENGTH}
            )
        return text
    key = typed.strip()
    if not key:
        return NOT_ANSWERED
    # A spreadsheet may hand a whole number over as "3.0".
    if key.endswith(".0") and key[:-2].isdigit():
        key = key[:-2]
    numbered = [option for option in item.options if option.value is not None]
    # An item of more than nine options is typed in two digits: "07" is 7, "00" is 0.
    if len(key) == 2 and key.startswith("0") and key.isascii() and key.isdigit():
        key = key[1]
    if key == DONT_KNOW_KEY:
        return None if item.allows_dont_know else NOT_ANSWERED
    if key.isascii() and key.isdigit() and 1 <= int(key) <= len(numbered):
        return numbered[int(key) - 1].value
    raise ValueError(
        gettext("“%(typed)s” is not one of its boxes: type 1 to %(last)d, or 0 for don't know")
        % {"typed": key[:20], "last": len(numbered)}
    )


def read_answers(
    questionnaire: Questionnaire, typed: dict[str, str]
) -> tuple[dict[str, object], dict[str, str]]:
    """(answers by item id, Dutch reason by item id) for the typed keys of one questionnaire.

    Keys of items the version does not ask are left out by the callers before this; ranking the
    same challenge twice is judged by the questionnaire (validate_answers), like online.
    """
    answers: dict[str, object] = {}
    problems: dict[str, str] = {}
    for item in questionnaire.items():
        try:
            value = read_key(item, typed.get(item.id, ""))
        except ValueError as error:
            problems[item.id] = str(error)
            continue
        if value is not NOT_ANSWERED:
            answers[item.id] = value
    if not problems:
        for item_id, messages in questionnaire.validate_answers(answers).items():
            problems[item_id] = " ".join(messages)
    return answers, problems
