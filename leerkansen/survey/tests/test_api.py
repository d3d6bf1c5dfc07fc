import json

import pytest

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.organisations.models import Organisation
from leerkansen.organisations.services import create_api_token
from leerkansen.reports.models import Report
from leerkansen.survey.models import Assessment
from leerkansen.survey.services import answers_of

QUESTIONNAIRE_URL = "/api/v1/questionnaire"
ASSESSMENTS_URL = "/api/v1/assessments"


def valid_body(
    severe: frozenset[int] = frozenset({4}),
    needs: tuple[int, ...] = (4, 1, 9),
    practices: dict[str, str] | None = None,
) -> dict:
    """A complete submission: severe challenges agreed with fully, the rest mildly."""
    answers: dict[str, int | None] = {}
    for item in get_questionnaire().items():
        if item.challenge is not None:
            agreement = 5 if item.challenge in severe else 2
            answers[item.id] = 6 - agreement if item.reverse else agreement
        elif item.section == "E" and item.scale == "agreement":
            answers[item.id] = 3
    return {
        "answers": answers,
        "practices": practices or {"1.1": "deels"},
        "needs": list(needs),
        "context": {"A_sector": "Q", "A_size": "50_249"},
    }


@pytest.fixture
def api_organisation(db):
    return Organisation.objects.create(name="Zorggroep API")


@pytest.fixture
def client(client, api_organisation):
    """A client that sends the organisation's API token, as an integration would."""
    secret = create_api_token(api_organisation, "tests", None).secret
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def test_submitting_needs_an_organisation_token(client):
    client.defaults.pop("HTTP_AUTHORIZATION")
    assert post(client, valid_body()).status_code == 401
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer not-a-token"
    assert post(client, valid_body()).status_code == 401
    assert not Assessment.objects.exists()


def test_a_submitted_assessment_belongs_to_the_token_organisation(client, api_organisation):
    assert post(client, valid_body()).status_code == 201
    assert Assessment.objects.get().organisation == api_organisation


def post(client, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(ASSESSMENTS_URL, data, content_type="application/json")


# --- GET /questionnaire ---------------------------------------------------------------------


def test_questionnaire_lists_sections_a_to_e(client):
    response = client.get(QUESTIONNAIRE_URL)
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == get_questionnaire().version
    assert [s["id"] for s in data["sections"]] == ["A", "B", "C", "D", "E"]
    for section in data["sections"]:
        assert {"id", "kind", "title", "purpose"} <= set(section)
        assert section["title"]
        assert section["purpose"]


def test_questionnaire_gives_the_diagnostic_items_asked_with_their_reverse_keys(client):
    items = client.get(QUESTIONNAIRE_URL).json()["items"]
    diagnostic = [item for item in items if item["section"] == "B"]
    # Every role's statements, not the retired ones (kept only for answers stored under them).
    expected = {item.id: item.reverse for item in get_questionnaire().items("B") if item.roles}
    assert {item["id"]: item["reverse"] for item in diagnostic} == expected
    assert any(reverse for reverse in expected.values())
    assert not all(reverse for reverse in expected.values())
    for item in diagnostic:
        assert item["challenge"] == int(item["id"][1])
        assert item["text"]
        assert item["roles"]
        # 1 (helemaal oneens) .. 5 (helemaal eens), and "Weet niet" as null.
        assert [option["value"] for option in item["options"]] == [1, 2, 3, 4, 5, None]
        assert item["options"][0]["label"] == "Helemaal oneens"
        assert item["options"][-1]["label"] == "Weet niet"


def test_questionnaire_gives_a_practice_row_per_practice(client):
    items = client.get(QUESTIONNAIRE_URL).json()["items"]
    rows = [item for item in items if item["section"] == "C"]
    catalogue = get_catalogue()
    # 1.1 and 2.2 are one practice: one row, counted for both.
    assert len(rows) == 47
    assert [row["action"] for row in rows] == [
        action.id for action in catalogue.actions() if action.id != "2.2"
    ]
    assert rows[0]["actions"] == ["1.1", "2.2"]
    asked = {item.id: item.text for item in get_questionnaire().items("C")}
    for row in rows:
        assert row["text"] == asked[row["id"]]
        assert row["challenge"] is None
        assert row["reverse"] is False
        assert [o["value"] for o in row["options"]] == ["al", "deels", "nog_niet", "nvt", None]


def test_questionnaire_offers_the_nine_challenges_as_needs_and_context_options(client):
    items = {item["id"]: item for item in client.get(QUESTIONNAIRE_URL).json()["items"]}
    titles = [challenge.title for challenge in get_catalogue().challenges]
    for need_id in ("D_1", "D_2", "D_3"):
        assert [o["value"] for o in items[need_id]["options"]] == list(range(1, 10))
        assert [o["label"] for o in items[need_id]["options"]] == titles
    size = items["A_size"]
    assert {"value": "50_249", "label": "50 tot 249"} in size["options"]
    assert size["options"][-1]["value"] is None
    assert items["E_1"]["challenge"] is None


# --- POST /assessments ----------------------------------------------------------------------


@pytest.mark.django_db
def test_posting_a_valid_assessment_returns_its_id_and_report_addresses(client):
    response = post(client, valid_body())
    assert response.status_code == 201
    data = response.json()
    assert set(data) == {"id", "report_url", "pdf_url"}
    assessment = Assessment.objects.get(code=data["id"])
    report = Report.objects.get(assessment=assessment)
    assert data["report_url"] == f"http://testserver/rapport/{report.code}/"
    assert data["pdf_url"] == f"http://testserver/rapport/{report.code}/rapport.pdf"
    assert assessment.organisation.name == "Zorggroep API"
    assert assessment.questionnaire_version == get_questionnaire().version


@pytest.mark.django_db
def test_posted_answers_are_stored_under_their_item_ids_as_one_completed_response(client):
    body = valid_body(needs=(4, 1), practices={"1.1": "al", "4.2": "nvt"})
    body["answers"]["B1_2"] = None
    data = post(client, body).json()
    (response,) = Assessment.objects.get(code=data["id"]).responses.all()
    assert response.is_completed
    stored = answers_of(response)
    assert {k: v for k, v in stored.items() if k.startswith(("B", "E"))} == body["answers"]
    assert stored["B1_2"] is None
    assert stored["C_1_1"] == "al"
    assert stored["C_4_2"] == "nvt"
    assert stored["D_1"] == 4
    assert stored["D_2"] == 1
    assert "D_3" not in stored
    assert stored["A_size"] == "50_249"


@pytest.mark.django_db
def test_two_posts_give_two_assessments_with_different_ids(client):
    first = post(client, valid_body()).json()["id"]
    second = post(client, valid_body()).json()["id"]
    assert first != second
    assert len(first) >= 20


def _with(**changes) -> dict:
    """valid_body() with fields changed: answers={"B1_1": 6} merges into the answers."""
    body = valid_body()
    for field, value in changes.items():
        if isinstance(value, dict) and isinstance(body.get(field), dict):
            body[field] = {**body[field], **value}
        else:
            body[field] = value
    return body


def bad(case_id: str, changes: dict, loc: list, word: str = ""):
    """A bad-input case: what to change in a valid body, the one field it gets wrong, and a
    word the message must contain."""
    return pytest.param(changes, loc, word, id=case_id)


BAD_INPUT = [
    bad("answer 6", {"answers": {"B1_1": 6}}, ["body", "answers", "B1_1"], "5"),
    bad("answer 0", {"answers": {"B3_2": 0}}, ["body", "answers", "B3_2"], "1"),
    bad("answer as text", {"answers": {"B1_1": "3"}}, ["body", "answers", "B1_1"], "5"),
    bad("answer true", {"answers": {"B1_1": True}}, ["body", "answers", "B1_1"], "5"),
    bad("answer 2.5", {"answers": {"E_1": 2.5}}, ["body", "answers", "E_1"], "5"),
    bad("unknown item", {"answers": {"Z9": 3}}, ["body", "answers", "Z9"]),
    bad("context in answers", {"answers": {"A_size": "lt10"}}, ["body", "answers", "A_size"]),
    bad("unknown challenge", {"needs": [10, 1]}, ["body", "needs", 0], "9"),
    bad("challenge as text", {"needs": [4, "1"]}, ["body", "needs", 1], "9"),
    bad("duplicate need", {"needs": [4, 1, 4]}, ["body", "needs", 2]),
    bad("four needs", {"needs": [4, 1, 9, 2]}, ["body", "needs"], "3"),
    bad("needs not a list", {"needs": 4}, ["body", "needs"]),
    bad("unknown action", {"practices": {"10.1": "al"}}, ["body", "practices", "10.1"]),
    bad("bad practice", {"practices": {"1.1": "misschien"}}, ["body", "practices", "1.1"], "nvt"),
    bad(
        "bad context value", {"context": {"A_size": "veel"}}, ["body", "context", "A_size"], "lt10"
    ),
    # The assessment belongs to the token's organisation: no name to send any more.
    bad(
        "organisation name",
        {"context": {"organisation": "Zorggroep Noord"}},
        ["body", "context", "organisation"],
    ),
    bad("answers not an object", {"answers": [1, 2]}, ["body", "answers"]),
    bad("unknown field", {"answer": {"B1_1": 3}}, ["body", "answer"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "loc", "word"), BAD_INPUT)
def test_bad_input_is_refused_with_a_message_at_the_field(client, changes, loc, word):
    response = post(client, _with(**changes))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [problem["loc"] for problem in detail] == [loc]
    assert detail[0]["msg"]
    assert word in detail[0]["msg"]
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_a_body_that_is_not_an_object_is_refused(client):
    response = post(client, [valid_body()])
    assert response.status_code == 422
    assert [problem["loc"] for problem in response.json()["detail"]] == [["body"]]


@pytest.mark.django_db
def test_too_few_answers_for_any_score_is_refused_at_the_answers(client):
    # Without one challenge score no profile can be assigned: refuse rather than fail later.
    body = _with(answers={item_id: None for item_id in valid_body()["answers"]})
    response = post(client, body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [problem["loc"] for problem in detail] == [["body", "answers"]]
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_several_mistakes_are_each_named_at_their_field(client):
    body = _with(answers={"B1_1": 6, "Z9": 1}, practices={"1.1": "misschien"}, needs=[4, 4])
    detail = post(client, body).json()["detail"]
    assert sorted(map(str, (problem["loc"] for problem in detail))) == sorted(
        map(
            str,
            [
                ["body", "answers", "B1_1"],
                ["body", "answers", "Z9"],
                ["body", "practices", "1.1"],
                ["body", "needs", 1],
            ],
        )
    )


@pytest.mark.django_db
def test_messages_are_dutch_and_name_the_values_to_send(client):
    body = _with(answers={"Z9": 3}, practices={"1.1": "misschien"})
    messages = {
        problem["loc"][-1]: problem["msg"] for problem in post(client, body).json()["detail"]
    }
    assert messages == {
        "Z9": "Deze vraag hoort niet bij de vragenlijst.",
        "1.1": 'Stuur een van deze waarden: "al", "deels", "nog_niet", "nvt", null.',
    }


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ['{"answers": {"B1_1": 4', "", "nee", b"\xff\xfe"])
def test_malformed_json_is_a_400_naming_the_body(client, raw):
    response = client.post(ASSESSMENTS_URL, raw, content_type="application/json")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert [problem["loc"] for problem in detail] == [["body"]]
    assert "JSON" in detail[0]["msg"]
    assert not Assessment.objects.exists()


def test_openapi_schema_documents_the_questionnaire_and_the_submission(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "get" in schema["paths"]["/api/v1/questionnaire"]
    post_operation = schema["paths"]["/api/v1/assessments"]["post"]
    assert set(post_operation["responses"]) == {"201", "400", "401", "422"}
    body = post_operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"answers", "practices", "needs", "context"}
    assert body["properties"]["needs"]["maxItems"] == 3
    practice = body["properties"]["practices"]["additionalProperties"]
    assert practice["anyOf"] == [
        {"type": "string", "enum": ["al", "deels", "nog_niet", "nvt"]},
        {"type": "null"},
    ]
    for name in ("QuestionnaireOut", "AssessmentCreatedOut", "ErrorOut"):
        assert name in schema["components"]["schemas"]
