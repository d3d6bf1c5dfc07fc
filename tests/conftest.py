"""Two organisations and five personas, for the tenant isolation and CSRF tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils.http import urlsafe_base64_encode

from leerkansen.organisations.gdpr import tenant_models
from leerkansen.organisations.jobs import start_data_download
from leerkansen.organisations.models import Organisation, SecurityEvent
from leerkansen.organisations.services import create_api_token
from leerkansen.organisations.tenancy import owned
from leerkansen.plans.services import add_action
from leerkansen.reports.demo import load_demo
from leerkansen.reports.models import Report
from leerkansen.reports.services import create_report
from leerkansen.reports.tests import add_responses
from leerkansen.survey.rounds import create_shared_link, open_round
from leerkansen.survey.tests import make_invitation
from leerkansen.testing import BARE, make_admin, make_organisation, make_researcher

# The round pages that take only the round's code.
ROUND_ROUTES = (
    "rounds:detail",
    "rounds:invite",
    "rounds:shared_link",
    "rounds:remind",
    "rounds:close",
    "reports:round_report",
    "rounds:answer",
    # The paper pages of a round (leerkansen/paper); their role is a query parameter.
    "paper:index",
    "paper:form_pdf",
    "paper:entry",
    "paper:template_csv",
    "paper:template_xlsx",
    "paper:import",
)


@dataclass
class World:
    organisation_a: Organisation
    organisation_b: Organisation
    clients: dict[str, Client]
    api_keys: dict[str, str]
    kwargs: dict[str, dict]


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world() -> World:
    organisation_a = make_organisation("Alfa Zorg")
    organisation_b = make_organisation("Bravo Bouw", sector="F", size_band="10_49")
    admin_a, _ = make_admin("an@alfa.be", organisation=organisation_a, **BARE)
    admin_b, _ = make_admin("bo@bravo.be", organisation=organisation_b, **BARE)
    researcher = make_researcher("rik@universiteit.be", **BARE)

    round_a = open_round(organisation_a, ["hr", "medewerker"], "Ronde Alfa")
    add_responses(round_a, "hr", 1)
    report = create_report(round_a)
    # A stored PDF: the matrix is about who gets it, not about rendering it.
    Report.objects.filter(pk=report.pk).update(pdf=b"%PDF-1.7 Alfa")
    shared = create_shared_link(round_a, "medewerker")
    _invitation, personal_token = make_invitation(round_a, "medewerker")
    plan_item = add_action(organisation_a, "1.1").item
    open_round(organisation_b, ["hr"], "Ronde Bravo")
    load_demo()
    key_a = create_api_token(organisation_a, "Alfa-koppeling", admin_a)
    key_b = create_api_token(organisation_b, "Bravo-koppeling", admin_b)
    data_download = start_data_download(admin_a, organisation_a, "json")

    respondent = Client()
    opened = respondent.get(f"/vragenlijst/uitnodiging/{personal_token}/")
    assert opened.status_code == 302, "the respondent's link should open the questionnaire"

    uid = urlsafe_base64_encode(str(admin_a.pk).encode())
    kwargs = {
        "catalogue:action_detail": {"action_id": "1.1"},
        "catalogue:action_sheet": {"action_id": "1.1"},
        "organisations:verify": {"token": "niet-geldig"},
        "organisations:password_reset_confirm": {"uidb64": uid, "token": "niet-geldig"},
        "organisations:invitation": {"token": "niet-geldig"},
        "organisations:revoke_api_token": {"pk": key_a.token.pk},
        "rounds:disable_link": {"code": round_a.code, "link": shared.code},
        "survey:invitation": {"token": "niet-geldig"},
        "survey:resume": {"token": "niet-geldig"},
        "survey:section": {"section_id": "B"},
        "reports:report": {"code": report.code},
        "reports:report_pdf": {"code": report.code},
        "reports:rate_actions": {"code": report.code},
        "reports:comments": {"code": report.code},
        "plans:progress": {"code": report.code},
        "research:model_detail": {"version": "1.1.0"},
        "plans:edit": {"code": plan_item.code},
        "plans:move": {"code": plan_item.code},
        "plans:remove": {"code": plan_item.code},
        "plans:item_sheet_pdf": {"code": plan_item.code},
        "research:export_download": {"dataset": "responses", "file_format": "csv"},
        "research:export_codebook": {"file_format": "csv"},
        "research:model_rename": {"version": "1.1.0"},
        "research:model_activate": {"version": "1.1.0"},
        "api_v1:report": {"id": round_a.code},
        "api_v1:report_pdf": {"id": round_a.code},
        "api_v1:enter_round_response": {"id": round_a.code},
        "api_v1:close_round": {"id": round_a.code},
        "api_v1:round_report": {"id": round_a.code},
    }
    for name in ("jobs:job", "jobs:state", "jobs:download", "jobs:retry"):
        kwargs[name] = {"job_id": data_download.pk}
    for name in ROUND_ROUTES:
        kwargs[name] = {"code": round_a.code}
    clients = {
        "admin_a": _logged_in(admin_a),
        "admin_b": _logged_in(admin_b),
        "respondent": respondent,
        "researcher": _logged_in(researcher),
        "anonymous": Client(),
    }
    api_keys = {"admin_a": key_a.secret, "admin_b": key_b.secret}
    return World(organisation_a, organisation_b, clients, api_keys, kwargs)


def snapshot_of_a(world: World) -> dict:
    """Every row organisation A owns, except its security log (denials are logged there)."""
    return {
        model._meta.label: list(owned(model, world.organisation_a).order_by("pk").values())
        for model in tenant_models()
        if model is not SecurityEvent
    }
