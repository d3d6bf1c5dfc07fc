"""The checks of the questionnaire file that look across sections and items.

Split from questionnaire.py by concept: the schema and its versions per role live there, the
rules that look at the whole file here. Each function returns (field path, message) pairs for
datafiles.FieldProblems.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext

if TYPE_CHECKING:
    from .catalogue import Catalogue
    from .questionnaire import Item, Questionnaire, Scales

Problems = list[tuple[tuple[int | str, ...], str]]

CHALLENGES = range(1, 10)
# Per challenge, in every role's version and in the file as a whole.
ITEMS_PER_CHALLENGE = (4, 5)
REVERSE_PER_CHALLENGE = (1, 2)
# Per challenge: items every role answers, so that the roles' scores share a footing.
MIN_ANCHORS_PER_CHALLENGE = 2
# An open question ("scale: text") takes a free text of at most this many characters.
MAX_TEXT_LENGTH = 1000


def not_blank(text: str) -> str:
    """A text field of the file: something to read, without spaces around it."""
    if not text.strip():
        raise ValueError("text is blank")
    if text != text.strip():
        raise ValueError("text has leading or trailing spaces")
    return text


def accepts(item: Item, value: object) -> bool:
    if value is None:
        return item.optional or item.allows_dont_know
    if item.scale == "text":
        return isinstance(value, str) and bool(value.strip()) and len(value) <= MAX_TEXT_LENGTH
    # type() and not isinstance(): True is an int and 1.0 == 1, neither is an answer.
    return any(
        option.value is not None and type(value) is type(option.value) and value == option.value
        for option in item.options
    )


def choose_message(scales: Scales, item: Item) -> str:
    """The Dutch message for an answer `item` cannot accept."""
    if item.scale in ("agreement", "urgency"):
        scale = getattr(scales, item.scale)
        bounds = {
            "first": scale[0].value,
            "first_label": scale[0].label,
            "last": scale[-1].value,
            "last_label": scale[-1].label,
            "dont_know": scales.dont_know_label,
        }
        if item.scale == "agreement":
            return (
                gettext(
                    "Choose an answer from %(first)s (%(first_label)s) to %(last)s "
                    "(%(last_label)s), or choose “%(dont_know)s”."
                )
                % bounds
            )
        return (
            gettext(
                "Choose how urgent, from %(first)s (%(first_label)s) to %(last)s (%(last_label)s)."
            )
            % bounds
        )
    if item.scale == "challenges":
        return gettext("Choose one of the nine challenges.")
    if item.scale == "text":
        return gettext("Write your answer as text, in %(limit)s characters at most.") % {
            "limit": MAX_TEXT_LENGTH
        }
    return gettext("Choose one of the answers to this question.")


def duplicates(field: str, values: list[Any]) -> Problems:
    seen: set[Any] = set()
    problems = []
    for index, value in enumerate(values):
        if value in seen:
            problems.append(((field, index, "value"), f"value {value!r} occurs twice"))
        seen.add(value)
    return problems


def problems_in_sections(questionnaire: Questionnaire, kinds_required: tuple[str, ...]) -> Problems:
    problems: Problems = []
    ids = Counter(section.id for section in questionnaire.sections)
    kinds = Counter(section.kind for section in questionnaire.sections)
    for index, section in enumerate(questionnaire.sections):
        if ids[section.id] > 1:
            problems.append((("sections", index, "id"), f"section id {section.id} occurs twice"))
        if kinds[section.kind] > 1:
            problems.append((("sections", index, "kind"), f"kind {section.kind} occurs twice"))
    for kind in kinds_required:
        if kind not in kinds:
            problems.append((("sections",), f"no section of kind {kind}"))
    return problems


def problems_in_items(questionnaire: Questionnaire, roles: tuple[str, ...]) -> Problems:
    """Unique ids; per challenge 4-5 items with 1-2 reverse keys in every role's version, and
    at least MIN_ANCHORS_PER_CHALLENGE items every role answers; earlier versions' forms."""
    problems: Problems = []
    where: dict[str, tuple[int | str, ...]] = {}
    for s, section in enumerate(questionnaire.sections):
        where.update({item.id: ("sections", s, "items", i) for i, item in enumerate(section.items)})
    first: dict[str, str] = {}
    for item in questionnaire.items():
        # Generated rows (section C) have no place in the file; name their section.
        loc = where.get(item.id, ("sections", section_index(questionnaire, item.section)))
        if item.id in first:
            message = f"item id {item.id} occurs twice (first in section {first[item.id]})"
            problems.append(((*loc, "id"), message))
        else:
            first[item.id] = item.section
    diagnostic = next(
        index for index, s in enumerate(questionnaire.sections) if s.kind == "diagnostic"
    )
    at = ("sections", diagnostic, "items")
    for challenge in CHALLENGES:
        items = [i for i in questionnaire.diagnostic_items(challenge) if i.roles]
        for role in roles:
            problems += _form_problems(at, challenge, role, [i for i in items if role in i.roles])
        anchors = [item for item in items if set(roles) <= set(item.roles)]
        if items and len(anchors) < MIN_ANCHORS_PER_CHALLENGE:
            problems.append(
                (
                    at,
                    f"challenge {challenge} has {len(anchors)} items every role answers, "
                    f"needs at least {MIN_ANCHORS_PER_CHALLENGE}",
                )
            )
    for index, earlier in enumerate(questionnaire.earlier_versions):
        for position, item_id in enumerate(earlier.diagnostic_items):
            item = questionnaire.item(item_id)
            if item is None or item.challenge is None:
                problems.append(
                    (
                        ("earlier_versions", index, "diagnostic_items", position),
                        f"{item_id} is not a diagnostic item of this file",
                    )
                )
    return problems


def _form_problems(
    at: tuple[int | str, ...], challenge: int, role: str, items: list[Item]
) -> Problems:
    low, high = ITEMS_PER_CHALLENGE
    low_reverse, high_reverse = REVERSE_PER_CHALLENGE
    reverse = sum(item.reverse for item in items)
    problems: Problems = []
    if not low <= len(items) <= high:
        problems.append(
            (at, f"challenge {challenge} has {len(items)} items for {role}, needs {low} to {high}")
        )
    if items and not low_reverse <= reverse <= high_reverse:
        problems.append(
            (
                at,
                f"challenge {challenge} has {reverse} reverse-keyed items for {role}, "
                f"needs {low_reverse} to {high_reverse}",
            )
        )
    return problems


def problems_in_same_practice(questionnaire: Questionnaire, catalogue: Catalogue) -> Problems:
    """Actions asked in one row (or with a text of their own) must be catalogue actions, each
    in one group at most."""
    problems: Problems = []
    seen: set[str] = set()
    for s, section in enumerate(questionnaire.sections):
        for action_id in section.row_texts:
            if catalogue.action(action_id) is None:
                at = ("sections", s, "row_texts", action_id)
                problems.append((at, f"action {action_id} is not in the catalogue"))
        for g, group in enumerate(section.same_practice):
            for a, action_id in enumerate(group):
                at = ("sections", s, "same_practice", g, a)
                if catalogue.action(action_id) is None:
                    problems.append((at, f"action {action_id} is not in the catalogue"))
                elif action_id in seen:
                    problems.append((at, f"action {action_id} is in two groups"))
                seen.add(action_id)
    return problems


def section_index(questionnaire: Questionnaire, section_id: str) -> int:
    return next(i for i, s in enumerate(questionnaire.sections) if s.id == section_id)
