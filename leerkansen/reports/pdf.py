"""The report as an A4 PDF: the same partials as the web report, laid out by WeasyPrint.

The PDF is rendered on its first request and stored on the report; later requests serve the
stored bytes. WeasyPrint fetches nothing but our own static files, read from disk: no network,
no other files (see StaticFilesFetcher).
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

from .models import Report
from .presentation import report_context

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


def render_report_pdf(report: Report) -> bytes:
    """The report as PDF bytes (A4, contents, page numbers, top 3 first, catalogue appendix)."""
    html = render_to_string("reports/report_pdf.html", report_context(report))
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).render()
    # Links to our own pages would point at the placeholder host: keep their text, drop the
    # link. Links inside the document (the contents) stay.
    for page in document.pages:
        page.links[:] = [
            link
            for link in page.links
            if not (link[0] == "external" and str(link[1]).startswith(BASE_URL))
        ]
    return document.write_pdf()


def get_or_render_pdf(report: Report) -> bytes:
    """The report's PDF: the stored bytes, or rendered and stored on the first request.

    Two first requests at once may both render; the first to finish stores its PDF and the
    other's result is equally valid. A PDF rendered while an open round's report was updated
    is served to its request but not stored: it belongs to the older revision.
    """
    if report.pdf:
        return bytes(report.pdf)
    pdf = render_report_pdf(report)
    Report.objects.filter(pk=report.pk, pdf__isnull=True, revision=report.revision).update(pdf=pdf)
    report.pdf = pdf
    return pdf
