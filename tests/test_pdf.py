"""lib/pdf.py: WeasyPrint fetches only our own static files, from disk."""

from pathlib import Path

import pytest
from django.conf import settings

from leerkansen.lib.pdf import BASE_URL, RefusedURL, StaticFilesFetcher

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
