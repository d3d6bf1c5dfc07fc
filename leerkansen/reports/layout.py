"""The site layout around a stored report body, rendered once per process and language.

A stored report is served with a lookup; rendering the layout per request would cost more
than the rest of the request. The layout holds nothing that depends on the request.
"""

from functools import cache

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

_BODY = "<!-- report body -->"


@cache
def _layout(language: str) -> tuple[str, str]:
    page = render_to_string("reports/report.html", {"body": mark_safe(_BODY)})  # noqa: S308
    before, after = page.split(_BODY)
    return before, after


def in_layout(body: str) -> SafeString:
    """The full page for a report body that we rendered (escaped) when the report was made."""
    before, after = _layout(get_language())
    return mark_safe(before + body + after)  # noqa: S308
