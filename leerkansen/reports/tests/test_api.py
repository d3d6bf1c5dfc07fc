import pytest

from leerkansen.catalogue.content import get_catalogue
from leerkansen.reports.models import Report
from leerkansen.scoring.model import get_active_model
from leerkansen.survey.questionnaire import get_questionnaire
from leerkansen.survey.tests.test_api import post, valid_body

pytestmark = pytest.mark.django_db

REPORT_KEYS = {
    "questionnaire_version",
    "model_version",
    "catalogue_version",
    "scores",
    "profile",
    "runner_up",
    "top3",
    "needs",
}


def report_of(client, body: dict) -> dict:
    created = post(client, body)
    assert created.status_code == 201, created.content
    response = client.get(f"/api/v1/assessments/{created.json()['id']}/report")
    assert response.status_code == 200
    return response.json()


def test_report_has_the_documented_shape_and_versions(client):
    report = report_of(client, valid_body())
    assert set(report) == REPORT_KEYS
    assert report["questionnaire_version"] == get_questionnaire().version
    assert report["model_version"] == get_active_model().version
    assert report["catalogue_version"] == get_catalogue().version
    assert list(report["scores"]) == [str(n) for n in range(1, 10)]
    assert set(report["profile"]) == {"id", "name", "probability"}
    assert 0 < report["profile"]["probability"] <= 1
    runner_up = report["runner_up"]
    assert runner_up is None or 0 < runner_up["probability"] < report["profile"]["probability"]
    assert len(report["top3"]) == 3
    for item in report["top3"]:
        assert set(item) == {"action", "reason"}
        assert get_catalogue().action(item["action"]) is not None
        assert item["reason"]


def test_report_scores_follow_the_answers(client):
    # Challenge 4 agreed with fully (reverse items disagreed with), the others mildly.
    report = report_of(client, valid_body(severe=frozenset({4})))
    assert report["scores"]["4"] == 100.0
    assert all(report["scores"][str(n)] == 25.0 for n in range(1, 10) if n != 4)


def test_a_challenge_left_unanswered_has_no_score(client):
    body = valid_body()
    body["answers"] = {k: v for k, v in body["answers"].items() if not k.startswith("B2_")}
    assert report_of(client, body)["scores"]["2"] is None


def test_a_severe_challenge_ranked_first_gets_its_action_in_the_top3(client):
    before = report_of(client, valid_body(severe=frozenset({4}), needs=(4, 2, 3)))
    assert not any(item["action"].startswith("6.") for item in before["top3"])
    report = report_of(client, valid_body(severe=frozenset({6}), needs=(6, 2, 3)))
    assert any(item["action"].startswith("6.") for item in report["top3"])
    assert report["needs"][0]["challenge"] == 6
    assert [need["challenge"] for need in report["needs"]] == [6, 2, 3]


def test_an_action_already_in_place_never_appears_in_the_top3(client):
    first = report_of(client, valid_body(severe=frozenset({4}), needs=(4, 1, 9)))
    in_place = {item["action"]: "al" for item in first["top3"]}
    second = report_of(
        client, valid_body(severe=frozenset({4}), needs=(4, 1, 9), practices=in_place)
    )
    assert len(second["top3"]) == 3
    assert not {item["action"] for item in second["top3"]} & set(in_place)


def test_report_is_the_same_snapshot_every_time(client):
    created = post(client, valid_body()).json()
    url = f"/api/v1/assessments/{created['id']}/report"
    first = client.get(url).json()
    assert client.get(url).json() == first


def test_report_is_read_from_the_snapshot_not_recomputed(client):
    created = post(client, valid_body()).json()
    report = Report.objects.get(assessment__code=created["id"])
    # As if made by an older model: the API must show what was stored.
    Report.objects.filter(pk=report.pk).update(
        model_version="0.9.0", scores={**report.scores, "1": 12.3}
    )
    data = client.get(f"/api/v1/assessments/{created['id']}/report").json()
    assert data["model_version"] == "0.9.0"
    assert data["scores"]["1"] == 12.3


@pytest.mark.parametrize("suffix", ["report", "report.pdf"])
def test_unknown_id_is_a_404_in_json(client, suffix):
    response = client.get(f"/api/v1/assessments/geen-bestaande-code/{suffix}")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert [problem["loc"] for problem in detail] == [["path", "id"]]
    assert detail[0]["msg"]


def test_report_pdf_is_the_report_as_pdf(client):
    pytest.importorskip("leerkansen.reports.pdf")
    from io import BytesIO

    from pypdf import PdfReader

    created = post(client, valid_body()).json()
    report = client.get(f"/api/v1/assessments/{created['id']}/report").json()
    response = client.get(f"/api/v1/assessments/{created['id']}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    text = " ".join(text.split())
    assert report["profile"]["name"] in text
    first_title = get_catalogue().action(report["top3"][0]["action"]).title
    assert " ".join(first_title.split()) in text


def test_openapi_schema_lists_all_four_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/questionnaire"]
    assert "post" in paths["/api/v1/assessments"]
    assert "get" in paths["/api/v1/assessments/{id}/report"]
    pdf = paths["/api/v1/assessments/{id}/report.pdf"]["get"]
    assert "application/pdf" in pdf["responses"]["200"]["content"]
    report = paths["/api/v1/assessments/{id}/report"]["get"]["responses"]
    assert report["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReportOut")
    assert report["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
