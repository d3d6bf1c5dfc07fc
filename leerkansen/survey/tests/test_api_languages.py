"""GET /api/v1/questionnaire?rol=<role>&taal=<nl|fr|en>: each role's version in each language,
with the same ids and values (issue 17)."""

import pytest

from leerkansen.content.questionnaire import ROLES, questionnaire_for
from leerkansen.content.questionnaire_translations import questionnaire_in

URL = "/api/v1/questionnaire"


def shape(data: dict) -> list:
    """What a client sends and checks against: ids, sections and values, not the texts."""
    return [
        (
            item["id"],
            item["section"],
            item["reverse"],
            item["roles"],
            [option["value"] for option in item["options"]],
        )
        for item in data["items"]
    ]


def test_without_taal_the_questionnaire_is_dutch_as_before(client):
    data = client.get(URL, {"rol": "medewerker"}).json()
    assert data["language"] == "nl"
    assert data == client.get(URL, {"rol": "medewerker", "taal": "nl"}).json()
    first = data["items"][0]
    assert first["text"] == questionnaire_for("medewerker").item(first["id"]).text
    assert first["options"][0]["label"] == "Helemaal oneens"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("taal", ["fr", "en"])
def test_each_role_in_french_and_english(client, role, taal):
    answer = client.get(URL, {"rol": role, "taal": taal})
    assert answer.status_code == 200
    data = answer.json()
    dutch = client.get(URL, {"rol": role}).json()
    assert (data["language"], data["role"]) == (taal, role)
    assert shape(data) == shape(dutch)
    translated = questionnaire_in(taal, role)
    for item in data["items"]:
        assert item["text"] == translated.item(item["id"]).text
        assert item["text"] != questionnaire_for(role).item(item["id"]).text
    assert [s["title"] for s in data["sections"]] == [
        translated.section(s["id"]).title for s in dutch["sections"]
    ]


def test_the_whole_file_in_french(client):
    data = client.get(URL, {"taal": "fr"}).json()
    assert data["role"] is None
    labels = {item["id"]: item for item in data["items"]}
    scales = questionnaire_in("fr").scales
    assert labels["B1_6"]["options"][0]["label"] == scales.agreement[0].label
    assert labels["B1_6"]["options"][-1] == {"value": None, "label": scales.dont_know_label}
    assert scales.dont_know_label != "Weet niet"


@pytest.mark.parametrize("taal", ["de", "FR", "", "nl-BE", "fr\x00"])
def test_an_unknown_language_is_a_400_in_dutch(client, taal):
    answer = client.get(URL, {"rol": "medewerker", "taal": taal})
    assert answer.status_code == 400
    assert answer.json() == {
        "detail": [
            {
                "loc": ["query", "taal"],
                "msg": "Kies een van deze talen: nl, fr, en.",
                "type": "invalid_language",
            }
        ]
    }


def test_a_french_browser_still_gets_dutch_errors_and_the_schema_documents_taal(client):
    answer = client.get(URL, {"taal": "xx"}, HTTP_ACCEPT_LANGUAGE="fr-BE,fr")
    assert answer.json()["detail"][0]["msg"] == "Kies een van deze talen: nl, fr, en."
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/questionnaire"]["get"]
    assert "taal" in [parameter["name"] for parameter in operation["parameters"]]
    assert "400" in operation["responses"]
