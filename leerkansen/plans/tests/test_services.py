"""The plan's rules, called directly: order, versions, and what a refused change leaves."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from leerkansen.plans import services
from leerkansen.plans.models import PlanItem
from leerkansen.plans.services import Conflict, Direction, ItemChanges, PrefillProblem, Saved
from leerkansen.reports.models import Report

from . import action_ids, items, make_report_for

pytestmark = pytest.mark.django_db


def plan_version(organisation) -> int:
    return services.plan_of(organisation).version


def test_add_appends_and_an_unknown_action_is_refused(team_a):
    organisation = team_a.organisation
    first = services.add_action(organisation, "2.1")
    second = services.add_action(organisation, "1.1", PlanItem.Source.REPORT)
    again = services.add_action(organisation, "2.1")
    assert (first.created, second.created, again.created) == (True, True, False)
    assert again.item.pk == first.item.pk
    assert [(i.action_id, i.position, i.added_from) for i in items(organisation)] == [
        ("2.1", 1, "menu"),
        ("1.1", 2, "report"),
    ]
    with pytest.raises(ValueError):
        services.add_action(organisation, "9.99")
    with pytest.raises(ValidationError):
        PlanItem(plan=services.plan_of(organisation), action_id="9.99", position=3).full_clean()


def test_finding_an_action_already_on_the_plan_changes_no_version(team_a):
    services.add_action(team_a.organisation, "2.1")
    before = plan_version(team_a.organisation)
    services.add_action(team_a.organisation, "2.1")
    assert plan_version(team_a.organisation) == before


def test_a_refused_move_or_removal_leaves_the_plan_as_it_was(team_a):
    organisation = team_a.organisation
    for action_id in ("1.1", "2.1", "3.1"):
        services.add_action(organisation, action_id)
    first, second, _third = items(organisation)
    version = plan_version(organisation)

    assert isinstance(services.move_item(second, Direction.UP, version - 1), Conflict)
    assert action_ids(organisation) == ["1.1", "2.1", "3.1"]
    assert plan_version(organisation) == version

    assert isinstance(services.remove_item(first, first.version + 1), Conflict)
    assert action_ids(organisation) == ["1.1", "2.1", "3.1"]
    assert plan_version(organisation) == version

    assert isinstance(services.move_item(second, Direction.UP, version), Saved)
    assert action_ids(organisation) == ["2.1", "1.1", "3.1"]
    assert plan_version(organisation) == version + 1
    # The bottom item moving down stays where it is.
    last = items(organisation)[-1]
    assert isinstance(services.move_item(last, Direction.DOWN, version + 1), Saved)
    assert action_ids(organisation) == ["2.1", "1.1", "3.1"]


def test_update_names_its_version_and_a_stale_one_returns_the_current_item(team_a):
    item = services.add_action(team_a.organisation, "1.1").item
    mine = ItemChanges("An", None, "planned", "mijn notitie")
    theirs = ItemChanges("Jo", None, "done", "hun notitie")

    assert isinstance(services.update_item(item, 1, theirs), Saved)
    result = services.update_item(item, 1, mine)
    assert isinstance(result, Conflict)
    assert (result.item.owner, result.item.note, result.item.version) == ("Jo", "hun notitie", 2)
    with pytest.raises(ValueError):
        services.update_item(item, 2, ItemChanges("", None, "busy", ""))


def test_removed_item_is_a_conflict_without_current_values(team_a):
    item = services.add_action(team_a.organisation, "1.1").item
    assert isinstance(services.remove_item(item, item.version), Saved)
    result = services.update_item(item, item.version, ItemChanges("An", None, "planned", ""))
    assert result == Conflict(None)


def test_prefill_takes_the_latest_reports_known_top_3_once(team_a):
    organisation = team_a.organisation
    assert services.prefill_from_report(organisation) == PrefillProblem.NO_REPORT
    report = make_report_for(organisation)
    top3 = [entry["action"] for entry in report.top3]
    # An id the catalogue no longer has is left out.
    Report.objects.filter(pk=report.pk).update(top3=[{"action": "9.99"}, *report.top3])

    added = services.prefill_from_report(organisation)
    assert [item.action_id for item in added] == top3
    version = plan_version(organisation)
    assert services.prefill_from_report(organisation) == PrefillProblem.NOT_EMPTY
    assert plan_version(organisation) == version
    assert action_ids(organisation) == top3
