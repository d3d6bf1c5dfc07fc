"""Django's CSRF token for a form on a stored page, masked with one read of the system's random
source instead of one per character.

django.middleware.csrf.get_token masks the secret afresh for every response (so that a
compressed page never repeats it, BREACH) with a mask drawn by `secrets.choice`, one system
call per character: 32 of them, 35 µs, a tenth of a logged-in member's report page (issue 16,
item 4). Here the same mask (32 characters drawn uniformly from the same 62, by rejection
sampling of the system's random bytes) is applied the same way, so Django's middleware checks
the token as one of its own (lib/tests/test_csrf.py posts it). A request without a valid
secret yet is left to Django, which makes one.
"""

import os

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.middleware.csrf import get_token as django_get_token

_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
# The largest multiple of 62 below 256: bytes from it up are dropped, so each character is
# equally likely.
_UNBIASED_BELOW = 256 - 256 % len(CSRF_ALLOWED_CHARS)


def _random_mask() -> list[int]:
    mask: list[int] = []
    while len(mask) < CSRF_SECRET_LENGTH:
        mask.extend(
            byte % len(CSRF_ALLOWED_CHARS)
            for byte in os.urandom(CSRF_SECRET_LENGTH)
            if byte < _UNBIASED_BELOW
        )
    return mask[:CSRF_SECRET_LENGTH]


def get_token(request: HttpRequest) -> str:
    secret = request.META.get("CSRF_COOKIE")
    if secret is None or len(secret) != CSRF_SECRET_LENGTH:
        return django_get_token(request)
    # As Django's: the cookie is sent again, renewing its expiry.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    chars = CSRF_ALLOWED_CHARS
    mask = _random_mask()
    return "".join(chars[index] for index in mask) + "".join(
        chars[(_INDEX[char] + index) % len(chars)] for char, index in zip(secret, mask, strict=True)
    )
