"""The action menu, the action pages and GET /api/v1/catalogue are rendered once per
catalogue and served with an ETag (and, where nothing in them is the visitor's own, a
Last-Modified), so that a conditional GET gets a 304 (issue 16, item 4). A stored page must
never be another visitor's: the logged-in menu with its log-out token is per visitor."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from leerkansen.content.catalogue import get_catalogue

PAGES = ["/acties/", "/acties/1.1/", "/api/v1/catalogue"]
HTML_PAGES = ["/acties/", "/acties/1.1/"]


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize("url", PAGES)
def test_a_conditional_get_with_the_etag_gets_a_304(client, url):
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert "no-cache" in first["Cache-Control"]

    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag

    by_date = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert by_date.status_code == 304

    other = client.get(url, headers={"If-None-Match": '"0123456789abcdef0123456789abcdef"'})
    assert other.status_code == 200
    assert other.content == first.content


@pytest.mark.parametrize("url", PAGES)
def test_a_new_catalogue_version_changes_the_etag(client, monkeypatch, url):
    before = client.get(url)
    newer = get_catalogue().model_copy(update={"version": "99.0.0"})
    monkeypatch.setattr("leerkansen.catalogue.views.get_catalogue", lambda: newer)
    monkeypatch.setattr("leerkansen.catalogue.api.get_catalogue", lambda: newer)

    after = client.get(url, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    if url.startswith("/api/"):
        assert after.json()["version"] == "99.0.0"
    assert client.get(url, headers={"If-None-Match": after["ETag"]}).status_code == 304


@pytest.mark.parametrize("url", HTML_PAGES)
def test_the_menu_varies_with_the_session_cookie(client, url):
    response = client.get(url)
    assert {"cookie", "accept-language"} <= vary(response)


def test_the_catalogue_api_is_the_same_for_everyone(client):
    response = client.get("/api/v1/catalogue")
    assert "cookie" not in vary(response)
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_a_filtered_menu_is_rendered_for_its_query(client):
    response = client.get("/acties/", {"q": "faq medewerkers"})
    assert response.status_code == 200
    assert "ETag" not in response
    html = response.content.decode()
    assert 'id="actie-1-3"' in html and 'id="actie-1-1"' not in html


def logged_in(email: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.create_user(username=email, email=email))
    return client


def logout_token(html: str) -> str:
    form = html[html.index('action="/account/uitloggen/"') :]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)


@pytest.mark.django_db
@pytest.mark.parametrize("url", HTML_PAGES)
def test_a_logged_in_visitor_gets_their_own_menu_with_a_working_log_out(url):
    anonymous = Client().get(url)
    assert "Inloggen" in anonymous.content.decode()
    assert "csrfmiddlewaretoken" not in anonymous.content.decode()

    ann, bob = logged_in("ann@example.org"), logged_in("bob@example.org")
    ann_page, bob_page = ann.get(url), bob.get(url)
    for page in (ann_page, bob_page):
        html = page.content.decode()
        assert "Uitloggen" in html and ">Inloggen<" not in html
        assert "private" in page["Cache-Control"]
        assert "Last-Modified" not in page
    # Each visitor's ETag is their own; the anonymous one gets none of them.
    assert len({anonymous["ETag"], ann_page["ETag"], bob_page["ETag"]}) == 3
    assert ann.get(url, headers={"If-None-Match": ann_page["ETag"]}).status_code == 304
    assert bob.get(url, headers={"If-None-Match": ann_page["ETag"]}).status_code == 200

    # The token in each page is that visitor's own: the log-out form works.
    token = logout_token(ann_page.content.decode())
    assert ann.post("/account/uitloggen/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert bob.post("/account/uitloggen/", {"csrfmiddlewaretoken": token}).status_code == 403


def log_in(client: Client, email: str, password: str) -> None:
    """Through the login page, as a browser does (a login rotates the CSRF secret)."""
    page = client.get("/account/inloggen/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": token, "username": email, "password": password}
    assert client.post("/account/inloggen/", form).status_code == 302


@pytest.mark.django_db
def test_after_a_new_login_the_old_page_is_not_confirmed():
    """A login rotates the CSRF secret: a 304 would keep a log-out form that no longer works."""
    password = "een-lang-wachtwoord-2026"
    get_user_model().objects.create_user(
        username="ann@example.org", email="ann@example.org", password=password
    )
    client = Client(enforce_csrf_checks=True)
    log_in(client, "ann@example.org", password)
    before = client.get("/acties/")
    assert client.get("/acties/", headers={"If-None-Match": before["ETag"]}).status_code == 304
    old_token = logout_token(before.content.decode())
    assert client.post("/account/uitloggen/", {"csrfmiddlewaretoken": old_token}).status_code == 302

    log_in(client, "ann@example.org", password)
    after = client.get("/acties/", headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    token = logout_token(after.content.decode())
    assert client.post("/account/uitloggen/", {"csrfmiddlewaretoken": token}).status_code == 302
