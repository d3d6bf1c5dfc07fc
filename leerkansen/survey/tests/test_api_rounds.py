"""Rounds through the API: opening, entering answers, closing; the checks, the key, the tenant.

The report side of the round trip is in reports/tests/test_api_rounds.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pytest
from django.test import Client

from leerkansen.content.questionnaire import questionnaire_for
from leerkansen.organisations.models import ApiToken
from leerkansen.organisations.services import create_api_token, revoke_api_token
from leerkansen.survey.api_rounds import enter_response
from leerkansen.survey.models import Answer, Assessment, Response
from leerkansen.survey.rounds import close_round, open_round
from leerkansen.survey.services import Completion, answers_of
from leerkansen.testing import make_organisation

pytestmark = pytest.mark.django_db

# Agreement per challenge (reverse items get the mirrored answer).
AGREEMENT = {1: 5, 2: 2, 3: 3, 4: 5, 5: 2, 6: 3, 7: 2, 8: 4, 9: 3}


def body_for(
    role: str,
    agreement: Mapping[int, int] = AGREEMENT,
    needs: Sequence[int] = (1, 4, 9),
    **extra,
) -> dict:
    """A body a client would send for a respondent in `role`: every statement of the role's
    version of the questionnaire answered with `agreement[challenge]`, and `needs`."""
    questionnaire = questionnaire_for(role)
    answers = {
        item.id: 6 - agreement[item.challenge] if item.reverse else agreement[item.challenge]
        for item in questionnaire.items()
        if item.challenge is not None and item.scale == "agreement"
    }
    return {
        "role": role,
        "answers": answers,
        "needs": list(needs)[: len(questionnaire.need_items())],
        **extra,
    }


def api_client(organisation) -> Client:
    """A client sending a new API key of `organisation`, as an integration would."""
    secret = create_api_token(organisation, "Koppeling", None).secret
    return Client(headers={"Authorization": f"Bearer {secret}"})


def post(client: Client, path: str, body: object = None):
    data = body if isinstance(body, str | bytes) else json.dumps(body or {})
    return client.post(f"/api/v1{path}", data, content_type="application/json")


def problems(response) -> list[tuple[list, str]]:
    return [(problem["loc"], problem["type"]) for problem in response.json()["detail"]]


@pytest.fixture
def organisation():
    return make_organisation("Zorggroep Noord")


@pytest.fixture
def api(organisation) -> Client:
    return api_client(organisation)


@pytest.fixture
def open_round_(organisation) -> Assessment:
    return open_round(organisation, ["hr", "leidinggevende", "medewerker"], "Voorjaar")


# --- POST /rounds ---------------------------------------------------------------------------


def test_a_round_opened_through_the_api_is_the_organisations_open_round(api, organisation):
    response = post(api, "/rounds", {"title": "Voorjaar 2027", "roles": ["medewerker", "hr"]})
    assert response.status_code == 201, response.content
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assessment = Assessment.objects.get(code=data["id"])
    assert assessment.organisation == organisation and assessment.is_open
    # Kept in the order of the roles, as the round page keeps them.
    assert data == {
        "id": assessment.code,
        "title": "Voorjaar 2027",
        "roles": ["hr", "medewerker"],
        "status": "open",
        "completed": 0,
        "report_url": None,
    }


def test_a_round_title_loses_its_control_characters_as_on_the_round_page(api):
    response = post(api, "/rounds", {"title": " Voorjaar\x00 2027\x0b ", "roles": ["hr"]})
    assert response.status_code == 201
    assert Assessment.objects.get().title == "Voorjaar 2027"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"title": "Voorjaar"}, [(["body", "roles"], "required")]),
        ({"roles": []}, [(["body", "roles"], "required")]),
        ({"roles": ["hr", "stagiair"]}, [(["body", "roles", 1], "invalid_value")]),
        ({"roles": ["hr"], "title": "x" * 201}, [(["body", "title"], "too_long")]),
        ({"roles": ["hr"], "owner": "An"}, [(["body", "owner"], "extra_forbidden")]),
        ({"roles": "hr"}, [(["body", "roles"], "list_type")]),
    ],
)
def test_a_round_the_round_page_would_refuse_is_refused_with_what_to_mend(api, body, expected):
    response = post(api, "/rounds", body)
    assert response.status_code == 422
    assert problems(response) == expected
    assert not Assessment.objects.exists()


def test_a_round_role_error_says_which_roles_there_are_in_dutch(api):
    response = post(api, "/rounds", {"roles": ["stagiair"]})
    [problem] = response.json()["detail"]
    assert problem["msg"] == (
        'Stuur een van deze waarden: "hr", "directie", "leidinggevende", "medewerker".'
    )


def test_a_malformed_round_body_is_a_400(api):
    response = post(api, "/rounds", "{niet: json")
    assert response.status_code == 400
    assert problems(response) == [(["body"], "json_invalid")]


# --- POST /rounds/{id}/responses ------------------------------------------------------------


def test_an_entered_response_is_completed_and_marked_as_entered_by_the_organisation(
    api, open_round_
):
    # The employees' version: challenge 1 has four statements; three answers give a score.
    answers = {"B1_6": 4, "B1_7": None, "B1_8": 5, "B1_9": 2}
    response = post(
        api, f"/rounds/{open_round_.code}/responses", {"role": "medewerker", "answers": answers}
    )
    assert response.status_code == 201, response.content
    assert "no-store" in response["Cache-Control"]
    assert response.json()["completed"] == 1
    assert response.json()["report_url"] is None
    entered = Response.objects.get(assessment=open_round_)
    assert entered.is_completed and entered.entered_by_organisation
    assert entered.role == "medewerker"
    assert answers_of(entered) == answers
    # Others' answers: the round no longer publishes fewer than k at its close.
    open_round_.refresh_from_db()
    assert open_round_.links_made


def test_hr_enters_context_needs_and_practices_of_its_own_version(api, open_round_):
    body = body_for(
        "hr",
        context={"A_size": "50_249", "A_sector": "Q"},
        practices={"2.2": "al", "3.2": None},
    )
    response = post(api, f"/rounds/{open_round_.code}/responses", body)
    assert response.status_code == 201, response.content
    saved = answers_of(Response.objects.get())
    assert saved["A_size"] == "50_249" and saved["D_1"] == 1
    # 2.2 is the same practice as 1.1: one row. "Weet niet" is stored as null.
    assert saved["C_1_1"] == "al" and saved["C_3_2"] is None


def test_a_response_sent_through_a_link_is_not_marked_as_entered(open_round_):
    from leerkansen.reports.tests import add_responses

    add_responses(open_round_, "medewerker", 1)
    assert not Response.objects.get().entered_by_organisation


def test_an_open_answer_is_entered_without_control_characters(api, open_round_):
    body = body_for("medewerker")
    body["answers"]["E_open"] = "Meer\x00 tijd\x0b om\r\nsamen te\x85 leren."
    response = post(api, f"/rounds/{open_round_.code}/responses", body)
    assert response.status_code == 201, response.content
    saved = answers_of(Response.objects.get(), ["E_open"])
    assert saved == {"E_open": "Meer tijd om\r\nsamen te leren."}


NOT_ASKED = "unknown_item"


@pytest.mark.parametrize(
    ("role", "change", "expected"),
    [
        ("medewerker", {"role": "directie"}, [(["body", "role"], "invalid_role")]),
        ("medewerker", {"role": None}, [(["body", "role"], "invalid_role")]),
        ("medewerker", {"answers": {"B1_6": 7}}, [(["body", "answers", "B1_6"], "invalid_value")]),
        (
            "medewerker",
            {"answers": {"B1_6": "4"}},
            [(["body", "answers", "B1_6"], "invalid_value")],
        ),
        ("medewerker", {"answers": {"X_9": 3}}, [(["body", "answers", "X_9"], NOT_ASKED)]),
        # An employee is never asked the organisation's facts, policy, practices or needs.
        ("medewerker", {"answers": {"B1_1": 4}}, [(["body", "answers", "B1_1"], NOT_ASKED)]),
        (
            "medewerker",
            {"context": {"A_size": "lt10"}},
            [(["body", "context", "A_size"], NOT_ASKED)],
        ),
        ("medewerker", {"practices": {"1.1": "al"}}, [(["body", "practices", "1.1"], NOT_ASKED)]),
        ("medewerker", {"needs": [1]}, [(["body", "needs"], NOT_ASKED)]),
        # The role question is gone: the role is the body's.
        ("hr", {"context": {"A_role": "hr"}}, [(["body", "context", "A_role"], NOT_ASKED)]),
        ("hr", {"answers": {"A_size": "lt10"}}, [(["body", "answers", "A_size"], "wrong_field")]),
        (
            "hr",
            {"context": {"A_size": "Q\x00x"}},
            [(["body", "context", "A_size"], "invalid_value")],
        ),
        ("hr", {"practices": {"99.9": "al"}}, [(["body", "practices", "99.9"], "unknown_action")]),
        (
            "hr",
            {"practices": {"1.1": "al", "2.2": "nog_niet"}},
            [(["body", "practices", "2.2"], "same_practice")],
        ),
        ("hr", {"needs": [1, 1]}, [(["body", "needs", 1], "duplicate_need")]),
        ("medewerker", {"answers": {"B1_6": 4}}, [(["body", "answers"], "too_few_answers")]),
        ("medewerker", {"signature": "An"}, [(["body", "signature"], "extra_forbidden")]),
    ],
)
def test_an_entered_response_is_judged_like_the_web_and_post_assessments(
    api, open_round_, role, change, expected
):
    body = {**body_for(role), **change}
    response = post(api, f"/rounds/{open_round_.code}/responses", body)
    assert response.status_code == 422, response.content
    assert problems(response) == expected
    assert not Response.objects.exists()


def test_a_role_outside_the_round_names_the_rounds_roles(api, open_round_):
    response = post(api, f"/rounds/{open_round_.code}/responses", body_for("directie"))
    [problem] = response.json()["detail"]
    assert problem["msg"] == ('Stuur een van deze waarden: "hr", "leidinggevende", "medewerker".')


def test_a_malformed_response_body_is_a_400_and_keeps_nothing(api, open_round_):
    response = post(api, f"/rounds/{open_round_.code}/responses", b'{"role": "medewerker"')
    assert response.status_code == 400
    assert problems(response) == [(["body"], "json_invalid")]
    assert not Response.objects.exists()


def test_a_closed_round_takes_no_entered_response(api, open_round_):
    close_round(open_round_)
    response = post(api, f"/rounds/{open_round_.code}/responses", body_for("medewerker"))
    assert response.status_code == 409
    assert problems(response) == [(["path", "id"], "round_closed")]
    assert "afgesloten" in response.json()["detail"][0]["msg"]
    assert not Response.objects.exists()


def test_a_round_closed_while_a_response_is_entered_keeps_nothing_of_it(open_round_):
    # The close took the round's lock first: the completion sees it closed, and the response
    # it began is rolled back with its answers, rather than left as a draft.
    close_round(open_round_)
    outcome = enter_response(open_round_, "medewerker", {"B1_6": 4, "B1_8": 5, "B1_9": 2})
    assert outcome == Completion.ROUND_CLOSED
    assert not Response.objects.exists()
    assert not Answer.objects.exists()


# --- GET /questionnaire?rol= ---------------------------------------------------------------


def versions(client: Client, rol: str | None = None):
    return client.get("/api/v1/questionnaire", {"rol": rol} if rol else {})


def test_an_employee_is_never_asked_the_organisations_context_practices_or_needs():
    data = versions(Client(), "medewerker").json()
    assert data["role"] == "medewerker"
    kinds = {section["kind"] for section in data["sections"]}
    assert kinds == {"diagnostic", "outcomes"}
    assert not [item for item in data["items"] if item["section"] in ("A", "C", "D")]
    assert all("medewerker" in item["roles"] for item in data["items"])
    assert [item["id"] for item in data["items"]] == [
        item.id for item in questionnaire_for("medewerker").items()
    ]


def test_hr_gets_the_organisational_version_with_one_row_for_one_practice():
    data = versions(Client(), "hr").json()
    assert [section["id"] for section in data["sections"]] == ["A", "B", "C", "D", "E"]
    rows = {item["id"]: item for item in data["items"] if item["section"] == "C"}
    assert rows["C_1_1"]["actions"] == ["1.1", "2.2"]
    assert "C_2_2" not in rows
    assert None in [option["value"] for option in rows["C_1_1"]["options"]]


def test_without_a_role_every_asked_item_names_who_answers_it_and_retired_ones_are_left_out():
    data = versions(Client()).json()
    assert data["role"] is None
    ids = {item["id"] for item in data["items"]}
    assert not {"A_role", "C_2_2"} & ids
    assert all(item["roles"] for item in data["items"])
    context = next(section for section in data["sections"] if section["id"] == "A")
    assert context["roles"] == ["hr", "directie"]


def test_an_unknown_role_is_a_422_that_lists_the_roles():
    response = versions(Client(), "stagiair")
    assert response.status_code == 422
    assert problems(response) == [(["query", "rol"], "invalid_value")]
    assert '"medewerker"' in response.json()["detail"][0]["msg"]


FIELD_OF_KIND = {"context": "context", "diagnostic": "answers", "outcomes": "answers"}


def body_from_version(data: dict) -> dict:
    """What a client makes of a version: an answer to every item it lists."""
    kind_of = {section["id"]: section["kind"] for section in data["sections"]}
    body: dict = {"role": data["role"], "answers": {}, "context": {}, "practices": {}}
    for item in data["items"]:
        kind = kind_of[item["section"]]
        if kind == "practices":
            body["practices"][item["action"]] = item["options"][0]["value"]
        elif kind == "needs":
            body["needs"] = [4, 1, 9]
        elif item["options"]:
            body[FIELD_OF_KIND[kind]][item["id"]] = item["options"][0]["value"]
        else:
            body["answers"][item["id"]] = "Meer tijd om samen te leren."
    return body


@pytest.mark.parametrize("role", ["hr", "directie", "leidinggevende", "medewerker"])
def test_a_roles_version_is_exactly_what_an_entered_response_of_that_role_may_answer(
    api, organisation, role
):
    assessment = open_round(organisation, [role])
    body = body_from_version(versions(api, role).json())
    response = post(api, f"/rounds/{assessment.code}/responses", body)
    assert response.status_code == 201, response.content
    saved = answers_of(Response.objects.get())
    asked = {item.id for item in questionnaire_for(role).items() if item.about is None}
    assert set(saved) == asked


# --- POST /rounds/{id}/close ----------------------------------------------------------------


def test_closing_through_the_api_closes_the_round_once(api, open_round_):
    response = post(api, f"/rounds/{open_round_.code}/close")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    open_round_.refresh_from_db()
    assert not open_round_.is_open
    closed_at = open_round_.closed_at
    # Again: nothing changes.
    again = post(api, f"/rounds/{open_round_.code}/close")
    assert again.status_code == 200 and again.json()["status"] == "closed"
    open_round_.refresh_from_db()
    assert open_round_.closed_at == closed_at


# --- The key and the tenant -----------------------------------------------------------------

# Every round endpoint: (method, path after /api/v1/rounds/<id>, body).
ROUND_ENDPOINTS = [
    ("post", "/responses", body_for("medewerker")),
    ("post", "/close", None),
    ("get", "/report", None),
]


def call(client: Client, method: str, path: str, body: object):
    if method == "get":
        return client.get(f"/api/v1{path}")
    return post(client, path, body)


@pytest.mark.parametrize(("method", "suffix", "body"), ROUND_ENDPOINTS)
def test_another_organisations_round_is_a_404_exactly_like_a_missing_one(
    open_round_, method, suffix, body
):
    from leerkansen.reports.services import refresh_report
    from leerkansen.reports.tests import add_responses

    add_responses(open_round_, "medewerker", 5)
    assert refresh_report(open_round_) is not None
    outsider = api_client(make_organisation("Bravo Bouw"))

    theirs = call(outsider, method, f"/rounds/{open_round_.code}{suffix}", body)
    missing = call(outsider, method, f"/rounds/bestaat-niet{suffix}", body)

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert problems(theirs) == [(["path", "id"], "not_found")]
    assert "Voorjaar" not in theirs.content.decode()
    open_round_.refresh_from_db()
    assert open_round_.is_open
    assert Response.objects.filter(assessment=open_round_).count() == 5


def test_an_outsider_cannot_enter_answers_in_another_organisations_round_by_its_id(open_round_):
    outsider = api_client(make_organisation("Bravo Bouw"))
    post(outsider, f"/rounds/{open_round_.code}/responses", body_for("medewerker"))
    assert not Response.objects.exists()


ALL_ENDPOINTS = [("post", "", {"roles": ["hr"]}), *ROUND_ENDPOINTS]


@pytest.mark.parametrize(("method", "suffix", "body"), ALL_ENDPOINTS)
@pytest.mark.parametrize("key", ["none", "unknown", "revoked"])
def test_every_round_endpoint_needs_a_valid_key(
    open_round_, organisation, method, suffix, body, key
):
    if key == "none":
        client = Client()
    elif key == "unknown":
        client = Client(headers={"Authorization": "Bearer geen-geldige-sleutel"})
    else:
        client = api_client(organisation)
        revoke_api_token(ApiToken.objects.get(organisation=organisation), None)
    path = f"/rounds{'/' + open_round_.code if suffix else ''}{suffix}"

    response = call(client, method, path, body)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert problems(response) == [(["header", "Authorization"], "unauthorized")]
    assert Assessment.objects.get() == open_round_
    open_round_.refresh_from_db()
    assert open_round_.is_open and not open_round_.responses.exists()
