"""The action plan's rules: add, order, edit and remove actions, safely with several admins.

Two admins may have the plan open at once. Nothing one of them saves is silently undone by the
other:

- An item's fields (owner, start, status, note) carry the item's `version`. A save names the
  version it was made on and is a single conditional UPDATE (`WHERE version = the one seen`):
  if a colleague saved first, nothing is written and the caller gets the current item back
  (`Conflict`) to show next to what was typed.
- The list itself (which actions, in which order) carries the plan's `version`. Every change
  to the list starts its transaction with `UPDATE plan SET version = version + 1`, which takes
  the plan row's lock (PostgreSQL) or the database's write lock (SQLite) until it commits: list
  changes of one plan run one after the other, never interleaved. A move also names the plan
  version it was made on; if the list changed since, nothing moves (`Conflict`), because
  "one place up" may no longer mean what the admin saw. Adding and removing need no plan
  version: adding appends (or finds the action already there), removing names the item's
  version, so a colleague's edit of that item is not removed unseen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.db.models import F, Max

from leerkansen.content.catalogue import get_catalogue
from leerkansen.organisations.models import Organisation
from leerkansen.organisations.tenancy import owned
from leerkansen.reports.models import Report

from .models import Plan, PlanItem, today

# How many of the report's recommendations a new plan starts with.
PREFILL_COUNT = 3


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True)
class ItemChanges:
    owner: str
    start: date | None
    status: str
    note: str


@dataclass(frozen=True)
class Saved:
    item: PlanItem


@dataclass(frozen=True)
class Conflict:
    """A colleague changed it first; `item` is the current state (None: it was removed)."""

    item: PlanItem | None


@dataclass(frozen=True)
class Added:
    item: PlanItem
    created: bool


class PrefillProblem(StrEnum):
    NOT_EMPTY = "not_empty"
    NO_REPORT = "no_report"


# -- Reading --------------------------------------------------------------------------------


def plan_of(organisation: Organisation) -> Plan | None:
    """The organisation's plan, or None before its first action."""
    return Plan.objects.filter(organisation=organisation).first()


def items_of(organisation: Organisation) -> list[PlanItem]:
    """The plan's items in the plan's order (empty without a plan)."""
    return list(owned(PlanItem, organisation).order_by("position", "pk"))


def latest_report(organisation: Organisation) -> Report | None:
    """The report of the organisation's most recent round that has one."""
    return (
        owned(Report, organisation)
        .defer("html", "pdf")
        .order_by("-assessment__created_at", "-pk")
        .first()
    )


def recommended_actions(report: Report | None) -> list[str]:
    """The ids of the report's top 3 that the catalogue knows, in the report's order."""
    if report is None:
        return []
    catalogue = get_catalogue()
    ids = [entry.get("action") for entry in report.top3 if isinstance(entry, dict)]
    return [action_id for action_id in dict.fromkeys(ids) if catalogue.action(action_id)]


# -- Changing the list ----------------------------------------------------------------------


def _bump(plan: Plan, expected_version: int | None = None) -> bool:
    """Raise the plan's version, taking its lock; False if it is not `expected_version`."""
    rows = Plan.objects.filter(pk=plan.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    return rows.update(version=F("version") + 1, updated_on=today()) == 1


def _renumber(plan: Plan) -> None:
    """Positions 1..n in the current order, writing only those that changed."""
    items = PlanItem.objects.filter(plan=plan).order_by("position", "pk")
    for number, item in enumerate(items, start=1):
        if item.position != number:
            PlanItem.objects.filter(pk=item.pk).update(position=number)


def _append(plan: Plan, action_ids: Iterable[str], source: str) -> list[Added]:
    """Add the actions at the end of the plan (already locked); existing ones are found."""
    results = []
    for action_id in action_ids:
        existing = PlanItem.objects.filter(plan=plan, action_id=action_id).first()
        if existing is not None:
            results.append(Added(existing, created=False))
            continue
        last = PlanItem.objects.filter(plan=plan).aggregate(last=Max("position"))["last"] or 0
        item = PlanItem.objects.create(
            plan=plan, action_id=action_id, position=last + 1, added_from=source
        )
        results.append(Added(item, created=True))
    return results


def add_action(
    organisation: Organisation, action_id: str, source: str = PlanItem.Source.MENU
) -> Added:
    """Put a catalogue action at the end of the plan; an action already on it stays where it is.

    ValueError for an id the catalogue does not know.
    """
    if get_catalogue().action(action_id) is None:
        raise ValueError(f"unknown action id: {action_id!r}")
    plan, _created = Plan.objects.get_or_create(organisation=organisation)
    try:
        with transaction.atomic():
            _bump(plan)
            added = _append(plan, [action_id], source)[0]
            if not added.created:
                transaction.set_rollback(True)
            return added
    except IntegrityError:
        # A colleague added the same action at the same moment: theirs is the one.
        return Added(PlanItem.objects.get(plan=plan, action_id=action_id), created=False)


def prefill_from_report(organisation: Organisation) -> list[PlanItem] | PrefillProblem:
    """Start an empty plan with the top 3 of the latest report, in the report's order."""
    action_ids = recommended_actions(latest_report(organisation))[:PREFILL_COUNT]
    if not action_ids:
        return PrefillProblem.NO_REPORT
    plan, _created = Plan.objects.get_or_create(organisation=organisation)
    with transaction.atomic():
        _bump(plan)
        # Checked under the plan's lock: two clicks at once fill the plan once.
        if PlanItem.objects.filter(plan=plan).exists():
            transaction.set_rollback(True)
            return PrefillProblem.NOT_EMPTY
        added = _append(plan, action_ids, PlanItem.Source.REPORT)
    return [result.item for result in added]


def move_item(item: PlanItem, direction: Direction, plan_version: int) -> Saved | Conflict:
    """Swap the item with its neighbour above or below, if the list is still as seen.

    At the top (or bottom) already, nothing moves and the result is Saved.
    """
    with transaction.atomic():
        if not _bump(item.plan, expected_version=plan_version):
            return Conflict(PlanItem.objects.filter(pk=item.pk).first())
        items = list(PlanItem.objects.filter(plan_id=item.plan_id).order_by("position", "pk"))
        index = next((i for i, other in enumerate(items) if other.pk == item.pk), None)
        if index is None:
            # Removed by a colleague (their removal bumped the version, so this is rare).
            transaction.set_rollback(True)
            return Conflict(None)
        other = index - 1 if direction == Direction.UP else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
        for number, row in enumerate(items, start=1):
            if row.position != number:
                PlanItem.objects.filter(pk=row.pk).update(position=number)
    item.refresh_from_db()
    return Saved(item)


def remove_item(item: PlanItem, item_version: int) -> Saved | Conflict:
    """Take the item off the plan, if nobody changed it since `item_version` was shown."""
    with transaction.atomic():
        _bump(item.plan)
        deleted, _rows = PlanItem.objects.filter(pk=item.pk, version=item_version).delete()
        if not deleted:
            current = PlanItem.objects.filter(pk=item.pk).first()
            # Undo the version bump: the list did not change.
            transaction.set_rollback(True)
            return Conflict(current)
        _renumber(item.plan)
    return Saved(item)


# -- Changing one item ----------------------------------------------------------------------


def _values(item: PlanItem) -> ItemChanges:
    return ItemChanges(item.owner, item.start, item.status, item.note)


def update_item(item: PlanItem, item_version: int, changes: ItemChanges) -> Saved | Conflict:
    """Save owner, start, status and note, if the item is still at `item_version`.

    When a colleague saved first, nothing is written and Conflict holds the current item —
    unless they saved exactly these values, which is then simply the result.
    """
    if changes.status not in PlanItem.Status.values:
        raise ValueError(f"unknown status: {changes.status!r}")
    updated = PlanItem.objects.filter(pk=item.pk, version=item_version).update(
        owner=changes.owner,
        start=changes.start,
        status=changes.status,
        note=changes.note,
        version=F("version") + 1,
        updated_on=today(),
    )
    current = PlanItem.objects.filter(pk=item.pk).select_related("plan").first()
    if updated:
        return Saved(current)
    if current is not None and _values(current) == changes:
        return Saved(current)
    return Conflict(current)
