from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from leerkansen.content.catalogue import Catalogue, get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.lib.pagecache import once, render_page, serve

from .forms import ActionFilterForm, highlight_count
from .selection import select_actions


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The two starts side by side (answer with a link; an account for your organisation)
    and the example report one click away."""
    context = {
        # The questionnaire's own promise, word for word: one promise, true everywhere.
        "anonymity_note": get_questionnaire().anonymity_note,
        "threshold": settings.ANONYMITY_THRESHOLD,
    }
    return render(request, "catalogue/home.html", context)


@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    catalogue = get_catalogue()
    if not request.GET:
        # The whole menu changes only with the catalogue: rendered once per catalogue,
        # language and login state (lib/pagecache.py), then a 304 for a client that has it.
        return _stored(request, catalogue, "catalogue/action_list.html", _list_context)
    form = ActionFilterForm(request.GET)
    return render(request, "catalogue/action_list.html", _list_context(catalogue, form))


def _list_context(catalogue: Catalogue, form: ActionFilterForm | None = None) -> dict:
    form = form or ActionFilterForm(None)
    filters = form.cleaned_data if form.is_valid() else {}
    selections = select_actions(
        catalogue,
        query=filters.get("q", ""),
        challenge_number=filters.get("uitdaging"),
        only_highlight=filters.get("highlight", False),
    )
    return {
        "catalogue": catalogue,
        "form": form,
        "total_count": len(list(catalogue.actions())),
        "highlight_count": highlight_count(catalogue),
        # Only the HIGHLIGHT filter: the count says how many of all actions it keeps.
        "only_highlight": bool(filters.get("highlight"))
        and not filters.get("q")
        and not filters.get("uitdaging"),
        "selections": selections,
        "result_count": sum(len(selection.actions) for selection in selections),
        "is_filtered": any(filters.get(name) for name in ("q", "uitdaging", "highlight")),
    }


@require_GET
def action_detail(request: HttpRequest, action_id: str) -> HttpResponse:
    catalogue = get_catalogue()
    action = catalogue.action(action_id)
    if action is None:
        raise Http404

    def context(catalogue: Catalogue) -> dict:
        return {
            "catalogue": catalogue,
            "action": action,
            "challenge": catalogue.challenge(action.challenge_number),
            # The legend explains only the labels this action carries.
            "no_highlight": not action.highlight,
            "no_overlap": not action.related,
        }

    return _stored(request, catalogue, "catalogue/action_detail.html", context)


def _stored(request: HttpRequest, catalogue: Catalogue, template: str, context) -> HttpResponse:
    """`template` with `context(catalogue)`, rendered once per catalogue, language, login
    state and path; served with an ETag (lib/pagecache.py)."""
    logged_in = request.user.is_authenticated
    page = once(
        catalogue,
        (template, request.path, get_language(), logged_in),
        lambda: render_page(
            template,
            context(catalogue),
            path=request.path,
            logged_in=logged_in,
            version=catalogue.version,
        ),
    )
    return serve(request, page)
