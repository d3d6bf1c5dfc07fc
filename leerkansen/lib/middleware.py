"""Site-wide response rules: Permissions-Policy, 503 during a database outage, odd paths.

`SiteMiddleware` goes right after Django's SecurityMiddleware, so that its header is on every
response, also on those that inner middleware makes.

- **Permissions-Policy**: no page of ours uses a camera, microphone, location, payment, USB or
  sensors, so none may (also not a script that got in some other way). A few fixed features,
  no setting: django-permissions-policy would add a dependency for one header.
- **503 during a database outage**: `OperationalError` / `InterfaceError` from a view (the
  database is down, restarting or refuses connections) gives a friendly Dutch page with
  `Retry-After` instead of a 500. The page is rendered without a request: no context
  processor, no user, no session, nothing that needs the database. The error is logged.
  `server_error` (the project's handler500) does the same for an outage that surfaces outside
  a view, e.g. when the session middleware saves a session.
- **Control characters in the path**: no URL of ours holds one (codes and tokens are
  URL-safe), and PostgreSQL refuses a NUL in a lookup with a 500; such a path is a 404.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views import defaults

from .text import clean_text

logger = logging.getLogger("leerkansen.outage")

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)

# Errors that mean "the database cannot be reached now", not "this request is wrong".
DATABASE_OUTAGE = (OperationalError, InterfaceError)
# A database restart or fail-over takes tens of seconds.
RETRY_AFTER_SECONDS = 30


def log_outage(request: HttpRequest, exc: BaseException) -> None:
    """One error line per refused request; the method only, as the path may hold a token."""
    logger.error(
        "Database unavailable, answered 503 (%s %s): %s",
        request.method,
        request.resolver_match.view_name if request.resolver_match else "-",
        exc.__class__.__name__,
        exc_info=exc,
    )


def outage_response() -> HttpResponse:
    """The 503 page: rendered from the template alone, so that it needs no database."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class SiteMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    def process_view(self, request: HttpRequest, view, args, kwargs) -> None:
        if clean_text(request.path, multiline=False) != request.path:
            # Django turns it into the usual 404 page, which passes back through __call__.
            raise Http404

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, DATABASE_OUTAGE):
            log_outage(request, exc)
            return outage_response()
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page when the error is a database outage, else Django's 500 page.

    Django calls it while handling the exception, so sys.exc_info() holds it.
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_OUTAGE):
        log_outage(request, exc)
        return outage_response()
    return defaults.server_error(request)
