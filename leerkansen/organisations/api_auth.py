"""Organisation API keys for django-ninja: `Authorization: Bearer <key>`.

Put `auth=OrganisationToken()` on a router or operation; inside, `request.organisation` (and
`request.auth`) is the key's organisation. A missing, unknown or revoked key is a 401.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from .models import Organisation
from .services import organisation_for_api_token


class OrganisationToken(HttpBearer):
    """Bearer authentication with an organisation's API key (stored as a SHA-256 hash)."""

    def authenticate(self, request: HttpRequest, token: str) -> Organisation | None:
        # A lookup by hash: the key is 256 random bits, nothing to learn from timing.
        organisation = organisation_for_api_token(token)
        if organisation is not None:
            request.organisation = organisation
        return organisation
