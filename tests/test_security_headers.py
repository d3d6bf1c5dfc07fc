"""Security headers on every page, and a strict Content Security Policy that pages obey."""

import pytest
from playwright.sync_api import expect

PUBLIC_PAGES = ["/", "/acties/", "/acties/1.1/", "/vragenlijst/", "/api/v1/docs"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
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
