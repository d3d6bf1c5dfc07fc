"""The catalogue of challenges and actions, loaded from its versioned data file.

The YAML file under data/ is the source of truth. It is validated against the schema below
when loaded; a bad file raises CatalogueError naming the file and the field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from leerkansen.lib.datafiles import DataFileError, load_data_file

DATA_FILE = Path(__file__).resolve().parent / "data" / "catalogue.yaml"

ActionId = Annotated[str, Field(pattern=r"^[1-9]\.[1-9][0-9]*$")]
Text = Annotated[str, Field(min_length=1)]


class CatalogueError(DataFileError):
    pass


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Tip(_Frozen):
    title: Text
    text: str = ""
    items: tuple[Text, ...] = ()
    # A paragraph the source places after the sub-items of the same tip.
    text_after: str = ""


class Action(_Frozen):
    id: ActionId
    title: Text
    highlight: Text | None
    overlap: bool
    related: tuple[ActionId, ...] = ()
    introduction: Text
    tips: tuple[Tip, ...] = Field(min_length=1)

    @property
    def challenge_number(self) -> int:
        return int(self.id.split(".")[0])

    @property
    def slug(self) -> str:
        """The id as an HTML anchor: "actie-1-1"."""
        return "actie-" + self.id.replace(".", "-")


class Challenge(_Frozen):
    number: int = Field(ge=1, le=9)
    title: Text
    short_title: Text
    actions: tuple[Action, ...] = Field(min_length=1)


class Catalogue(_Frozen):
    version: Text
    source: Text
    challenges: tuple[Challenge, ...] = Field(min_length=1)

    _actions_by_id: dict[str, Action] = PrivateAttr(default_factory=dict)
    _search_text: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_structure(self) -> Catalogue:
        numbers = [challenge.number for challenge in self.challenges]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"challenge numbers must be 1..n in order, found {numbers}")
        seen: set[str] = set()
        for challenge in self.challenges:
            for action in challenge.actions:
                if action.challenge_number != challenge.number:
                    raise ValueError(
                        f"action {action.id} is listed under challenge {challenge.number}"
                    )
                if action.id in seen:
                    raise ValueError(f"action id {action.id} occurs twice")
                seen.add(action.id)
        related = {
            action.id: set(action.related)
            for challenge in self.challenges
            for action in challenge.actions
        }
        for action_id, others in related.items():
            for other in others:
                if other not in related:
                    raise ValueError(f"action {action_id}: related action {other} does not exist")
                if other == action_id:
                    raise ValueError(f"action {action_id} lists itself as related")
                if action_id not in related[other]:
                    raise ValueError(f"action {action_id} lists {other} as related, not back")
        return self

    def model_post_init(self, __context: object) -> None:
        for action in self.actions():
            self._actions_by_id[action.id] = action
            tips = [" ".join([t.title, t.text, *t.items, t.text_after]) for t in action.tips]
            self._search_text[action.id] = normalise(
                " ".join([action.title, action.highlight or "", *tips])
            )

    def actions(self) -> Iterator[Action]:
        for challenge in self.challenges:
            yield from challenge.actions

    def action(self, action_id: str) -> Action | None:
        return self._actions_by_id.get(action_id)

    def challenge(self, number: int) -> Challenge | None:
        if 1 <= number <= len(self.challenges):
            return self.challenges[number - 1]
        return None

    def matches(self, action: Action, words: list[str]) -> bool:
        """True when every search word occurs in the action's title, highlight or tips.

        Words match inside longer words, so "coach" finds "coachend" (Dutch compounds).
        """
        text = self._search_text[action.id]
        return all(word in text for word in words)


_NON_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Lower case without accents or punctuation, for search: "Creëer" → "creeer"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NON_WORD.sub(" ", stripped).strip()


def search_words(query: str) -> list[str]:
    return normalise(query).split()


def load_catalogue(path: Path = DATA_FILE) -> Catalogue:
    return load_data_file(path, Catalogue, CatalogueError)


@cache
def get_catalogue() -> Catalogue:
    """The active catalogue, read once per process (it is immutable)."""
    return load_catalogue()
