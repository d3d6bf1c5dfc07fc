"""The plan is the organisation's data: in its GDPR export, gone with its erasure."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from leerkansen.organisations.gdpr import erase_organisation, export_csv_zip, export_json
from leerkansen.plans import services
from leerkansen.plans.models import Plan, PlanItem
from leerkansen.plans.services import ItemChanges

pytestmark = pytest.mark.django_db


def fill(organisation, action_id: str, owner: str, note: str) -> PlanItem:
    item = services.add_action(organisation, action_id).item
    services.update_item(item, item.version, ItemChanges(owner, None, "in_progress", note))
    return item


def test_export_holds_the_plan_and_its_items_and_nothing_of_another_plan(team_a, admin_b):
    fill(team_a.organisation, "1.1", "Sofie Peeters", "Eerst IT")
    fill(team_a.organisation, "5.3", "=HYPERLINK(1)", "")
    admin_b.post("/organisatie/plan/toevoegen/", {"action": "9.1"})
    assert PlanItem.objects.filter(action_id="9.1").exists()

    data = json.loads(export_json(team_a.organisation))
    exported = data["plans.PlanItem"]
    assert [(row["action_id"], row["owner"], row["note"]) for row in exported] == [
        ("1.1", "Sofie Peeters", "Eerst IT"),
        ("5.3", "=HYPERLINK(1)", ""),
    ]
    assert all(row["status"] == "in_progress" for row in exported)
    assert len(data["plans.Plan"]) == 1
    assert "9.1" not in json.dumps(data["plans.PlanItem"])

    archive = zipfile.ZipFile(io.BytesIO(export_csv_zip(team_a.organisation)))
    items_csv = archive.read("plans.PlanItem.csv").decode()
    assert "Sofie Peeters" in items_csv and "'=HYPERLINK(1)" in items_csv


def test_erasure_removes_the_plan_and_keeps_the_other_organisations(team_a, admin_b):
    fill(team_a.organisation, "1.1", "Sofie Peeters", "Eerst IT")
    admin_b.post("/organisatie/plan/toevoegen/", {"action": "9.1"})

    erase_organisation(team_a.organisation)

    assert list(PlanItem.objects.values_list("action_id", flat=True)) == ["9.1"]
    assert Plan.objects.count() == 1
