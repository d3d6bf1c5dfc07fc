"""Responses that hand over a file, named for the person who saves it.

Every download (the report's PDF, the plan's PDF and workbook, the catalogue's prints, the
organisation's data, the research exports) names its file the same way, in a
Content-Disposition header after RFC 6266 (Django's content_disposition_header): a plain ASCII
name as filename="…" with quotes and backslashes escaped, any other name as
filename*=utf-8''… percent-encoded, so no name can break the header. "attachment" makes the
browser save the file; "inline" opens it in the browser's viewer (a PDF to print), the name
then serving for a save.

Caching stays with the view: a download of an organisation's data is never_cache (or adds the
no-store headers itself); the catalogue's public prints set their own ETag and max-age.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import BinaryIO

from django.core.cache import cache
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header


def _name(response: HttpResponse | StreamingHttpResponse, filename: str, inline: bool) -> None:
    if not filename:
        raise ValueError("a download needs a file name")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)


def attachment(
    content: bytes | str, filename: str, content_type: str, *, inline: bool = False
) -> HttpResponse:
    """The content as a file to save (or, inline, to open in the browser) under filename."""
    response = HttpResponse(content, content_type=content_type)
    _name(response, filename, inline)
    return response


def streamed_attachment(
    chunks: Iterable[bytes | str], filename: str, content_type: str
) -> StreamingHttpResponse:
    """A file to save that is written while it is sent (e.g. CSV rows from a query)."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    _name(response, filename, inline=False)
    return response


def file_attachment(file: BinaryIO, filename: str, content_type: str) -> FileResponse:
    """An open file to save, sent in blocks and closed when sent (with its Content-Length)."""
    if not filename:
        raise ValueError("a download needs a file name")
    # FileResponse writes the same header from as_attachment and filename.
    return FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)


# A file a worker makes for a click (a PDF): how long before its waiting page says it takes
# longer than it should. Longer than the slowest rendering measured (the report's PDF, 2-4 s;
# 10 s on a busy machine) with a queue in front of it.
SLOW_SECONDS = 120


def waiting_page(
    request: HttpRequest,
    asked_at: datetime,
    *,
    heading: str,
    message: str,
    slow_message: str,
    open_label: str,
    back_url: str,
    back_label: str,
) -> HttpResponse:
    """The page for a click on a file a worker is still making: it says so and reloads itself
    (a Refresh header, no JavaScript needed) until the file is there; after SLOW_SECONDS it
    says that it takes longer than usual and reloads less often."""
    slow = (timezone.now() - asked_at).total_seconds() > SLOW_SECONDS
    context = {
        "heading": heading,
        "message": slow_message if slow else message,
        "open_label": open_label,
        "back_url": back_url,
        "back_label": back_label,
    }
    response = render(request, "file_waiting.html", context)
    response["Refresh"] = "30" if slow else "3"
    add_never_cache_headers(response)
    return response


# How long a click's request for a file counts as being worked on: a task lost with its worker
# is asked for again after this.
PENDING_SECONDS = 10 * 60


def ask_once(key: str, enqueue: Callable[[], object]) -> datetime:
    """Call `enqueue` unless it was called for `key` less than PENDING_SECONDS ago (a marker in
    the shared cache, for every worker); when the file was asked for. `forget_asked(key)` once
    it is made."""
    now = timezone.now()
    marker = f"asked:{key}"
    if cache.add(marker, now.timestamp(), PENDING_SECONDS):
        try:
            enqueue()
        except Exception:
            cache.delete(marker)
            raise
        return now
    asked = cache.get(marker)
    return now if asked is None else datetime.fromtimestamp(asked, tz=UTC)


def forget_asked(key: str) -> None:
    cache.delete(f"asked:{key}")
