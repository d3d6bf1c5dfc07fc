"""HTML → PDF with WeasyPrint, fetching nothing but our own static files.

Every printed document (the report, the catalogue's overview sheets and menu card, the action
plan) is HTML + print CSS resolved against one placeholder address, BASE_URL. WeasyPrint asks
StaticFilesFetcher for every stylesheet, image and font (@font-face, by the font types in
CONTENT_TYPES) the HTML names; the fetcher serves our static files from disk and refuses
anything else: no network, no other files. Text fonts are the system's (see the print CSS).

Every PDF is written as PDF/UA-1 (PDF_OPTIONS): tagged, so a screen reader follows the
headings, lists and tables in reading order; with the language and title of the HTML
(<html lang>, <title>) and bookmarks from its headings. Write a laid-out Document with
write_pdf() below, never with Document.write_pdf(), so that no document misses the tags.

WeasyPrint is heavy to import: views import this module (or the module that uses it) with the
first PDF, not with the URL configuration.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import HTML, URLFetcher
from weasyprint.document import Document
from weasyprint.urls import URLFetcherResponse

# The address the PDF's HTML is resolved against. ".invalid" never resolves (RFC 2606), so a
# URL the fetcher would let through by mistake still cannot reach a network.
BASE_URL = "https://leerkansen.invalid/"

CONTENT_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}


# WeasyPrint's PDF/UA-1 variant: PDF 1.7 with a structure tree (pdf_tags) and "pdfuaid:part 1"
# in the XMP metadata.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


class RefusedURL(ValueError):
    """WeasyPrint asked for something other than one of our static files."""


def static_prefix() -> str:
    """Where {% static %} URLs point in the PDF's HTML (absolute, with a trailing slash)."""
    return BASE_URL.rstrip("/") + "/" + settings.STATIC_URL.strip("/") + "/"


def static_file_path(url: str) -> Path:
    """The file on disk behind a static URL of the PDF; RefusedURL for anything else.

    Only https://leerkansen.invalid/static/<name> is accepted, and <name> must be a plain
    relative path that the static files finders (or the collected, hashed files) know.
    """
    prefix = static_prefix()
    if not url.startswith(prefix):
        raise RefusedURL(f"not one of our static files: {url}")
    parts = urlsplit(url)
    name = unquote(parts.path[len(urlsplit(prefix).path) :])
    normalised = posixpath.normpath(name)
    if (
        not name
        or parts.query
        or "\\" in name
        or "\x00" in name
        or normalised != name
        or normalised.startswith(("/", ".."))
    ):
        raise RefusedURL(f"not a plain static file name: {url}")
    found = finders.find(name)
    if found:
        return Path(found)
    # In production {% static %} names the collected, hashed copy (leerkansen.3f2a.css).
    if staticfiles_storage.exists(name):
        return Path(staticfiles_storage.path(name))
    raise RefusedURL(f"no such static file: {url}")


class StaticFilesFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only our own static files, from disk."""

    def fetch(self, url, headers=None):
        path = static_file_path(url)
        content_type = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return URLFetcherResponse(
            url, path.read_bytes(), headers={"Content-Type": content_type}, status=200
        )


def html_document(html: str) -> HTML:
    """The HTML, resolved against BASE_URL, with only our static files to fetch."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher())


def render_html(html: str) -> Document:
    """The HTML laid out in pages, for a caller that measures or rearranges them."""
    return html_document(html).render(**PDF_OPTIONS)


def write_pdf(document: Document) -> bytes:
    """A laid-out document as tagged PDF/UA bytes."""
    return document.write_pdf(**PDF_OPTIONS)


def html_to_pdf(html: str) -> bytes:
    """The HTML as tagged PDF/UA bytes."""
    return write_pdf(render_html(html))
