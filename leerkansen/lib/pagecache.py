"""Pages that are the same for every visitor of a kind, rendered once per process and key.

The action menu, the action pages and the catalogue API change only with the catalogue,
which a process loads once from its versioned file: rendering them per request costs more
than the rest of the request. They are rendered once per key (the catalogue object, the
language, logged in or not, the path) and served as stored bytes, with an ETag and, where no
part of the page is the visitor's own, a Last-Modified, so that a conditional GET gets a 304.

What a stored page may know about the visitor is only whether someone is logged in (the
site menu; `Visitor`) and, in the logged-in menu, the CSRF token of the log-out form: the
token is a placeholder in the stored bytes, filled in per request. The template gets no real
request and no user (`request.path` only, for the menu's aria-current): anything else about
the visitor in such a template renders empty instead of leaking into everyone's copy.

Nothing here is needed for correctness across processes: a key holds the catalogue object
itself (loaded once per process, immutable), so a stored page can never outlive its data, and
the ETag is a hash of the version and the bytes, the same in every process that serves them.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import http_date

from .csrf import get_token

# Stands in for the CSRF token in a stored page; a real token never looks like this.
CSRF_PLACEHOLDER = "stored-page-csrf-placeholder"


@dataclass(frozen=True)
class Visitor:
    """All a stored page may know about the user."""

    is_authenticated: bool


@dataclass(frozen=True)
class _PathOnly:
    """The request as a stored page's template sees it: its path, nothing of the visitor."""

    path: str


@dataclass(frozen=True)
class StoredPage:
    # The encoded page, split where the CSRF token goes (one part: no token in the page).
    parts: tuple[bytes, ...]
    content_type: str
    # A hash of the version and the bytes: the same in every process that serves them.
    digest: str
    # When this process made it (a stored page is never older than its data).
    made_at: int

    @property
    def has_token(self) -> bool:
        return len(self.parts) > 1


def stored_page(content: str, version: str, content_type: str) -> StoredPage:
    encoded = content.encode()
    digest = hashlib.sha256(version.encode() + b"\0" + encoded).hexdigest()[:32]
    parts = tuple(encoded.split(CSRF_PLACEHOLDER.encode()))
    return StoredPage(parts, content_type, digest, int(time.time()))


def render_page(
    template: str, context: dict, *, path: str, logged_in: bool, version: str
) -> StoredPage:
    """`template` rendered for any visitor who is (not) logged in, at `path`."""
    context = {
        **context,
        "request": _PathOnly(path),
        "user": Visitor(logged_in),
        "csrf_token": CSRF_PLACEHOLDER,
    }
    return stored_page(render_to_string(template, context), version, "text/html; charset=utf-8")


# key -> (the object the key's first element identifies, the page). Holding the object keeps
# its id from being reused by another while the entry exists.
_pages: dict[Hashable, tuple[object, StoredPage]] = {}


def once(owner: object, key: tuple, make: Callable[[], StoredPage]) -> StoredPage:
    """The page for (owner, *key), made by `make` the first time in this process."""
    full_key = (id(owner), *key)
    entry = _pages.get(full_key)
    if entry is None or entry[0] is not owner:
        entry = (owner, make())
        _pages[full_key] = entry
    return entry[1]


def serve(
    request: HttpRequest, page: StoredPage, vary: tuple[str, ...] = ("Cookie", "Accept-Language")
) -> HttpResponse:
    """The stored page, or a 304 when the request's ETag (or date) says the client has it.

    A page with the log-out form's token is the visitor's own: its ETag also holds a keyed
    hash of the visitor's CSRF secret (a 304 never keeps a token of an earlier secret), it
    is private and has no Last-Modified (a date cannot tell that the token changed)."""
    if page.has_token:
        token = get_token(request)
        body = token.encode().join(page.parts)
        secret = request.META.get("CSRF_COOKIE", "")
        visitor = salted_hmac("leerkansen.lib.pagecache", secret).hexdigest()[:16]
        etag = f'"{page.digest}-{visitor}"'
        last_modified = None
    else:
        body = page.parts[0]
        etag = f'"{page.digest}"'
        last_modified = page.made_at
    response = HttpResponse(body, content_type=page.content_type)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    # Stored, but asked again each time: a new catalogue is seen at once, with a 304 meanwhile.
    if page.has_token:
        patch_cache_control(response, no_cache=True, private=True)
    else:
        patch_cache_control(response, no_cache=True)
    # A page differs for a logged-in visitor (the session cookie) and per language.
    patch_vary_headers(response, vary)
    return get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )
