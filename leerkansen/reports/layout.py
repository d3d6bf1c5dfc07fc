"""The site layout around a stored report body, rendered once per process, language and
login state.

A stored report is served with a lookup; rendering the layout per request would cost more
than the rest of the request. The layout depends on the request in two ways only: whether
someone is logged in (the menu) and the CSRF token of the log-out form. The first is part of
the cache key; the token is a placeholder in the cached text, filled in per request.
Anything else about the user (a name, an organisation) must not go into base.html's header,
or it would be cached for everyone: there is no user in the context here.
"""

from functools import cache

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from leerkansen.lib.csrf import get_token
from leerkansen.lib.pagecache import CSRF_PLACEHOLDER, Visitor

_BODY = "<!-- report body -->"
_CSRF = CSRF_PLACEHOLDER.encode()


@cache
def _layout(language: str, logged_in: bool) -> tuple[bytes, bytes]:
    context = {"body": mark_safe(_BODY), "user": Visitor(logged_in), "csrf_token": CSRF_PLACEHOLDER}  # noqa: S308
    page = render_to_string("reports/report.html", context)
    before, after = page.split(_BODY)
    return before.encode(), after.encode()


def in_layout(request: HttpRequest, body: bytes) -> bytes:
    """The full page, encoded, for a report body that we rendered (escaped) when the report
    was made, as the database gave it in UTF-8 (lib/prepared.Utf8)."""
    before, after = _layout(get_language(), request.user.is_authenticated)
    if _CSRF in before or _CSRF in after:
        # Only in the layout: the body holds respondents' text, which could hold anything.
        token = get_token(request).encode()
        before, after = before.replace(_CSRF, token), after.replace(_CSRF, token)
    return b"".join((before, body, after))
