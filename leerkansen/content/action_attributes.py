"""What each catalogue action is for, loaded from its versioned data file.

data/action_attributes.yaml describes every action with the attributes that tell the actions of
one challenge apart: the diagnostic items (facets) it answers, what it needs to work, whom it
reaches, its effort and how soon it shows a first result. Every value quotes the action's own
text in the catalogue. A bad file raises ActionAttributesError naming the file, the field and
the action. Meaning of the attributes: docs/action_attributes.md.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from leerkansen.content.catalogue import Action, Catalogue, get_catalogue
from leerkansen.content.questionnaire import Questionnaire, get_questionnaire
from leerkansen.lib.datafiles import DataFileError, FieldProblems, load_data_file

DATA_FILE = Path(__file__).resolve().parent / "data" / "action_attributes.yaml"

Need = Literal["hr_capacity", "development_conversations", "digital_tools", "manager_time"]
Reach = Literal["on_site", "at_distance", "working_alone"]
Effort = Literal["low", "medium", "high"]
FirstResult = Literal["quick_win", "structural"]

# A quotation shorter than this proves nothing about the action ("de", "leren").
MIN_QUOTE_LENGTH = 20


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def _quotation(text: str) -> str:
    if len(normalise_space(text)) < MIN_QUOTE_LENGTH:
        raise ValueError(
            f"a quotation needs at least {MIN_QUOTE_LENGTH} characters, found {text!r}"
        )
    return text


Quote = Annotated[str, AfterValidator(_quotation)]


class ActionAttributesError(DataFileError):
    pass


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Cited(_Frozen):
    # A sentence or clause copied from the action's own text that supports the value.
    because: Quote
    # Why the reading is weak or indirect, where it is.
    note: str = ""


class Facet(Cited):
    item: Annotated[str, Field(pattern=r"^B[1-9]_[0-9]+$")]


class NeedValue(Cited):
    value: Need


class ReachValue(Cited):
    value: Reach


class EffortValue(Cited):
    value: Effort


class FirstResultValue(Cited):
    value: FirstResult


class ActionAttributes(_Frozen):
    id: Annotated[str, Field(pattern=r"^[1-9]\.[1-9][0-9]*$")]
    facets: tuple[Facet, ...] = Field(min_length=1)
    needs: tuple[NeedValue, ...]
    reaches: tuple[ReachValue, ...] = Field(min_length=1)
    effort: EffortValue
    first_result: FirstResultValue

    @model_validator(mode="wrap")
    @classmethod
    def _name_the_action(cls, data: Any, handler: Any) -> ActionAttributes:
        """Every problem inside an action's entry names the action, not only its index."""
        try:
            return handler(data)
        except ValidationError as problem:
            action = data.get("id") if isinstance(data, dict) else None
            problems = []
            for detail in problem.errors():
                loc = tuple(detail["loc"])
                cause = detail.get("ctx", {}).get("error")
                if isinstance(cause, FieldProblems):
                    problems += [((*loc, *inner), message) for inner, message in cause.problems]
                else:
                    message = detail["msg"].removeprefix("Value error, ")
                    problems.append((loc, f"action {action}: {message}"))
            raise FieldProblems(problems) from None

    @model_validator(mode="after")
    def _no_repeats(self) -> ActionAttributes:
        problems = []
        for field, values in (
            ("facets", [facet.item for facet in self.facets]),
            ("needs", [need.value for need in self.needs]),
            ("reaches", [reach.value for reach in self.reaches]),
        ):
            repeated = sorted({value for value in values if values.count(value) > 1})
            if repeated:
                problems.append(((field,), f"action {self.id}: listed twice: {repeated}"))
        if problems:
            raise FieldProblems(problems)
        return self

    @property
    def challenge_number(self) -> int:
        return int(self.id.split(".")[0])

    @property
    def facet_items(self) -> frozenset[str]:
        return frozenset(facet.item for facet in self.facets)

    @property
    def need_values(self) -> frozenset[str]:
        return frozenset(need.value for need in self.needs)

    @property
    def reach_values(self) -> frozenset[str]:
        return frozenset(reach.value for reach in self.reaches)

    def profile(self) -> tuple:
        """All attribute values, without the quotations: equal profiles cannot be told apart."""
        return (
            self.facet_items,
            self.need_values,
            self.reach_values,
            self.effort.value,
            self.first_result.value,
        )

    def citations(self) -> list[tuple[tuple[str | int, ...], Cited]]:
        """(field path within the action, cited value) for every value."""
        cited: list[tuple[tuple[str | int, ...], Cited]] = []
        for field in ("facets", "needs", "reaches"):
            cited += [((field, index), value) for index, value in enumerate(getattr(self, field))]
        cited += [(("effort",), self.effort), (("first_result",), self.first_result)]
        return cited


class ActionAttributesFile(_Frozen):
    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")]
    catalogue_version: Annotated[str, Field(min_length=1)]
    actions: tuple[ActionAttributes, ...]

    _by_id: dict[str, ActionAttributes] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_against_catalogue(self, info: ValidationInfo) -> ActionAttributesFile:
        context = info.context or {}
        catalogue: Catalogue = context.get("catalogue") or get_catalogue()
        questionnaire: Questionnaire = context.get("questionnaire") or get_questionnaire()
        problems: list[tuple[tuple[int | str, ...], str]] = []
        if self.catalogue_version != catalogue.version:
            problems.append(
                (
                    ("catalogue_version",),
                    f"read from catalogue {self.catalogue_version}, the catalogue is "
                    f"{catalogue.version}: read the changed actions again",
                )
            )
        expected = [action.id for action in catalogue.actions()]
        given = [entry.id for entry in self.actions]
        for action_id in expected:
            if action_id not in given:
                problems.append((("actions",), f"action {action_id} of the catalogue is missing"))
        for index, entry in enumerate(self.actions):
            at: tuple[int | str, ...] = ("actions", index)
            action = catalogue.action(entry.id)
            if action is None:
                problems.append(((*at, "id"), f"action {entry.id} is not in the catalogue"))
                continue
            if given.index(entry.id) != index:
                problems.append(((*at, "id"), f"action {entry.id} is described twice"))
                continue
            problems += [
                ((*at, *loc), message)
                for loc, message in _problems_in(entry, action, questionnaire)
            ]
        if not problems and given != expected:
            problems.append((("actions",), "actions must follow the catalogue order"))
        if problems:
            raise FieldProblems(problems)
        self._by_id.update({entry.id: entry for entry in self.actions})
        return self

    def action(self, action_id: str) -> ActionAttributes | None:
        return self._by_id.get(action_id)


def action_text(action: Action) -> list[str]:
    """The passages of an action's own text a quotation may come from, whitespace normalised."""
    passages = [action.highlight or "", action.introduction]
    for tip in action.tips:
        passages += [tip.title, tip.text, *tip.items, tip.text_after]
    return [normalise_space(passage) for passage in passages if passage.strip()]


def _problems_in(
    entry: ActionAttributes, action: Action, questionnaire: Questionnaire
) -> list[tuple[tuple[int | str, ...], str]]:
    problems: list[tuple[tuple[int | str, ...], str]] = []
    own_items = [item.id for item in questionnaire.diagnostic_items(action.challenge_number)]
    for index, facet in enumerate(entry.facets):
        if facet.item not in own_items:
            problems.append(
                (
                    ("facets", index, "item"),
                    f"action {entry.id}: {facet.item} is not a diagnostic item of its challenge "
                    f"{action.challenge_number} ({', '.join(own_items)})",
                )
            )
    passages = action_text(action)
    for loc, cited in entry.citations():
        quote = normalise_space(cited.because)
        if not any(quote in passage for passage in passages):
            problems.append(
                (
                    (*loc, "because"),
                    f"action {entry.id}: quotation not found in the action's highlight, "
                    f"introduction or tips: {cited.because!r}",
                )
            )
    return problems


def load_action_attributes(
    path: Path = DATA_FILE,
    catalogue: Catalogue | None = None,
    questionnaire: Questionnaire | None = None,
) -> ActionAttributesFile:
    """Read and check the file against `catalogue` and `questionnaire` (default: the active ones).

    Raises ActionAttributesError("<file>: <field path>: action <id>: <message>").
    """
    context = {"catalogue": catalogue, "questionnaire": questionnaire}
    return load_data_file(path, ActionAttributesFile, ActionAttributesError, context)


@cache
def get_action_attributes() -> ActionAttributesFile:
    """The active action attributes, read once per process (they are immutable)."""
    return load_action_attributes()
