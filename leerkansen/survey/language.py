"""The language of the respondent pages: Dutch, French or English; every other page Dutch.

A respondent answers in the language they choose with the switch on every respondent page
(`choose_language`, a plain POST form: no JavaScript needed). Until they choose, their
browser's Accept-Language decides among the offered languages, else Dutch. The choice is kept
on their response (`Response.language`), so that opening the link again on another device
continues in the same language; chosen before a link is opened (or after sending), it is
kept in the session (a key under respondent.SESSION_PREFIX, so it goes with the rest when a
shared device is handed on). What they answered (the resume link after sending) is shown in
the language they answered in.

HR's pages, the research pages, the catalogue and the API stay Dutch whatever the browser
asks: `LanguageMiddleware` (in place of Django's LocaleMiddleware) activates a respondent's
language only under the questionnaire's address (/vragenlijst/).

A language is offered when its questionnaire translation passes the checks
(content.questionnaire_translations.available_languages): never questions in one language
under buttons in another.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.http import require_POST

from leerkansen.content.questionnaire import Questionnaire
from leerkansen.content.questionnaire_pages import questionnaire_pages
from leerkansen.content.questionnaire_translations import available_languages, questionnaire_in
from leerkansen.lib.middleware import DATABASE_OUTAGE

from .models import Invitation, Language, Response
from .respondent import SESSION_RESPONSE_KEY, open_draft_id

SESSION_LANGUAGE_KEY = "survey_language"
LANGUAGE_FIELD = "taal"
LANGUAGE_NAMES = dict(Language.choices)


@cache
def respondent_prefix() -> str:
    """The address under which the respondent pages live ("/vragenlijst/")."""
    return reverse("survey:start")


def is_respondent_page(request: HttpRequest) -> bool:
    return request.path_info.startswith(respondent_prefix())


def pages_for(request: HttpRequest, role: str, language: str | None = None) -> Questionnaire:
    """`role`'s version in the pages the answering screens show, in `language` (default: the
    page's)."""
    try:
        return questionnaire_pages(role, language or getattr(request, "LANGUAGE_CODE", "nl"))
    except LookupError:
        # Its translation stopped passing the checks since the request began: Dutch.
        return questionnaire_pages(role)


def questionnaire_of(request: HttpRequest) -> Questionnaire:
    """The whole questionnaire file in the page's language (its texts, not a role's pages)."""
    try:
        return questionnaire_in(getattr(request, "LANGUAGE_CODE", "nl"))
    except LookupError:
        return questionnaire_in("nl")


def offered_languages() -> list[tuple[str, str]]:
    """(code, name in that language) of every language a respondent can choose."""
    return [(code, LANGUAGE_NAMES[code]) for code in available_languages()]


def browser_language(request: HttpRequest, offered: tuple[str, ...]) -> str | None:
    """The first offered language the browser asks for ("fr-BE" asks for fr), or None."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in parse_accept_lang_header(header):
        base = code.split("-")[0].lower()
        if base in offered:
            return base
    return None


def respondent_language(request: HttpRequest) -> str:
    """The language of this respondent's pages: the one chosen before a link was opened,
    else their response's, else their browser's, else Dutch."""
    offered = available_languages()
    session = getattr(request, "session", None)
    if session is not None:
        try:
            chosen = session.get(SESSION_LANGUAGE_KEY)
            if chosen in offered:
                return chosen
            response_id = session.get(SESSION_RESPONSE_KEY)
            if response_id is not None:
                kept = Response.objects.filter(pk=response_id).values_list("language", flat=True)
                if (language := kept.first()) in offered:
                    return language
        except DATABASE_OUTAGE:
            # The view meets the same outage and answers with the 503 page (lib/middleware.py),
            # in the browser's language.
            pass
    return first_language(request)


def starting_language(request: HttpRequest, invitation: Invitation) -> str:
    """The language a response started with `invitation` begins in: one chosen on this
    browser before, else French or English when the admin mailed the invitation in it, else
    the page's (the browser's)."""
    chosen = request.session.get(SESSION_LANGUAGE_KEY)
    offered = available_languages()
    if chosen in offered:
        return chosen
    if invitation.language != Language.NL and invitation.language in offered:
        return invitation.language
    return getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)


def first_language(request: HttpRequest) -> str:
    """The language a new respondent on this browser starts in: the browser's, else Dutch."""
    return browser_language(request, available_languages()) or settings.LANGUAGE_CODE


def language_of(request: HttpRequest, response: Response) -> str:
    """The language `response` was answered in, if still offered; else the page's."""
    if response.language in available_languages():
        return response.language
    return getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)


class LanguageMiddleware:
    """Dutch everywhere but on the respondent pages (module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        respondent = is_respondent_page(request)
        language = respondent_language(request) if respondent else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        answer = self.get_response(request)
        if respondent:
            patch_vary_headers(answer, ("Accept-Language", "Cookie"))
            answer.headers.setdefault("Content-Language", language)
        return answer


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The language switch: keep the choice (session and draft response), go back."""
    language = request.POST.get(LANGUAGE_FIELD, "")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not back.startswith(respondent_prefix()):
        back = respondent_prefix()
    if language in available_languages():
        draft_id = open_draft_id(request)
        if draft_id is not None:
            # Kept with the response alone: the session holds nothing more than before.
            Response.objects.filter(pk=draft_id).update(language=language)
            request.session.pop(SESSION_LANGUAGE_KEY, None)
        else:
            # No questionnaire started (or it was sent): for this browser's session.
            request.session[SESSION_LANGUAGE_KEY] = language
    return redirect(back)
