"""How a report, the progress page and the research page show a stored comparison: per
challenge the group's middle half and median against the organisation's score, and a sentence
(the figures themselves come from services.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext

from leerkansen.content.catalogue import get_catalogue
from leerkansen.scoring.scales import score_value

from .services import BENCHMARK_MIN_ORGANISATIONS


@dataclass(frozen=True)
class ChallengeView:
    number: int
    title: str
    score: float | None
    n: int
    median: float | None
    p25: float | None
    p75: float | None
    position: str
    sentence: str

    # The drawing's coordinates: 0-100 on 2 units a point.
    @property
    def band_x(self) -> float:
        return round((self.p25 or 0) * 2, 1)

    @property
    def band_width(self) -> float:
        return round(((self.p75 or 0) - (self.p25 or 0)) * 2, 1)

    @property
    def median_x(self) -> float:
        return round((self.median or 0) * 2, 1)

    @property
    def score_x(self) -> float | None:
        return None if self.score is None else round(self.score * 2, 1)

    @property
    def shown_score(self) -> int | None:
        return score_value(self.score)


@dataclass(frozen=True)
class GroupView:
    kind: str
    label: str
    organisations: int
    shown: bool
    missing: int
    challenges: tuple[ChallengeView, ...]
    # Not shown although large enough: almost the same organisations as a group shown
    # (services.withheld_groups).
    withheld: bool = False


def _position(score: float | None, cell: Mapping) -> str:
    if score is None or "median" not in cell:
        return ""
    if score > cell["p75"]:
        return "above"
    if score < cell["p25"]:
        return "below"
    return "within"


def _sentence(position: str, number: int, n: int, group: str) -> str:
    if position == "above":
        text = gettext(
            "Your score for challenge %(number)s lies above the middle half of %(n)s "
            "comparable organisations (%(group)s): it weighs more for you than for most of them."
        )
    elif position == "below":
        text = gettext(
            "Your score for challenge %(number)s lies below the middle half of %(n)s "
            "comparable organisations (%(group)s): it weighs less for you than for most of them."
        )
    elif position == "within":
        text = gettext(
            "Your score for challenge %(number)s lies within the middle half of %(n)s "
            "comparable organisations (%(group)s)."
        )
    else:
        return ""
    return text % {"number": number, "n": n, "group": group}


def comparison_view(data: Mapping) -> dict:
    """What the templates show of a stored comparison: per group whether it is shown (or how
    many organisations it still needs) and per challenge the figures and the sentence.
    {} when there was no table when the report was published."""
    if not data or "version" not in data:
        return {}
    catalogue = get_catalogue()
    minimum = data.get("min_organisations", BENCHMARK_MIN_ORGANISATIONS)
    groups = []
    for group in data.get("groups", []):
        challenges = []
        for cell in group["challenges"]:
            if "median" not in cell:
                continue
            number = cell["challenge"]
            position = _position(cell.get("score"), cell)
            challenges.append(
                ChallengeView(
                    number=number,
                    title=catalogue.challenge(number).title,
                    score=cell.get("score"),
                    n=cell["n"],
                    median=cell["median"],
                    p25=cell["p25"],
                    p75=cell["p75"],
                    position=position,
                    sentence=_sentence(position, number, cell["n"], group["label"]),
                )
            )
        counted = max([cell.get("n", 0) for cell in group["challenges"]], default=0)
        counted = max(counted, group.get("organisations", 0)) if not challenges else counted
        groups.append(
            GroupView(
                kind=group["kind"],
                label=group["label"] or gettext("this group"),
                organisations=counted,
                shown=bool(challenges),
                missing=0 if challenges or group.get("withheld") else max(minimum - counted, 0),
                challenges=tuple(challenges),
                withheld=bool(group.get("withheld")),
            )
        )
    shown = [g for g in groups if g.shown]
    # The most specific group shown is drawn; the others are a compact table beside it.
    others = shown[1:]
    cells = [{c.number: c for c in g.challenges} for g in others]
    scores = {c.number: c.shown_score for g in others for c in g.challenges}
    return {
        "version": data["version"],
        "computed_on": date.fromisoformat(data["computed_on"]),
        "minimum": minimum,
        "groups": groups,
        "main": shown[0] if shown else None,
        "others": others,
        "other_rows": [
            {"number": number, "score": scores[number], "cells": [c.get(number) for c in cells]}
            for number in sorted(scores)
        ],
        "hidden": [g for g in groups if not g.shown],
    }
