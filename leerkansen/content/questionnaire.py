"""The diagnostic questionnaire, loaded from its versioned data file.

The YAML file under data/ is the source of truth: sections A to E, their items, the answer scales
and the reverse keys of the diagnostic items. It is validated against the schema below when
loaded; a bad file raises QuestionnaireError naming the file and the field.

Two sections take their rows from the catalogue rather than repeating it: section C asks about
every action (text = the action's title; actions that are one practice share a row) and the
needs items of section D offer the nine challenges (label = the challenge's title).

Each role answers its own version (`Questionnaire.for_role`, `questionnaire_for`): a section
or item names the roles that answer it. An item asked by no role any more is kept ("retired")
so that answers stored under its id can still be read and scored. The file as a whole
(`get_questionnaire()`) holds every item of every role, retired ones included.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from django.utils.translation import gettext
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    model_validator,
)

from leerkansen.content.catalogue import Catalogue, get_catalogue
from leerkansen.lib.datafiles import DataFileError, FieldProblems, load_data_file

from .questionnaire_checks import MAX_TEXT_LENGTH as MAX_TEXT_LENGTH
from .questionnaire_checks import (
    accepts,
    choose_message,
    duplicates,
    not_blank,
    problems_in_items,
    problems_in_same_practice,
    problems_in_sections,
)

DATA_FILE = Path(__file__).resolve().parent / "data" / "questionnaire.yaml"

AGREEMENT_VALUES = [1, 2, 3, 4, 5]
URGENCY_VALUES = [1, 2, 3, 4, 5]
# Who answers, as a round's link sets it (the values of survey.models.Role).
ROLES = ("hr", "directie", "leidinggevende", "medewerker")
RoleName = Literal["hr", "directie", "leidinggevende", "medewerker"]

SectionKind = Literal["context", "diagnostic", "practices", "needs", "outcomes"]
# "challenges" is not in `scales:`: its options are the catalogue's challenges. "text" is an
# open question: no options, the answer is the respondent's own text.
ScaleName = Literal["agreement", "practice", "urgency", "challenges", "text"]


Text = Annotated[str, AfterValidator(not_blank)]
ItemId = Annotated[str, Field(pattern=r"^[A-Z][A-Za-z0-9_]*$")]
Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")]


class QuestionnaireError(DataFileError):
    pass


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Option(_Frozen):
    """One answer an item offers. value None is "Weet niet"."""

    value: int | str | None
    label: Text


class ScaleOption(_Frozen):
    value: int | Code
    label: Text


class ContextOption(_Frozen):
    value: Code
    label: Text


class Scales(_Frozen):
    agreement: tuple[ScaleOption, ...]
    practice: tuple[ScaleOption, ...]
    urgency: tuple[ScaleOption, ...]
    dont_know_label: Text

    @model_validator(mode="after")
    def _check_values(self) -> Scales:
        problems = []
        for name, expected in (("agreement", AGREEMENT_VALUES), ("urgency", URGENCY_VALUES)):
            values = [option.value for option in getattr(self, name)]
            if values != expected:
                problems.append(((name,), f"values must be {expected} in order, found {values}"))
        practice = [option.value for option in self.practice]
        if len(practice) < 2 or any(not isinstance(value, str) for value in practice):
            problems.append((("practice",), "needs at least two text values"))
        problems += duplicates("practice", practice)
        if problems:
            raise FieldProblems(problems)
        return self


class ItemSpec(_Frozen):
    """An item as written in the data file; Questionnaire.items() gives the resolved Item."""

    id: ItemId
    text: Text
    challenge: int | None = Field(default=None, ge=1, le=9)
    reverse: bool = False
    scale: Literal["agreement", "urgency", "challenges", "text"] | None = None
    options: tuple[ContextOption, ...] = ()
    # Adds "Weet niet" (stored as null) to an item with its own options.
    dont_know: bool = False
    optional: bool = False
    # For an urgency item: the needs item whose chosen challenge it rates.
    about: ItemId | None = None
    # Who answers it; not given: the roles of its section.
    roles: tuple[RoleName, ...] | None = Field(default=None, min_length=1)
    # Asked by nobody any more; kept so that answers stored under its id still count.
    retired: bool = False

    @model_validator(mode="after")
    def _check_answers(self) -> ItemSpec:
        problems: list[tuple[tuple[int | str, ...], str]] = []
        if (self.scale is None) == (not self.options):
            problems.append(((), "give either a scale or options, not both or neither"))
        if self.options and len(self.options) < 2:
            problems.append((("options",), "needs at least two options"))
        problems += duplicates("options", [option.value for option in self.options])
        if self.retired and self.roles is not None:
            problems.append((("roles",), "a retired item is asked by nobody: leave out roles"))
        if self.dont_know and not self.options:
            problems.append((("dont_know",), "only for items with their own options"))
        if self.about is not None and self.scale != "urgency":
            problems.append((("about",), "only for urgency items"))
        if self.scale == "text" and not self.optional:
            # Nobody has to write something in their own words.
            problems.append((("optional",), "an open question must be optional"))
        if problems:
            raise FieldProblems(problems)
        return self


class Section(_Frozen):
    id: Annotated[str, Field(pattern=r"^[A-Z]$")]
    kind: SectionKind
    title: Text
    purpose: Text
    optional: bool = False
    items: tuple[ItemSpec, ...] = ()
    # A practices section draws one row per catalogue action, answered on `scale`.
    rows: Literal["catalogue_actions"] | None = None
    scale: Literal["practice"] | None = None
    # Actions that are one practice: asked in one row (the first action's), which counts for
    # each of them; the other actions' rows are retired.
    same_practice: tuple[tuple[str, ...], ...] = ()
    # A row's question in plain Dutch where the action's title uses jargon; else the title.
    row_texts: dict[str, Text] = Field(default_factory=dict)
    # Who answers this section; not given: every role.
    roles: tuple[RoleName, ...] = Field(default=ROLES, min_length=1)

    @model_validator(mode="after")
    def _check_kind(self) -> Section:
        problems: list[tuple[tuple[int | str, ...], str]] = []
        if self.kind == "practices":
            if self.rows is None or self.scale is None or self.items:
                problems.append(((), "a practices section has rows and scale, and no items"))
        elif self.rows is not None or self.scale is not None or not self.items:
            problems.append(((), f"a {self.kind} section has items, and no rows or scale"))
        if self.same_practice and self.kind != "practices":
            problems.append((("same_practice",), "only a practices section has it"))
        for index, group in enumerate(self.same_practice):
            if len(group) < 2:
                problems.append((("same_practice", index), "names at least two actions"))
        for index, item in enumerate(self.items):
            at = ("items", index)
            if not item.id.startswith(self.id):
                problems.append(((*at, "id"), f"must start with the section id {self.id}"))
            if self.kind == "diagnostic":
                if item.challenge is None:
                    problems.append(((*at, "challenge"), "a diagnostic item needs a challenge"))
                elif not item.id.startswith(f"{self.id}{item.challenge}_"):
                    problems.append(
                        ((*at, "id"), f"must start with {self.id}{item.challenge}_ (its challenge)")
                    )
            else:
                if item.challenge is not None:
                    problems.append(((*at, "challenge"), "only diagnostic items have a challenge"))
                if item.reverse:
                    problems.append(((*at, "reverse"), "only diagnostic items are reverse-keyed"))
            allowed = {
                "context": {None},
                "diagnostic": {"agreement"},
                "outcomes": {"agreement", "text"},
                "needs": {"challenges", "urgency"},
            }[self.kind]
            if item.scale not in allowed:
                expected = "own options" if allowed == {None} else " or ".join(sorted(allowed))
                problems.append(((*at, "scale"), f"a {self.kind} item is answered with {expected}"))
        earlier = set()
        for index, item in enumerate(self.items):
            if item.scale == "urgency" and item.about not in earlier:
                message = "must name an earlier challenges item of this section"
                problems.append((("items", index, "about"), message))
            if item.scale == "challenges":
                earlier.add(item.id)
        if problems:
            raise FieldProblems(problems)
        return self


class Item(_Frozen):
    """An answerable item, with its options spelled out."""

    id: str
    section: str
    challenge: int | None
    text: str
    reverse: bool
    options: tuple[Option, ...]
    # The named scale the options come from, or None for an item with its own options.
    scale: ScaleName | None
    optional: bool
    # Section C: the catalogue action the row asks about. Section D urgency: the needs item.
    action: str | None = None
    about: str | None = None
    # The roles that answer it (empty: retired, only read in stored answers).
    roles: tuple[str, ...] = ROLES
    # Section C: every action the row's answer counts for (the action and its same practice).
    actions: tuple[str, ...] = ()

    @property
    def allows_dont_know(self) -> bool:
        return any(option.value is None for option in self.options)


class EarlierVersion(_Frozen):
    """A version answers may have been given in: the diagnostic items it asked everyone."""

    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")]
    diagnostic_items: tuple[ItemId, ...] = Field(min_length=1)


class Questionnaire(_Frozen):
    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")]
    language: Literal["nl"]
    anonymity_note: Text
    scales: Scales
    sections: tuple[Section, ...] = Field(min_length=1)
    earlier_versions: tuple[EarlierVersion, ...] = ()

    _items: tuple[Item, ...] = PrivateAttr(default=())
    _by_id: dict[str, Item] = PrivateAttr(default_factory=dict)
    # The role whose version this is; None for the file as a whole.
    _role: str | None = PrivateAttr(default=None)
    _versions: dict[str, Questionnaire] = PrivateAttr(default_factory=dict)
    # The challenges' titles in this version's language: the catalogue's for the Dutch file,
    # the translation's for a translation (questionnaire_translations.py).
    _challenge_titles: dict[int, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_structure(self, info: ValidationInfo) -> Questionnaire:
        catalogue = (info.context or {}).get("catalogue") or get_catalogue()
        problems = problems_in_sections(self, SectionKind.__args__)
        problems += problems_in_same_practice(self, catalogue)
        if problems:
            raise FieldProblems(problems)
        self._items = tuple(self._resolve(catalogue))
        self._by_id = {item.id: item for item in self._items}
        self._challenge_titles = {c.number: c.title for c in catalogue.challenges}
        problems = problems_in_items(self, ROLES)
        if problems:
            raise FieldProblems(problems)
        return self

    @property
    def role(self) -> str | None:
        """The role whose version this is, or None for the whole file."""
        return self._role

    def for_role(self, role: str) -> Questionnaire:
        """The version `role` answers: only its sections and items, in the same order.

        Its items(), sections, scale_items() and validate_answers() know nothing of the
        other roles' items nor of retired ones: an answer to those is refused.
        """
        if self._role is not None:
            if role != self._role:
                raise ValueError(f"this is the version of {self._role}, not of {role}")
            return self
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        if role not in self._versions:
            items = tuple(item for item in self._items if role in item.roles)
            ids = {item.id for item in items}
            sections = tuple(
                section.model_copy(update={"items": tuple(i for i in section.items if i.id in ids)})
                for section in self.sections
                if any(item.section == section.id for item in items)
            )
            version = self.model_copy(update={"sections": sections})
            version._items = items
            version._by_id = {item.id: item for item in items}
            version._role = role
            version._versions = {}
            self._versions[role] = version
        return self._versions[role]

    def _resolve(self, catalogue: Catalogue) -> list[Item]:
        dont_know = Option(value=None, label=self.scales.dont_know_label)
        named = {
            name: tuple(Option(value=o.value, label=o.label) for o in getattr(self.scales, name))
            for name in ("agreement", "practice", "urgency")
        }
        named["agreement"] += (dont_know,)
        named["challenges"] = tuple(
            Option(value=challenge.number, label=challenge.title)
            for challenge in catalogue.challenges
        )
        named["text"] = ()
        named["practice"] += (dont_know,)
        items = []
        for section in self.sections:
            if section.rows == "catalogue_actions":
                assert section.scale is not None  # checked by Section
                together = {group[0]: group for group in section.same_practice}
                folded = {action for group in section.same_practice for action in group[1:]}
                items += [
                    Item(
                        id=f"{section.id}_{action.id.replace('.', '_')}",
                        section=section.id,
                        challenge=None,
                        text=section.row_texts.get(action.id, action.title),
                        reverse=False,
                        options=named[section.scale],
                        scale=section.scale,
                        optional=section.optional,
                        action=action.id,
                        roles=() if action.id in folded else section.roles,
                        actions=together.get(action.id, (action.id,)),
                    )
                    for action in catalogue.actions()
                ]
            for spec in section.items:
                if spec.scale is not None:
                    options = named[spec.scale]
                else:
                    options = tuple(Option(value=o.value, label=o.label) for o in spec.options)
                    if spec.dont_know:
                        options += (dont_know,)
                items.append(
                    Item(
                        id=spec.id,
                        section=section.id,
                        challenge=spec.challenge,
                        text=spec.text,
                        reverse=spec.reverse,
                        options=options,
                        scale=spec.scale,
                        optional=section.optional or spec.optional,
                        about=spec.about,
                        roles=() if spec.retired else (spec.roles or section.roles),
                    )
                )
        return items

    def challenge_title(self, number: int) -> str:
        """A challenge's title in this version's language (the catalogue's for Dutch)."""
        return self._challenge_titles[number]

    def items(self, section: str | None = None) -> tuple[Item, ...]:
        """All answerable items in order, or those of one section."""
        if section is None:
            return self._items
        return tuple(item for item in self._items if item.section == section)

    def item(self, item_id: str) -> Item | None:
        return self._by_id.get(item_id)

    def section(self, section_id: str) -> Section | None:
        return next((section for section in self.sections if section.id == section_id), None)

    def diagnostic_items(self, challenge: int) -> tuple[Item, ...]:
        return tuple(item for item in self._items if item.challenge == challenge)

    def scale_items(self) -> list[tuple[str, int, bool, frozenset[str]]]:
        """(item id, challenge, reverse, forms) of every diagnostic item, for the scoring code.

        Answers are 1..5 (or None for "Weet niet"); a reverse item scores 6 - answer, so that
        a higher score always means the challenge weighs more. `forms` names the sets of
        items one respondent was asked together: "<version>:<role>" for this version, and
        each earlier version that asked it (docs/scoring.md, "Versions per role"). A role's
        version names its own form only.
        """
        earlier: dict[str, set[str]] = {}
        if self._role is None:
            for version in self.earlier_versions:
                for item_id in version.diagnostic_items:
                    earlier.setdefault(item_id, set()).add(version.version)
        return [
            (
                item.id,
                item.challenge,
                item.reverse,
                frozenset(
                    {f"{self.version}:{role}" for role in item.roles} | earlier.get(item.id, set())
                ),
            )
            for item in self._items
            if item.challenge is not None
        ]

    def anchor_items(self, challenge: int) -> tuple[Item, ...]:
        """The items of `challenge` every role answers: the same statements for everyone."""
        return tuple(
            item for item in self.diagnostic_items(challenge) if set(ROLES) <= set(item.roles)
        )

    def need_items(self) -> list[tuple[str, str | None]]:
        """(needs item id, its urgency item id or None), first need first."""
        urgency = {item.about: item.id for item in self._items if item.about is not None}
        return [
            (item.id, urgency.get(item.id)) for item in self._items if item.scale == "challenges"
        ]

    def validate_answers(self, answers: Mapping[str, object]) -> dict[str, list[str]]:
        """Dutch messages per item id for answers the questionnaire cannot accept.

        An answer must be the value of one of the item's options, of the same type (1, not
        "1", 1.0 or True). None means "Weet niet" where the item offers it, and "no answer" on
        optional items; elsewhere it is refused. An open question ("text") takes a string that
        is not blank, of at most MAX_TEXT_LENGTH characters. A challenge may be ranked only
        once. Missing items are not reported: answering is saved page by page.
        """
        errors: dict[str, list[str]] = {}
        for item_id, value in answers.items():
            item = self._by_id.get(item_id) if isinstance(item_id, str) else None
            if item is None:
                errors.setdefault(str(item_id), []).append(
                    gettext("This question is not part of the questionnaire.")
                )
            elif not accepts(item, value):
                errors.setdefault(item_id, []).append(choose_message(self.scales, item))
        chosen: dict[object, str] = {}
        for need_id, _ in self.need_items():
            value = answers.get(need_id)
            if value is None or need_id in errors:
                continue
            if value in chosen:
                errors.setdefault(need_id, []).append(
                    gettext(
                        "You already chose this challenge at a higher place. "
                        "Choose another challenge."
                    )
                )
            else:
                chosen[value] = need_id
        return errors


def load_questionnaire(path: Path = DATA_FILE, catalogue: Catalogue | None = None) -> Questionnaire:
    """Read and check the questionnaire file; rows of section C and D come from `catalogue`.

    Raises QuestionnaireError("<file>: <field path>: <message>").
    """
    return load_data_file(path, Questionnaire, QuestionnaireError, {"catalogue": catalogue})


@cache
def get_questionnaire() -> Questionnaire:
    """The active questionnaire file with every role's items, read once per process."""
    return load_questionnaire()


def questionnaire_for(role: str) -> Questionnaire:
    """The version of the active questionnaire that `role` answers (see for_role)."""
    return get_questionnaire().for_role(role)


def scale_items() -> list[tuple[str, int, bool, frozenset[str]]]:
    """(item id, challenge, reverse) of the active questionnaire's diagnostic items."""
    return get_questionnaire().scale_items()


def validate_answers(answers: Mapping[str, object]) -> dict[str, list[str]]:
    """Dutch error messages per item id, for answers to the active questionnaire."""
    return get_questionnaire().validate_answers(answers)
