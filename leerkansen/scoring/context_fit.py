"""How an organisation's situation (section A) fits an action: who it reaches, what it needs.

The action attributes (content/action_attributes.yaml) say whom an action reaches and what it
needs; the group's section A answers say how the organisation works. An answer fits, hinders
or says nothing; the top 3 (top3.py, "mixture" method) counts the aspects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from leerkansen.content.action_attributes import ActionAttributes

# Section A items and the answers that make an aspect of the context apply. Missing or
# "weet niet" is neutral: it neither fits nor hinders.
DISTANCE_ITEMS = ("A_sites", "A_away_from_manager", "A_telework")
ALONE_ITEM = "A_alone"
HR_ITEM = "A_hr_capacity"
CONTEXT_ITEMS = (*DISTANCE_ITEMS, ALONE_ITEM, HR_ITEM)
_LARGE_SHARE = frozenset({"25_50", "50_75", "75plus"})
# The values that make an aspect apply, per item: many sites or a quarter or more of the
# people away from their manager, teleworking or working alone; little or no HR capacity.
CONTEXT_APPLIES = {
    "A_sites": frozenset({"4_10", "11plus"}),
    "A_away_from_manager": _LARGE_SHARE,
    "A_telework": _LARGE_SHARE,
    ALONE_ITEM: _LARGE_SHARE,
    HR_ITEM: frozenset({"none", "lt1"}),
}
FITS, HINDERS = "fits", "hinders"


@dataclass(frozen=True)
class ContextFit:
    """A section A answer that makes the action fit or hinders it."""

    item_id: str
    value: str
    effect: str  # FITS or HINDERS


def context_fit(attributes: ActionAttributes, context: Mapping[str, str]) -> tuple[ContextFit, ...]:
    """The context answers that make an action fit or hinder it, in CONTEXT_ITEMS order.

    Distance (many sites, away from the manager, telework): fits an action that reaches people
    at a distance, hinders one that does not. Working alone: the same with working_alone. Little
    or no HR capacity hinders an action that needs HR capacity.
    """
    reaches, needs = attributes.reach_values, attributes.need_values
    fits: list[ContextFit] = []
    for item_id in CONTEXT_ITEMS:
        value = context.get(item_id)
        if value is None or value not in CONTEXT_APPLIES[item_id]:
            continue
        if item_id in DISTANCE_ITEMS:
            effect = FITS if "at_distance" in reaches else HINDERS
        elif item_id == ALONE_ITEM:
            effect = FITS if "working_alone" in reaches else HINDERS
        elif "hr_capacity" in needs:
            effect = HINDERS
        else:
            continue
        fits.append(ContextFit(item_id, value, effect))
    return tuple(fits)


def context_aspects(fits: Sequence[ContextFit]) -> tuple[int, int]:
    """(aspects that fit, aspects that hinder): distance counts once, however many items."""
    aspects: dict[str, str] = {}
    for fit in fits:
        aspect = "distance" if fit.item_id in DISTANCE_ITEMS else fit.item_id
        aspects[aspect] = fit.effect
    effects = list(aspects.values())
    return effects.count(FITS), effects.count(HINDERS)
