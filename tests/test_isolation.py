"""Tenant isolation: every URL pattern × method × persona, and a meta-test that keeps it complete.

Organisation A ("Alfa Zorg") owns a round with a completed response, a report, a shared link
and an API key; organisation B ("Bravo Bouw") has its own round. Each URL is called with A's
ids by five personas: A's admin, B's admin, a respondent of A's round (no account), a
researcher (staff, no membership) and an anonymous visitor. The expected status of each call
is written out below; besides that, no one but A's admin may see A's name or round title, and
no call by anyone else may change A's data. (A's respondent is the exception on the
questionnaire's own pages, which name the organisation that asks and save their answers.)

Adding a URL pattern without a row here fails `test_every_url_pattern_is_in_the_matrix`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import World, snapshot_of_a

pytestmark = pytest.mark.django_db

PERSONAS = ("admin_b", "respondent", "researcher", "anonymous", "admin_a")
A_MARKERS = ("Alfa Zorg", "Ronde Alfa")

# Expected outcomes. "ok" is 200; "login" a redirect to the login page; "research" the redirect
# of a researcher (who has no organisation) to the research area; "start" a redirect to the
# questionnaire's start page; "away" any other redirect. Numbers are status codes.
# Each row: GET and POST outcomes per persona, in the order of PERSONAS.
OK, L, R = "ok", "login", "research"


@dataclass(frozen=True)
class Row:
    get: tuple
    post: tuple


def row(get, post) -> Row:
    return Row(tuple(get), tuple(post))


def same(outcome, post=None) -> Row:
    return row([outcome] * 5, [post or outcome] * 5)


MEMBERS_ONLY_GET = row([OK, L, R, L, OK], [405, L, R, L, 405])
# An empty form comes back with its errors.
MEMBERS_ONLY_FORM = row([OK, L, R, L, OK], [OK, L, R, L, OK])
# A download is a job: the POST starts it and leads to the job's page.
MEMBERS_ONLY_DOWNLOAD = row([405, L, R, L, 405], ["away", L, R, L, "away"])
# A's admin's job: only whoever started it sees it (login first, then a 404 for anyone else).
OWN_JOB_GET = row([404, L, 404, L, OK], [405, L, 405, L, 405])
# A's id in the URL: B's admin gets a 404, like an id that does not exist.
A_ONLY_GET = row([404, L, R, L, OK], [405, L, R, L, 405])
A_ONLY_POST = row([405, L, R, L, 405], [404, L, R, L, "away"])
RESEARCHERS_ONLY_GET = row([403, L, OK, L, 403], [403, L, 405, L, 403])
PUBLIC_PAGE = row([OK] * 5, [405] * 5)
# The API: A's admin calls with A's key, B's admin with B's key, the others without a key.
API_PUBLIC = row([OK] * 5, [405] * 5)
# django-ninja serves its schema and docs to any method.
API_DOCS = same(OK)
API_A_ONLY = row([404, 401, 401, 401, OK], [405] * 5)

MATRIX: dict[str, Row] = {
    "catalogue:home": PUBLIC_PAGE,
    "catalogue:action_list": PUBLIC_PAGE,
    "catalogue:action_detail": PUBLIC_PAGE,
    "catalogue:action_sheet": PUBLIC_PAGE,
    "catalogue:menu_card_pdf": PUBLIC_PAGE,
    "catalogue:menu_card_png": PUBLIC_PAGE,
    # Logged in, the sign-up and login pages send you on.
    "organisations:register": row(
        ["away", OK, "away", OK, "away"], ["away", OK, "away", OK, "away"]
    ),
    "organisations:registered": PUBLIC_PAGE,
    "organisations:verify": row([400] * 5, [400] * 5),
    "organisations:login": row(["away", OK, "away", OK, "away"], ["away", OK, "away", OK, "away"]),
    "organisations:logout": row([405] * 5, ["away"] * 5),
    "organisations:password_reset": row([OK] * 5, [OK] * 5),
    "organisations:password_reset_sent": PUBLIC_PAGE,
    "organisations:password_reset_confirm": row([OK] * 5, [OK] * 5),
    "organisations:dashboard": MEMBERS_ONLY_GET,
    "organisations:create": row([OK, L, OK, L, OK], [OK, L, OK, L, OK]),
    # Without a choice, back to the organisation's page; another's code is a 404 (test_switch).
    "organisations:switch": row([405, L, R, L, 405], ["away", L, R, L, "away"]),
    # Each admin sets their own organisation's choice; an empty POST is refused with a message.
    "organisations:benchmark_sharing": row([405, L, R, L, 405], ["away", L, R, L, "away"]),
    "organisations:team": MEMBERS_ONLY_GET,
    "organisations:invite": MEMBERS_ONLY_FORM,
    "organisations:invitation": row([404] * 5, [404] * 5),
    "organisations:api_tokens": MEMBERS_ONLY_FORM,
    "organisations:revoke_api_token": A_ONLY_POST,
    "organisations:data": MEMBERS_ONLY_GET,
    # Downloads are posted (they are logged); each admin gets their own organisation's data.
    "organisations:data_json": MEMBERS_ONLY_DOWNLOAD,
    "organisations:data_csv": MEMBERS_ONLY_DOWNLOAD,
    "organisations:erase": MEMBERS_ONLY_FORM,
    "plans:plan": MEMBERS_ONLY_GET,
    "plans:add": MEMBERS_ONLY_FORM,
    "plans:prefill": row([405, L, R, L, 405], ["away", L, R, L, "away"]),
    "plans:plan_pdf": MEMBERS_ONLY_GET,
    "plans:plan_xlsx": MEMBERS_ONLY_GET,
    # B's plan is empty: no sheets or card, back to the plan page.
    "plans:sheets_pdf": row([405, L, R, L, 405], ["away", L, R, L, "away"]),
    "plans:menu_card_pdf": row(["away", L, R, L, OK], [405, L, R, L, 405]),
    "plans:menu_card_png": row(["away", L, R, L, OK], [405, L, R, L, 405]),
    "plans:edit": row([405, L, R, L, 405], [404, L, R, L, OK]),
    "plans:move": A_ONLY_POST,
    "plans:remove": row([404, L, R, L, OK], [404, L, R, L, OK]),
    "plans:item_sheet_pdf": A_ONLY_GET,
    "plans:progress": A_ONLY_GET,
    "rounds:list": MEMBERS_ONLY_FORM,
    "rounds:detail": A_ONLY_GET,
    "rounds:invite": row([404, L, R, L, OK], [404, L, R, L, OK]),
    "rounds:shared_link": A_ONLY_POST,
    "rounds:disable_link": A_ONLY_POST,
    "rounds:remind": A_ONLY_POST,
    "rounds:close": row([404, L, R, L, OK], [404, L, R, L, "away"]),
    "reports:round_report": A_ONLY_POST,
    "rounds:answer": A_ONLY_POST,
    # The paper pages: without a role (?rol=) the PDF and templates lead back to the paper
    # page; an empty post of the entry screen asks for the role, of the import for the file.
    "paper:index": A_ONLY_GET,
    "paper:form_pdf": row([404, L, R, L, "away"], [405, L, R, L, 405]),
    "paper:template_csv": row([404, L, R, L, "away"], [405, L, R, L, 405]),
    "paper:template_xlsx": row([404, L, R, L, "away"], [405, L, R, L, 405]),
    "paper:entry": row([404, L, R, L, OK], [404, L, R, L, OK]),
    "paper:import": row([404, L, R, L, OK], [404, L, R, L, OK]),
    "survey:start": row([OK] * 5, [405] * 5),
    "survey:invitation": row([404] * 5, [405] * 5),
    "survey:resume": row([404] * 5, [405] * 5),
    # Without a response in the session, a posted page is kept until the link is reopened.
    "survey:section": row(["start", OK, "start", "start", "start"], [OK, "away", OK, OK, OK]),
    "survey:review": row(
        ["start", OK, "start", "start", "start"], ["start", OK, "start", "start", "start"]
    ),
    "survey:thanks": row(["start", "start", "start", "start", "start"], [405] * 5),
    # Only after a shared link's send; nobody here sent one.
    "survey:again": row([405] * 5, ["start"] * 5),
    # The language switch: a POST that goes back to the questionnaire (here: its start).
    "survey:language": row([405] * 5, ["start"] * 5),
    "reports:demo_report": PUBLIC_PAGE,
    "reports:demo_report_pdf": PUBLIC_PAGE,
    "reports:report": A_ONLY_GET,
    "reports:report_pdf": A_ONLY_GET,
    "reports:rate_actions": row([404, L, R, L, OK], [404, L, R, L, OK]),
    # An empty post hides nothing and goes back to the page.
    "reports:comments": row([404, L, R, L, OK], [404, L, R, L, "away"]),
    # Researchers only; everyone else logged in is refused (and the refusal is logged).
    "research:dashboard": RESEARCHERS_ONLY_GET,
    "research:organisation_list": RESEARCHERS_ONLY_GET,
    "research:benchmarks": RESEARCHERS_ONLY_GET,
    # Without a table yet (as here), a 404 for the researcher.
    "research:benchmarks_csv": row([403, L, 404, L, 403], [403, L, 405, L, 403]),
    "research:models": RESEARCHERS_ONLY_GET,
    "research:exports": RESEARCHERS_ONLY_GET,
    # POST starts the export as a job (its page: "away"); a GET leads back to the exports.
    "research:export_download": row([403, L, R, L, 403], [403, L, "away", L, 403]),
    "research:export_codebook": RESEARCHERS_ONLY_GET,
    # The second factor's page: a form (an empty post comes back with its errors).
    "research:second_factor": row([403, L, OK, L, 403], [403, L, OK, L, 403]),
    "research:model_detail": RESEARCHERS_ONLY_GET,
    # A rename of the shipped version is refused: only a draft can be renamed.
    "research:model_rename": row([403, L, 405, L, 403], [403, L, 404, L, 403]),
    # GET asks for confirmation; the active version cannot be activated: back to its page.
    "research:model_activate": row([403, L, R, L, 403], [403, L, R, L, 403]),
    # Re-estimation as a job: POST only; an empty form comes back with its errors.
    "research:estimate_profiles": row([403, L, 405, L, 403], [403, L, OK, L, 403]),
    "research:estimate_evidence": row([403, L, 405, L, 403], [403, L, OK, L, 403]),
    "api_v1:api-root": row([404] * 5, [404] * 5),
    "api_v1:openapi-json": API_DOCS,
    "api_v1:openapi-view": API_DOCS,
    "api_v1:catalogue": API_PUBLIC,
    "api_v1:questionnaire": API_PUBLIC,
    "api_v1:create_assessment": row([405] * 5, [422, 401, 401, 401, 422]),
    "api_v1:report": API_A_ONLY,
    "api_v1:report_pdf": API_A_ONLY,
    # An empty body is not JSON (400); B's key opens a round of B's own.
    "api_v1:create_round": row([405] * 5, [400, 401, 401, 401, 400]),
    "api_v1:enter_round_response": row([405] * 5, [404, 401, 401, 401, 400]),
    "api_v1:close_round": row([405] * 5, [404, 401, 401, 401, OK]),
    "api_v1:round_report": API_A_ONLY,
    "jobs:list": row([OK, L, OK, L, OK], [405, L, 405, L, 405]),
    "jobs:job": OWN_JOB_GET,
    "jobs:state": OWN_JOB_GET,
    "jobs:download": OWN_JOB_GET,
    # A's admin retries a job that did not fail: nothing happens, back to its page.
    "jobs:retry": row([405, L, 405, L, 405], [404, L, 404, L, "away"]),
}
# Pages without anyone's data may be cached; every other page answers with no-store.
CACHEABLE = {
    "catalogue:home",
    "catalogue:action_list",
    "catalogue:action_detail",
    "catalogue:action_sheet",
    "catalogue:menu_card_pdf",
    "catalogue:menu_card_png",
    "organisations:registered",
    "organisations:password_reset_sent",
    "api_v1:openapi-json",
    "api_v1:openapi-view",
    "api_v1:catalogue",
    "api_v1:questionnaire",
}
# Django's admin has its own staff check (tested in organisations/tests/test_admin.py).
OUT_OF_MATRIX_PREFIXES = ("beheer/",)


def url_patterns() -> dict[str, str]:
    """Every named URL pattern of the site: "namespace:name" → route."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith(OUT_OF_MATRIX_PREFIXES):
                    continue
                walk(pattern.url_patterns, route, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                found[name] = route

    walk(get_resolver().url_patterns, "", None)
    return found


def test_every_url_pattern_is_in_the_matrix():
    patterns = url_patterns()
    unlisted = sorted(set(patterns) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(patterns))
    assert not unlisted, f"add these URL patterns to the isolation matrix: {unlisted}"
    assert not stale, f"these matrix rows name no URL pattern any more: {stale}"
    assert all(":" in name and "None" not in name for name in patterns), patterns


def outcome(response, login_url: str) -> str | int:
    if response.status_code in (301, 302, 303):
        target = response["Location"]
        if target.startswith(login_url):
            return L
        if target.startswith(reverse("research:dashboard")):
            return R
        if target == reverse("survey:start"):
            return "start"
        return "away"
    if response.status_code == 200:
        return OK
    return response.status_code


def call(world: World, name: str, method: str, persona: str):
    url = reverse(name, kwargs=world.kwargs.get(name, {}))
    client = world.clients[persona]
    headers = {}
    if name.startswith("api_v1:") and persona in world.api_keys:
        headers["Authorization"] = f"Bearer {world.api_keys[persona]}"
    if method == "get":
        return client.get(url, headers=headers)
    if name == "api_v1:create_assessment":
        return client.post(url, data="{}", content_type="application/json", headers=headers)
    return client.post(url, headers=headers)


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_only_organisation_a_reaches_its_data(world, name, method):
    login_url = reverse("organisations:login")
    expected_row = getattr(MATRIX[name], method)
    wrong = []
    for persona, expected in zip(PERSONAS, expected_row, strict=True):
        before = snapshot_of_a(world)
        response = call(world, name, method, persona)
        got = outcome(response, login_url)
        if got != expected:
            wrong.append(f"{persona}: expected {expected}, got {got}")
        no_store = "no-store" in response.get("Cache-Control", "")
        if got == OK and name not in CACHEABLE and not no_store:
            wrong.append(f"{persona}: no Cache-Control: no-store")
        if persona == "admin_a" or (persona == "respondent" and name.startswith("survey:")):
            # A's respondent answers A's questionnaire: it names A and saves their answers.
            continue
        leaked = [marker for marker in A_MARKERS if marker in body(response)]
        if leaked:
            wrong.append(f"{persona} saw {leaked}")
        if snapshot_of_a(world) != before:
            wrong.append(f"{persona} changed organisation A's data")
    assert not wrong, f"{method.upper()} {name}: " + "; ".join(wrong)
