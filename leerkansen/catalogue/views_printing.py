"""The catalogue's printable documents: an action's overview sheet and the visual menu card.

Public and the same for everyone: the bytes depend only on the catalogue version and the
language (printing.py keeps them in-process), so browsers and proxies may keep them an hour,
and a conditional request with the ETag gets a 304.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from leerkansen.content.catalogue import get_catalogue
from leerkansen.lib.downloads import attachment

MAX_AGE = 3600

# ?alleen=highlight and ?formaat=a3: Dutch parameter names, like the action menu's filters.
ONLY_HIGHLIGHT = "highlight"
PAPERS = ("a4", "a3")


@require_GET
def action_sheet(request: HttpRequest, action_id: str) -> HttpResponse:
    action = get_catalogue().action(action_id)
    if action is None:
        raise Http404
    # WeasyPrint is heavy: import it with the first PDF, not with the URL configuration.
    from .printing import sheet_pdf

    filename = f"leerkansen-actie-{action.id.replace('.', '-')}.pdf"
    return _document(request, sheet_pdf(action), "application/pdf", filename)


@require_GET
def menu_card_pdf(request: HttpRequest) -> HttpResponse:
    options = _menu_options(request)
    if isinstance(options, HttpResponse):
        return options
    only_highlight, paper = options
    from .printing import menu_card_pdf as render

    content = render(only_highlight=only_highlight, paper=paper)
    return _document(request, content, "application/pdf", _menu_filename(options, "pdf"))


@require_GET
def menu_card_png(request: HttpRequest) -> HttpResponse:
    options = _menu_options(request)
    if isinstance(options, HttpResponse):
        return options
    only_highlight, paper = options
    from .printing import menu_card_png as render

    content = render(only_highlight=only_highlight, paper=paper)
    return _document(request, content, "image/png", _menu_filename(options, "png"))


def _menu_options(request: HttpRequest) -> tuple[bool, str] | HttpResponse:
    """(only HIGHLIGHT, paper) from the query, or a 400 saying which value to use."""
    only = request.GET.get("alleen", "").strip().lower()
    paper = request.GET.get("formaat", "").strip().lower() or "a4"
    if only not in ("", ONLY_HIGHLIGHT):
        return _bad_request(_('Unknown selection: leave out "alleen" or use alleen=highlight.'))
    if paper not in PAPERS:
        return _bad_request(_("Unknown size: use formaat=a4 or formaat=a3."))
    return only == ONLY_HIGHLIGHT, paper


def _bad_request(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _menu_filename(options: tuple[bool, str], extension: str) -> str:
    only_highlight, paper = options
    parts = ["leerkansen-menukaart", "highlight" if only_highlight else "", paper]
    return "-".join(part for part in parts if part) + "." + extension


def _document(
    request: HttpRequest, content: bytes, content_type: str, filename: str
) -> HttpResponse:
    from .printing import etag

    tag = etag(content)
    # Inline: opens in the browser's viewer, from where it prints; the name is for saving.
    response = attachment(content, filename, content_type, inline=True)
    response["ETag"] = tag
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return get_conditional_response(request, etag=tag, response=response)
