"""The report API: the stored snapshot as JSON and PDF, for the organisation's API key only."""

import pytest

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.organisations.services import create_api_token, revoke_api_token
from leerkansen.reports.models import Report
from leerkansen.scoring.model import get_shipped_model

from . import close_and_publish, diagnostic_answers, make_answered_round, make_report

pytestmark = pytest.mark.django_db

REPORT_KEYS = {
    "questionnaire_version",
    "model_version",
    "catalogue_version",
    "scores",
    "model_status",
    "profile",
    "runner_up",
    "top3",
    "needs",
    "response_count",
    "final",
    "left_out",
    "role_counts",
    "role_scores",
    "agreement",
    "free_text_allowed",
    "free_text",
}


def key_for(report: Report) -> str:
    return create_api_token(report.assessment.organisation, "Koppeling", None).secret


def get(client, report: Report, suffix: str = "report", key: str | None = None):
    headers = {} if key is None else {"Authorization": f"Bearer {key}"}
    return client.get(f"/api/v1/assessments/{report.assessment.code}/{suffix}", headers=headers)


def report_of(client, report: Report) -> dict:
    response = get(client, report, key=key_for(report))
    assert response.status_code == 200, response.content
    return response.json()


def test_report_has_the_documented_shape_and_versions(client):
    data = report_of(client, make_report())
    assert set(data) == REPORT_KEYS
    assert data["questionnaire_version"] == get_questionnaire().version
    assert data["model_version"] == get_shipped_model().version
    assert data["catalogue_version"] == get_catalogue().version
    assert list(data["scores"]) == [str(n) for n in range(1, 10)]
    assert set(data["profile"]) == {"id", "name", "probability"}
    # The shipped model is a prior: its probabilities are not given as a finding.
    assert data["model_status"] == "prior"
    assert data["profile"]["probability"] is None
    assert data["runner_up"] is None or data["runner_up"]["probability"] is None
    assert len(data["top3"]) == 3
    for item in data["top3"]:
        assert set(item) == {"action", "reason"}
        assert get_catalogue().action(item["action"]) is not None
        assert item["reason"]
    assert data["response_count"] == 1
    # An open round's report holds nothing per role.
    assert data["final"] is False and data["left_out"] == 0
    assert data["role_counts"] == {} and data["role_scores"] == {}
    assert data["agreement"] == {str(n): None for n in range(1, 10)}


def test_an_estimated_models_report_gives_its_probabilities(client):
    report = make_report()
    report.profile = {
        **report.profile,
        "model_status": "estimated",
        "probability": 0.62,
        "runner_up": {"id": "op-weg", "name": "Op weg", "probability": 0.31},
    }
    report.save()
    data = report_of(client, report)
    assert data["model_status"] == "estimated"
    assert data["profile"]["probability"] == 0.62
    assert data["runner_up"] == {"id": "op-weg", "name": "Op weg", "probability": 0.31}


def test_an_assessment_posted_in_one_go_is_a_closed_rounds_final_report(client):
    organisation = make_report().assessment.organisation
    key = create_api_token(organisation, "Eenmalig", None).secret
    posted = client.post(
        "/api/v1/assessments",
        data={"answers": diagnostic_answers(), "needs": [1, 4, 9]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert posted.status_code == 201, posted.content
    report = Report.objects.get(assessment__code=posted.json()["id"])
    assert not report.assessment.is_open
    data = report_of(client, report)
    assert data["final"] is True and data["response_count"] == 1
    assert data["role_counts"] == {"hr": 1} and data["role_scores"] == {}


def test_report_shows_roles_only_above_the_threshold(client):
    report = close_and_publish(make_answered_round({"medewerker": 6, "leidinggevende": 4, "hr": 1}))
    data = report_of(client, report)
    assert data["response_count"] == 11
    assert data["role_counts"] == {"hr": 1, "leidinggevende": 4, "medewerker": 6}
    # The four managers and the one HR answer together make a group of five.
    assert set(data["role_scores"]) == {"hr+leidinggevende", "medewerker"}
    assert data["agreement"]["1"] == 1.0
    assert data["free_text_allowed"] is True


def test_report_is_read_from_the_snapshot_not_recomputed(client):
    report = make_report()
    # As if made by an older model: the API must show what was stored.
    Report.objects.filter(pk=report.pk).update(
        model_version="0.9.0", scores={**report.scores, "1": 12.3}
    )
    data = report_of(client, report)
    assert data["model_version"] == "0.9.0"
    assert data["scores"]["1"] == 12.3


@pytest.mark.parametrize("suffix", ["report", "report.pdf"])
def test_without_a_key_the_report_is_refused(client, suffix):
    report = make_report()
    assert get(client, report, suffix).status_code == 401
    assert get(client, report, suffix, key="geen-geldige-sleutel").status_code == 401


@pytest.mark.parametrize("suffix", ["report", "report.pdf"])
def test_a_revoked_key_is_refused(client, suffix):
    report = make_report()
    new = create_api_token(report.assessment.organisation, "Oud", None)
    revoke_api_token(new.token, None)
    assert get(client, report, suffix, key=new.secret).status_code == 401


@pytest.mark.parametrize("suffix", ["report", "report.pdf"])
def test_another_organisations_key_gets_not_found(client, suffix):
    report = make_report()
    other = make_report(organisation_name="Bouwbedrijf Noord")
    response = get(client, report, suffix, key=key_for(other))
    assert response.status_code == 404
    assert b"Zorggroep De Linde" not in response.content


@pytest.mark.parametrize("suffix", ["report", "report.pdf"])
def test_unknown_id_is_a_404_in_json(client, suffix):
    report = make_report()
    response = client.get(
        f"/api/v1/assessments/geen-bestaande-code/{suffix}",
        headers={"Authorization": f"Bearer {key_for(report)}"},
    )
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert [problem["loc"] for problem in detail] == [["path", "id"]]
    assert detail[0]["msg"]


def test_report_pdf_is_the_report_as_pdf(client):
    from io import BytesIO

    from pypdf import PdfReader

    report = make_report()
    response = get(client, report, "report.pdf", key=key_for(report))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    text = " ".join(text.split())
    assert report.profile["name"] in text
    first_title = get_catalogue().action(report.top3[0]["action"]).title
    assert " ".join(first_title.split()) in text


def test_openapi_schema_documents_the_report_and_its_key(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    pdf = paths["/api/v1/assessments/{id}/report.pdf"]["get"]
    assert "application/pdf" in pdf["responses"]["200"]["content"]
    operation = paths["/api/v1/assessments/{id}/report"]["get"]
    responses = operation["responses"]
    assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReportOut")
    assert responses["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    assert operation["security"] and pdf["security"]
    report_out = schema["components"]["schemas"]["ReportOut"]["properties"]
    assert {"role_counts", "role_scores", "agreement", "free_text"} <= set(report_out)
