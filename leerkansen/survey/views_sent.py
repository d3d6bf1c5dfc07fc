"""After sending: the thank-you page, what was answered (at the resume link), and the page of a
shared link opened again on the device that sent answers with it.

Both serve a shared computer (a break room) as much as the person who answered: the own link
to what was answered is offered once and then forgotten, and the next person is offered a
fresh questionnaire of their own ("Nog iemand op dit toestel?", views.again), which only a
shared link gives. A personal link sends once (views._already_answered).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from leerkansen.organisations.models import Membership

from .forms import SectionForm
from .language import language_of, pages_for
from .models import Response
from .respondent import (
    SENT_COOKIE,
    came_with_shared_link,
    handed_over_link,
    link_cookie,
    link_of,
    mark_shared,
    session_response,
)
from .services import answers_of


def shared_link_sent(request: HttpRequest) -> HttpResponse:
    """A shared link opened again in the browser that sent answers with it: a shared computer
    (a break room) may be next in line, so offer a fresh questionnaire, one click away."""
    mark_shared(request)
    return render(request, "survey/shared_link_sent.html")


@never_cache
@require_http_methods(["GET"])
@link_cookie
def thanks(request: HttpRequest) -> HttpResponse:
    """After sending: thanks, never the organisation's report (an admin finds it elsewhere).

    Right after sending it offers the respondent's own link to what they answered, once: the
    page forgets it, so that the next person at a shared computer does not find it here.
    """
    response = session_response(request)
    if response is None or not response.is_completed:
        return redirect("survey:start")
    resume_token = handed_over_link(request, response)
    if link_of(request, response):
        request.survey_link = ""
    assessment = response.assessment
    is_admin = (
        request.user.is_authenticated
        and Membership.objects.filter(
            user=request.user, organisation_id=assessment.organisation_id
        ).exists()
    )
    context = {
        "organisation": assessment.organisation,
        # "Nog iemand op dit toestel?": only after a shared link, whose round still takes answers.
        "shared": came_with_shared_link(request) and assessment.is_open,
        "round_url": reverse("rounds:detail", args=[assessment.code]) if is_admin else "",
        "own_answers_url": request.build_absolute_uri(reverse("survey:resume", args=[resume_token]))
        if resume_token
        else "",
    }
    answer = render(request, "survey/thanks.html", context)
    if SENT_COOKIE in request.COOKIES:
        answer.delete_cookie(SENT_COOKIE, path=reverse("survey:thanks"), samesite="Lax")
    return answer


def own_answers(request: HttpRequest, response: Response) -> HttpResponse:
    """What the sent `response` answered, per section, read-only ("Wat je antwoordde").

    Rendered at the resume link's own address: the token stays in the address bar rather
    than in the session, so nothing in the browser shows the page again without the link.
    """
    # In the language it was answered in, whatever the browser that opens the link.
    language = language_of(request, response)
    with translation.override(language):
        answer = _render_own_answers(request, response, language)
    answer["Content-Language"] = language
    return answer


def _render_own_answers(request: HttpRequest, response: Response, language: str) -> HttpResponse:
    questionnaire = pages_for(request, response.role, language)
    answers = answers_of(response)
    sections = [
        {
            "section": s,
            "step": step,
            # The questionnaire pages' own rows and groups, filled with the saved answers.
            "groups": SectionForm(s, questionnaire, saved=answers).groups(),
        }
        for step, s in enumerate(questionnaire.sections, start=1)
    ]
    context = {
        "organisation": response.assessment.organisation,
        "role": response.get_role_display(),
        "sent_on": response.completed_on,
        "sections": sections,
        "free_text_threshold": settings.FREE_TEXT_THRESHOLD,
    }
    answer = render(request, "survey/own_answers.html", context)
    # The address holds the token: no link on the page may pass it on, not even to us.
    answer["Referrer-Policy"] = "no-referrer"
    answer["X-Robots-Tag"] = "noindex, nofollow"
    return answer
