"""The OpenAPI schema tells the truth: each documented 401 happens, and each example works.

The attack (issue 11, point 9): /api/v1/openapi.json documented no 401 for the operations that
need the API key, and the request body Swagger UI builds from the schema's own examples was
refused with 422.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from leerkansen.organisations.models import Organisation
from leerkansen.organisations.services import create_api_token
from leerkansen.reports.models import Report
from leerkansen.survey.models import Role
from leerkansen.survey.rounds import open_round

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/v1/openapi.json"


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return Client().get(SCHEMA_URL).json()


@pytest.fixture
def organisation() -> Organisation:
    return Organisation.objects.create(name="Alfa Zorg")


@pytest.fixture
def api_key(organisation) -> str:
    return create_api_token(organisation, "tests", None).secret


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def protected(schema: dict):
    return [(p, m, o) for p, m, o in operations(schema) if o.get("security")]


def request_body_examples(schema: dict) -> list[tuple[str, str, object]]:
    """(path, where, example) for every example a request body offers, as a client sees it.

    The media type's `example` and `examples`, the body schema's `examples`, and the body that
    Swagger UI assembles from the properties' own examples.
    """
    found = []
    for path, method, operation in operations(schema):
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if not content:
            continue
        if "example" in content:
            found.append((path, method, content["example"]))
        for name, example in content.get("examples", {}).items():
            found.append((path, f"{method} examples.{name}", example["value"]))
        body = content["schema"]
        for index, example in enumerate(body.get("examples", [])):
            found.append((path, f"{method} schema.examples[{index}]", example))
        assembled = {
            name: prop["examples"][0]
            for name, prop in body.get("properties", {}).items()
            if prop.get("examples")
        }
        if assembled:
            found.append((path, f"{method} assembled from properties", assembled))
    return found


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "not-an-id", path)


def call(client: Client, method: str, path: str, **kwargs):
    return getattr(client, method)(concrete(path), **kwargs)


def test_every_operation_that_needs_the_key_documents_401(schema):
    assert {(path, method) for path, method, _ in protected(schema)} == {
        ("/api/v1/assessments", "post"),
        ("/api/v1/assessments/{id}/report", "get"),
        ("/api/v1/assessments/{id}/report.pdf", "get"),
        ("/api/v1/rounds", "post"),
        ("/api/v1/rounds/{id}/responses", "post"),
        ("/api/v1/rounds/{id}/close", "post"),
        ("/api/v1/rounds/{id}/report", "get"),
    }
    for _path, _method, operation in protected(schema):
        unauthorized = operation["responses"]["401"]
        assert unauthorized["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
        assert "API" in unauthorized["description"]


def test_operations_without_the_key_document_no_401(schema):
    for _path, _method, operation in operations(schema):
        if not operation.get("security"):
            assert "401" not in operation["responses"]


@pytest.mark.parametrize("key", [None, "geen-geldige-sleutel"])
def test_each_documented_401_happens_without_a_valid_key_in_the_documented_shape(schema, key):
    client = Client()
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    for path, method, _operation in protected(schema):
        response = call(client, method, path, headers=headers, content_type="application/json")
        assert response.status_code == 401, (path, method)
        assert response["WWW-Authenticate"].startswith("Bearer")
        [problem] = response.json()["detail"]
        assert problem["loc"] == ["header", "Authorization"]
        assert problem["type"] == "unauthorized"
        assert "geldige API-sleutel" in problem["msg"]


def test_every_request_body_example_is_accepted_with_a_valid_key(schema, api_key, organisation):
    examples = request_body_examples(schema)
    assert len(examples) >= 3  # the media type's, the schema's and the assembled one
    client = Client()
    # A path with an id gets an open round of the key's organisation that every role answers.
    round_code = open_round(organisation, Role.values).code
    for path, where, example in examples:
        response = client.post(
            path.replace("{id}", round_code),
            data=json.dumps(example),
            content_type="application/json",
            headers={"Authorization": f"Bearer {api_key}"},
        )
        assert response.status_code == 201, (path, where, response.content)
    # Each example of a whole assessment made a real report.
    assessments = [example for path, _where, example in examples if path == "/api/v1/assessments"]
    assert Report.objects.count() == len(assessments) >= 3


def test_every_operation_documents_each_status_it_answers_without_a_key(schema):
    # The public operations answer 200 without a key, and say so.
    client = Client()
    for path, method, operation in operations(schema):
        if operation.get("security") or "{" in path:
            continue
        response = call(client, method, path)
        assert str(response.status_code) in operation["responses"], (path, method)
