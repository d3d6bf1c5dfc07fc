"""Helpers for the plan tests."""

from __future__ import annotations

import re

from django.urls import reverse

from leerkansen.organisations.models import Organisation
from leerkansen.plans.models import PlanItem
from leerkansen.reports.models import Report
from leerkansen.reports.services import create_report
from leerkansen.reports.tests import full_answers
from leerkansen.survey.services import complete_response, save_answers, start_assessment

PLAN_URL = "/organisatie/plan/"


def make_report_for(organisation: Organisation) -> Report:
    """A round of the organisation with one completed response, and its report."""
    response, _token = start_assessment(organisation)
    save_answers(response, full_answers())
    complete_response(response)
    return create_report(response.assessment)


def items(organisation: Organisation) -> list[PlanItem]:
    return list(PlanItem.objects.filter(plan__organisation=organisation).order_by("position"))


def action_ids(organisation: Organisation) -> list[str]:
    return [item.action_id for item in items(organisation)]


def edit_data(item: PlanItem, **changes) -> dict[str, str]:
    """The edit form of `item` as shown, with `changes` typed over it."""
    data = {
        "owner": item.owner,
        "start": item.start.isoformat() if item.start else "",
        "status": item.status,
        "note": item.note,
        "version": str(item.version),
    }
    data.update({key: str(value) for key, value in changes.items()})
    return data


def edit_url(item: PlanItem) -> str:
    return reverse("plans:edit", args=[item.code])


def hidden_value(html: str, form_action: str, name: str) -> str:
    """The value of a hidden input `name` in the form that posts to `form_action`."""
    start = html.index(f'action="{form_action}"')
    form = html[start : html.index("</form>", start)]
    match = re.search(rf'name="{name}" value="([^"]*)"', form) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', form
    )
    assert match, f"no {name} in the form to {form_action}"
    return match.group(1)
