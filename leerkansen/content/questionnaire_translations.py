"""The questionnaire in French and English: its texts per language, checked against the Dutch.

data/questionnaire.yaml is the questionnaire: its items, their ids, options and roles, in Dutch.
A translation (data/questionnaire.<language>.yaml) holds only texts, keyed by id:

    version: "2.0.0"        # the Dutch file's version it translates
    language: fr
    anonymity_note: ...
    scales: {agreement: {1: ...}, practice: {al: ...}, urgency: {1: ...}, dont_know_label: ...}
    sections: {A: {title: ..., purpose: ...}}
    items: {A_sector: {text: ..., options: {A: ..., B: ...}}}

An item's `options` are given where the Dutch item has options of its own, with the same
values. Two kinds of text come from the catalogue in Dutch, and a translation gives them too:
the challenges' titles (section D's choices, section C's headings), as `challenges: {1: ...}`
(or as the `options` of a needs item), and the rows of section C, as an item (`C_1_1: {text:
...}`), as `sections: {C: {row_texts: {"1.1": ...}}}` or as `actions: {"1.1": ...}`. Retired
items are left out: nobody is asked them.

A translation is checked when it is loaded: it must give every text of every item, section
and scale any role is asked, with the same option values, for the same version; anything
missing, unknown or blank raises QuestionnaireError naming the file and the field. Answers
stay language-free: a translated version has the Dutch version's items, ids and option values,
with other texts (`Questionnaire.item(id).text` is the text in `questionnaire.language`).
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .questionnaire import (
    DATA_FILE,
    Item,
    Option,
    Questionnaire,
    QuestionnaireError,
    ScaleOption,
    get_questionnaire,
)

logger = logging.getLogger(__name__)

# The questionnaire's languages: Dutch first (the file itself), then the translations.
LANGUAGES = ("nl", "fr", "en")
TRANSLATED = ("fr", "en")
TOP_LEVEL_KEYS = {
    "version",
    "language",
    "anonymity_note",
    "scales",
    "sections",
    "items",
    "challenges",
    "actions",
}
SECTION_KEYS = {"title", "purpose", "row_texts"}
ITEM_KEYS = {"text", "options"}

Problems = list[str]


def translation_file(language: str) -> Path:
    """Where the translation into `language` lives: next to the Dutch file."""
    return DATA_FILE.with_name(f"questionnaire.{language}.yaml")


def _text(value: object, where: str, problems: Problems) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: give a text" if value is None else f"{where}: text is blank")
        return ""
    if value != value.strip():
        problems.append(f"{where}: text has leading or trailing spaces")
    return value.strip()


def _mapping(value: object, where: str, problems: Problems) -> dict:
    if value is None:
        problems.append(f"{where}: missing")
        return {}
    if not isinstance(value, dict):
        problems.append(f"{where}: must be a mapping")
        return {}
    return value


def _labels(
    given: object, values: list[object], where: str, problems: Problems
) -> dict[object, str]:
    """The labels `given` for exactly `values` (keys compared as text: 1 and "1" alike)."""
    given = _mapping(given, where, problems)
    by_text = {str(key): label for key, label in given.items()}
    expected = {str(value) for value in values}
    for key in sorted(set(by_text) - expected):
        problems.append(f"{where}.{key}: not an option value of the Dutch version")
    labels = {}
    for value in values:
        if str(value) not in by_text:
            problems.append(f"{where}.{value}: missing")
        else:
            labels[value] = _text(by_text[str(value)], f"{where}.{value}", problems)
    return labels


def _unknown(mapping: dict, allowed: set[str], where: str, problems: Problems) -> None:
    for key in sorted(set(map(str, mapping)) - allowed):
        problems.append(f"{where}.{key}: unknown field")


def translate(dutch: Questionnaire, raw: object, language: str) -> Questionnaire:
    """The Dutch file `dutch` with the texts of translation `raw`; ValueError listing every
    problem ("field.path: message", joined with "; ") when a text is missing or wrong."""
    problems: Problems = []
    raw = _mapping(raw, "(root)", problems)
    if problems:
        raise ValueError("; ".join(problems))
    _unknown(raw, TOP_LEVEL_KEYS, "(root)", problems)
    if str(raw.get("version")) != dutch.version:
        problems.append(
            f"version: translates {raw.get('version')!r}, the questionnaire is {dutch.version!r}"
        )
    if raw.get("language") != language:
        problems.append(f"language: must be {language!r}, found {raw.get('language')!r}")
    note = _text(raw.get("anonymity_note"), "anonymity_note", problems)

    scales_raw = _mapping(raw.get("scales"), "scales", problems)
    _unknown(
        scales_raw, {"agreement", "practice", "urgency", "dont_know_label"}, "scales", problems
    )
    scale_labels = {
        name: _labels(
            scales_raw.get(name),
            [option.value for option in getattr(dutch.scales, name)],
            f"scales.{name}",
            problems,
        )
        for name in ("agreement", "practice", "urgency")
    }
    dont_know = _text(scales_raw.get("dont_know_label"), "scales.dont_know_label", problems)

    sections_raw = _mapping(raw.get("sections"), "sections", problems)
    items_raw = _mapping(raw.get("items"), "items", problems)
    actions_raw = raw.get("actions") or {}
    all_items = {item.id: item for item in dutch.items()}
    asked = [item for item in dutch.items() if item.roles]
    for key in sorted(set(map(str, items_raw)) - set(all_items)):
        problems.append(f"items.{key}: not an item of the questionnaire")
    for key in sorted(set(map(str, sections_raw)) - {s.id for s in dutch.sections}):
        problems.append(f"sections.{key}: not a section of the questionnaire")

    # The challenges' titles: `challenges`, or the options of a needs item.
    numbers = [number for number in sorted(dutch._challenge_titles)]
    challenges_raw = raw.get("challenges")
    if challenges_raw is None:
        need = next((i.id for i in asked if i.scale == "challenges" and i.id in items_raw), None)
        if need is not None and isinstance(items_raw[need], dict) and "options" in items_raw[need]:
            challenges_raw, challenges_at = items_raw[need]["options"], f"items.{need}.options"
        else:
            challenges_at = "challenges"
    else:
        challenges_at = "challenges"
    challenge_titles = _labels(challenges_raw, numbers, challenges_at, problems)

    sections = []
    for section in dutch.sections:
        at = f"sections.{section.id}"
        given = _mapping(sections_raw.get(section.id), at, problems)
        _unknown(given, SECTION_KEYS, at, problems)
        update: dict[str, Any] = {
            "title": _text(given.get("title"), f"{at}.title", problems),
            "purpose": _text(given.get("purpose"), f"{at}.purpose", problems),
        }
        row_texts = _mapping(given.get("row_texts") or {}, f"{at}.row_texts", problems)
        sections.append((section, update, row_texts))
    row_texts_of = {section.id: row_texts for section, _, row_texts in sections}

    texts: dict[str, tuple[str, dict[object, str]]] = {}
    for item in asked:
        at = f"items.{item.id}"
        given = items_raw.get(item.id)
        if item.action is not None:
            # A row of section C: its own entry, the section's row_texts or `actions`.
            action_text = row_texts_of.get(item.section, {}).get(item.action) or (
                actions_raw.get(item.action) if isinstance(actions_raw, dict) else None
            )
            if given is None and action_text is not None:
                given = {"text": action_text}
        if given is None:
            problems.append(f"{at}: missing")
            continue
        given = _mapping(given, at, problems)
        _unknown(given, ITEM_KEYS, at, problems)
        text = _text(given.get("text"), f"{at}.text", problems)
        if item.scale is None:
            values = [option.value for option in item.options if option.value is not None]
            labels = _labels(given.get("options"), values, f"{at}.options", problems)
        else:
            if "options" in given and item.scale != "challenges":
                problems.append(f"{at}.options: the item's options are those of its scale")
            labels = {}
        texts[item.id] = (text, labels)
    if problems:
        raise ValueError("; ".join(problems))

    # Every text is there: the Dutch version, with the translation's texts.
    named = {
        name: tuple(
            Option(value=option.value, label=scale_labels[name][option.value])
            for option in getattr(dutch.scales, name)
        )
        for name in ("agreement", "practice", "urgency")
    }
    dont_know_option = Option(value=None, label=dont_know)
    named["agreement"] += (dont_know_option,)
    named["practice"] += (dont_know_option,)
    named["challenges"] = tuple(
        Option(value=number, label=challenge_titles[number]) for number in numbers
    )
    named["text"] = ()

    def translated(item: Item) -> Item:
        if item.id not in texts:
            return item  # retired: kept for stored answers, asked by nobody
        text, labels = texts[item.id]
        if item.scale is not None:
            options = named[item.scale]
        else:
            options = tuple(
                Option(value=o.value, label=dont_know if o.value is None else labels[o.value])
                for o in item.options
            )
        return item.model_copy(update={"text": text, "options": options})

    items = tuple(translated(item) for item in dutch.items())
    new_sections = []
    for section, update, _row_texts in sections:
        specs = tuple(
            spec.model_copy(update={"text": texts[spec.id][0]}) if spec.id in texts else spec
            for spec in section.items
        )
        new_sections.append(section.model_copy(update={**update, "items": specs}))
    scales = dutch.scales.model_copy(
        update={
            name: tuple(
                ScaleOption(value=o.value, label=scale_labels[name][o.value])
                for o in getattr(dutch.scales, name)
            )
            for name in ("agreement", "practice", "urgency")
        }
        | {"dont_know_label": dont_know}
    )
    version = dutch.model_copy(
        update={
            "language": language,
            "anonymity_note": note,
            "scales": scales,
            "sections": tuple(new_sections),
        }
    )
    version._items = items
    version._by_id = {item.id: item for item in items}
    version._role = None
    version._versions = {}
    version._challenge_titles = dict(challenge_titles)
    return version


def load_translation(
    language: str, path: Path | None = None, dutch: Questionnaire | None = None
) -> Questionnaire:
    """The questionnaire in `language`, read from its file and checked against the Dutch.

    Raises QuestionnaireError("<file>: <field path>: <message>; ...").
    """
    if language not in TRANSLATED:
        raise ValueError(f"no translation into {language!r}; languages are {LANGUAGES}")
    path = path or translation_file(language)
    dutch = dutch or get_questionnaire()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as problem:
        raise QuestionnaireError(f"{path}: cannot be read as YAML: {problem}") from problem
    try:
        return translate(dutch, raw, language)
    except ValueError as problem:
        raise QuestionnaireError(f"{path}: {problem}") from problem


@cache
def _translation(language: str) -> Questionnaire | None:
    if not translation_file(language).exists():
        return None
    try:
        return load_translation(language)
    except QuestionnaireError as problem:
        # The file's own problems, never an answer: the language is not offered until fixed.
        logger.warning("questionnaire translation %s not offered: %s", language, problem)
        return None


def questionnaire_in(language: str, role: str | None = None) -> Questionnaire:
    """The questionnaire (or `role`'s version) in `language`; Dutch for "nl".

    Raises LookupError for a language that is not offered (unknown, or its file is missing or
    does not pass the checks): see available_languages().
    """
    if language == "nl":
        whole = get_questionnaire()
    elif language in TRANSLATED and (found := _translation(language)) is not None:
        whole = found
    else:
        raise LookupError(language)
    return whole if role is None else whole.for_role(role)


def available_languages() -> tuple[str, ...]:
    """The languages a respondent can answer in: Dutch and each translation that passes."""
    return ("nl", *(language for language in TRANSLATED if _translation(language) is not None))


def clear_caches() -> None:
    """Forget the translations read (tests that give another file)."""
    _translation.cache_clear()


def translation_template(dutch: Questionnaire, language: str, mark: str = "") -> dict:
    """A complete translation of `dutch` in the file's format, each text the Dutch one with
    `mark` in front: a start for a translator, and the tests' fixture."""

    def t(text: str) -> str:
        return f"{mark}{text}"

    asked = [item for item in dutch.items() if item.roles]
    return {
        "version": dutch.version,
        "language": language,
        "anonymity_note": t(dutch.anonymity_note),
        "scales": {
            name: {o.value: t(o.label) for o in getattr(dutch.scales, name)}
            for name in ("agreement", "practice", "urgency")
        }
        | {"dont_know_label": t(dutch.scales.dont_know_label)},
        "challenges": {number: t(title) for number, title in dutch._challenge_titles.items()},
        "sections": {s.id: {"title": t(s.title), "purpose": t(s.purpose)} for s in dutch.sections},
        "items": {
            item.id: {"text": t(item.text)}
            | (
                {"options": {o.value: t(o.label) for o in item.options if o.value is not None}}
                if item.scale is None
                else {}
            )
            for item in asked
        },
    }
