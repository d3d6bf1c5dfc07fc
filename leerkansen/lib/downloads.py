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

from collections.abc import Iterable
from typing import BinaryIO

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
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
