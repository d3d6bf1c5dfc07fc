from leerkansen.content.catalogue import get_catalogue

ACTION_KEYS = {"id", "title", "highlight", "overlap", "related", "introduction", "tips"}


def test_catalogue_api_returns_the_documented_shape(client):
    response = client.get("/api/v1/catalogue")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert set(data) == {"version", "challenges"}
    assert isinstance(data["version"], str)
    assert [c["number"] for c in data["challenges"]] == list(range(1, 10))
    actions = [action for c in data["challenges"] for action in c["actions"]]
    assert len(actions) == 48
    for challenge in data["challenges"]:
        assert set(challenge) == {"number", "title", "actions"}
    for action in actions:
        assert set(action) == ACTION_KEYS
        assert isinstance(action["overlap"], bool)
        assert action["highlight"] is None or isinstance(action["highlight"], str)
        assert all(isinstance(other, str) for other in action["related"])
        assert action["tips"]
        for tip in action["tips"]:
            assert set(tip) == {"title", "text", "items"}
            assert all(isinstance(item, str) for item in tip["items"])


def test_catalogue_api_carries_the_catalogue_text(client):
    data = client.get("/api/v1/catalogue").json()
    catalogue = get_catalogue()
    by_id = {a["id"]: a for c in data["challenges"] for a in c["actions"]}
    for action in catalogue.actions():
        out = by_id[action.id]
        assert out["title"] == action.title
        assert out["highlight"] == action.highlight
        assert out["related"] == list(action.related)
        assert [tip["title"] for tip in out["tips"]] == [tip.title for tip in action.tips]
        for tip, tip_out in zip(action.tips, out["tips"], strict=True):
            # A paragraph after the sub-items is kept, after a blank line.
            if tip.text_after:
                assert tip_out["text"].endswith("\n\n" + tip.text_after)


def test_openapi_schema_describes_the_catalogue_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/catalogue" in schema["paths"]
    assert "get" in schema["paths"]["/api/v1/catalogue"]
    assert "CatalogueOut" in schema["components"]["schemas"]


def test_api_docs_page_is_served(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
