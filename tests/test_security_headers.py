"""Security headers on every page, and a strict Content Security Policy that pages obey."""

import pytest
from playwright.sync_api import expect

PUBLIC_PAGES = ["/", "/acties/", "/acties/1.1/", "/vragenlijst/", "/api/v1/docs"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.django_db  # the catalogue's fragment cache is the database cache
def test_pages_send_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


# No page uses these; none may, also not a script that got in some other way.
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb"]


def denied(policy: str) -> set[str]:
    return {
        part.split("=")[0].strip() for part in policy.split(",") if part.strip().endswith("=()")
    }


@pytest.mark.parametrize(
    "path",
    [
        *PUBLIC_PAGES,
        "/api/v1/catalogue",
        "/api/v1/openapi.json",
        "/bestaat-niet/",  # the 404 page
        "/organisatie/",  # a redirect to the login
        "/organisatie/plan/a%00b/",  # a path refused before any view
    ],
)
@pytest.mark.django_db
def test_every_response_sends_a_permissions_policy_that_denies_powerful_features(client, path):
    response = client.get(path)
    assert set(DENIED_FEATURES) <= denied(response["Permissions-Policy"])
    # Nothing is allowed, to us or to anyone else.
    assert "*" not in response["Permissions-Policy"]
    assert "self" not in response["Permissions-Policy"]


def test_static_files_send_the_permissions_policy_too(client, settings):
    # WhiteNoise serves from the source folders, as without collectstatic.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = client.get("/static/leerkansen/css/leerkansen.css")
    assert response.status_code == 200
    assert set(DENIED_FEATURES) <= denied(response["Permissions-Policy"])


@pytest.mark.browser
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_pages_break_no_rule_of_the_content_security_policy(page, path):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(path)
    expect(page.locator("body")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert violations == []
