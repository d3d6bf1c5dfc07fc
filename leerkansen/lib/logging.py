"""A logging filter that masks the secrets some addresses carry, before a line is written.

Survey links, resume links, team invitations, e-mail confirmations and password resets put
their token in the path (`/vragenlijst/hervat/<token>/`). Django logs the path of every 4xx and
5xx answer (django.request) and of every request under runserver (django.server); a token in
a log file is a key in the hands of whoever reads the logs. `MaskTokens` replaces each such
segment by "***" in the message, its arguments, a traceback and a stack, whatever logger the
record comes from; settings.LOGGING puts it on every handler.

Framework-free on purpose (no Django import): gunicorn's own loggers can use it too.
"""

from __future__ import annotations

import logging
import re

MASK = "***"

# "/" or its percent-encoded form (a path inside a query string, e.g. ?next=...).
_SLASH = r"(?:/|%2[fF])"
_SEGMENT = r"[^/%\s?#&\"'<>]+"
# The address prefixes whose next segment is a secret, and how many segments follow it.
# tests/test_logging.py checks this against every URL pattern that takes a token.
TOKEN_PREFIXES: tuple[tuple[str, int], ...] = (
    ("vragenlijst/uitnodiging", 1),  # survey.invitation
    ("vragenlijst/hervat", 1),  # survey.resume
    ("organisatie/uitnodiging", 1),  # organisations.invitation (team)
    ("account/bevestigen", 1),  # organisations.verify
    ("account/wachtwoord", 2),  # organisations.password_reset_confirm: uidb64, token
)

_PATTERN = re.compile(
    "|".join(
        rf"(?P<p{index}>{_SLASH}{prefix.replace('/', _SLASH)}{_SLASH})"
        + _SLASH.join([_SEGMENT] * segments)
        for index, (prefix, segments) in enumerate(TOKEN_PREFIXES)
    )
)
_SEGMENTS = {f"p{index}": segments for index, (_prefix, segments) in enumerate(TOKEN_PREFIXES)}


def _mask(match: re.Match) -> str:
    group = match.lastgroup or ""
    prefix = match.group(group)
    return prefix + "/".join([MASK] * _SEGMENTS[group])


def mask_tokens(text: str) -> str:
    """`text` with the token segments of every token-bearing address masked.

    >>> mask_tokens("Not Found: /vragenlijst/hervat/Abc-123.Def_456/")
    'Not Found: /vragenlijst/hervat/***/'
    >>> mask_tokens("GET /account/wachtwoord/MTI/c1x-9a2b/ 200")
    'GET /account/wachtwoord/***/***/ 200'
    >>> mask_tokens("GET /vragenlijst/stap/B/ 200")
    'GET /vragenlijst/stap/B/ 200'
    """
    return _PATTERN.sub(_mask, text)


class MaskTokens(logging.Filter):
    """Mask token segments in a record before any handler writes it (see the module doc).

    The message is formatted here when it holds a token (msg % args), so that an argument of
    any type (a path, a request, an exception) is masked too; records without one are left
    as they are.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as usual
            return True
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_tokens(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_tokens(record.stack_info)
        return True
