"""The site layout around a stored report body, rendered once per process, language and
login state.

A stored report is served with a lookup; rendering the layout per request would cost more
than the rest of the request. The layout depends on the request in two ways only: whether
someone is logged in (the menu) and the CSRF token of the log-out form. The first is part of
the cache key; the token is a placeholder in the cached text, filled in per request.
Anything else about the user (a name, an organisation) must not go into base.html's header,
or it would be cached for everyone: there is no user in the context here.
"""

from dataclasses import dataclass
from functools import cache

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

_BODY = "<!-- report body -->"
# Stands in for the CSRF token in the cached layout; a real token never looks like this.
_CSRF = "report-layout-csrf-placeholder"


@dataclass(frozen=True)
class _Visitor:
    """All the layout may know about the user."""

    is_authenticated: bool


@cache
def _layout(language: str, logged_in: bool) -> tuple[str, str]:
    context = {"body": mark_safe(_BODY), "user": _Visitor(logged_in), "csrf_token": _CSRF}  # noqa: S308
    page = render_to_string("reports/report.html", context)
    before, after = page.split(_BODY)
    return before, after


def in_layout(request: HttpRequest, body: str) -> SafeString:
    """The full page for a report body that we rendered (escaped) when the report was made."""
    before, after = _layout(get_language(), request.user.is_authenticated)
    if _CSRF in before or _CSRF in after:
        # Only in the layout: the body holds respondents' text, which could hold anything.
        token = get_token(request)
        before, after = before.replace(_CSRF, token), after.replace(_CSRF, token)
    return mark_safe(before + body + after)  # noqa: S308
