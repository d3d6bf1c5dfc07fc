"""lib/pdf.py: WeasyPrint fetches only our own static files, from disk, and writes tagged
PDF/UA documents."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from pypdf import PdfReader

from leerkansen.catalogue.printing import SheetDetails, menu_card_pdf, sheet_pdf
from leerkansen.content.catalogue import get_catalogue
from leerkansen.lib.pdf import (
    BASE_URL,
    RefusedURL,
    StaticFilesFetcher,
    html_to_pdf,
    render_html,
    write_pdf,
)
from leerkansen.organisations.models import Organisation
from leerkansen.plans.exports import plan_pdf

STATIC = BASE_URL + settings.STATIC_URL.strip("/") + "/"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org",
        "https://example.org/static/leerkansen/css/leerkansen.css",
        "file:///etc/passwd",
        f"file://{settings.BASE_DIR}/leerkansen/static/leerkansen/css/leerkansen.css",
        "data:text/css,body{}",
        BASE_URL + "beheer/",
        STATIC + "../../etc/passwd",
        STATIC + "%2e%2e/%2e%2e/etc/passwd",
        STATIC + "leerkansen/../../settings.py",
        STATIC + "/etc/passwd",
        STATIC + "leerkansen/css/bestaat-niet.css",
    ],
)
def test_fetcher_refuses_everything_but_our_static_files(url):
    with pytest.raises(RefusedURL):
        StaticFilesFetcher().fetch(url)


def test_fetcher_serves_our_stylesheet_from_disk():
    response = StaticFilesFetcher().fetch(STATIC + "leerkansen/css/leerkansen.css")
    stylesheet = Path(settings.BASE_DIR, "leerkansen/static/leerkansen/css/leerkansen.css")
    assert response.read() == stylesheet.read_bytes()
    assert response.content_type == "text/css"


def pdf_ua_facts(pdf: bytes) -> dict:
    """What makes a PDF a tagged PDF/UA-1 document, as read back with pypdf."""
    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    xmp = reader.xmp_metadata.stream.get_data().decode() if reader.xmp_metadata else ""
    return {
        "version": reader.pdf_header,
        "tagged": "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"].value,
        "pdf/ua": 'pdfuaid:part="1"' in xmp,
        "language": str(catalog.get("/Lang", "")),
        "title": reader.metadata.title,
        "outline": [item.title for item in reader.outline if not isinstance(item, list)],
    }


def test_html_to_pdf_writes_tagged_pdf_ua_with_language_title_and_bookmarks():
    html = (
        '<!doctype html><html lang="nl"><head><title>Proefdocument</title></head>'
        "<body><h1>Een kop</h1><p>Een alinea.</p></body></html>"
    )
    assert pdf_ua_facts(html_to_pdf(html)) == {
        "version": "%PDF-1.7",
        "tagged": True,
        "pdf/ua": True,
        "language": "nl",
        "title": "Proefdocument",
        "outline": ["Een kop"],
    }
    # A document laid out first (to measure it) and written later is tagged the same.
    assert pdf_ua_facts(write_pdf(render_html(html))) == pdf_ua_facts(html_to_pdf(html))


@pytest.mark.parametrize("document", ["sheet", "menu card", "plan"])
def test_every_printed_document_is_tagged_pdf_ua_in_dutch(document):
    catalogue = get_catalogue()
    action = catalogue.action("1.1")
    with translation.override("nl"):
        if document == "sheet":
            pdf = sheet_pdf(action, SheetDetails(owner="An"))
        elif document == "menu card":
            pdf = menu_card_pdf(["1.1", "2.2"])
        else:
            pdf = plan_pdf(Organisation(name="Alfa Zorg", code="alfa"), [])
    facts = pdf_ua_facts(pdf)
    assert facts["tagged"] and facts["pdf/ua"], document
    assert facts["language"] == "nl"
    assert facts["title"]
