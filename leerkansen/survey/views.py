"""The questionnaire pages: invitation links, resume, one page per section, review and thanks.

A respondent's response is found only through the session (set by an invitation link or by
the private resume link); no view takes a response id from the URL. The session also holds
the personal invitation a respondent came with: the response itself never does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from leerkansen.lib.clients import client_address
from leerkansen.organisations.models import Membership

from . import rounds
from .forms import SectionForm, read_section
from .models import Assessment, Invitation, Response
from .questionnaire import Questionnaire, get_questionnaire
from .services import (
    Completion,
    adjacent_sections,
    answers_of,
    can_be_scored,
    complete_response,
    response_for_token,
    resume_section,
    save_answers,
    start_response,
    unanswered_items,
)

logger = logging.getLogger(__name__)

SESSION_RESPONSE_KEY = "survey_response_id"
SESSION_RESUME_KEY = "survey_resume_token"
# Personal links only: the invitation to complete when the respondent sends.
SESSION_INVITATION_KEY = "survey_invitation_id"
# A page posted after the session ended: {"section": "B", "data": {item id: posted value}}.
SESSION_PENDING_KEY = "survey_pending_answers"
AUTOSAVE_HEADER = "X-Autosave"
# Separates the resume token from a personal invitation's token in a resume link.
LINK_SEPARATOR = "."


def _session_response(request: HttpRequest) -> Response | None:
    response_id = request.session.get(SESSION_RESPONSE_KEY)
    if response_id is None:
        return None
    return (
        Response.objects.filter(pk=response_id).select_related("assessment__organisation").first()
    )


def remember_response(
    request: HttpRequest, response: Response, resume_token: str, invitation_id: int | None = None
) -> None:
    """Make `response` the session's response (a new session id, like a login)."""
    request.session.cycle_key()
    request.session[SESSION_RESPONSE_KEY] = response.pk
    request.session[SESSION_RESUME_KEY] = resume_token
    if invitation_id is None:
        request.session.pop(SESSION_INVITATION_KEY, None)
    else:
        request.session[SESSION_INVITATION_KEY] = invitation_id


def _client_address(request: HttpRequest) -> str:
    # Behind our TLS proxy: the address the proxy saw (see leerkansen.lib.clients).
    return client_address(request)


def _refused(request: HttpRequest) -> HttpResponse:
    return render(request, "survey/too_many_links.html", status=429)


def _link_not_found(request: HttpRequest) -> HttpResponse:
    # Links are checked first: only a bad one counts, and only a bad one is refused.
    address = _client_address(request)
    if rounds.is_refused(address):
        return _refused(request)
    rounds.record_bad_token(address)
    return render(request, "survey/link_not_found.html", status=404)


def _already_answered(request: HttpRequest) -> HttpResponse:
    return render(request, "survey/already_answered.html")


def _round_closed(request: HttpRequest) -> HttpResponse:
    return render(request, "survey/round_closed.html")


def _continue(request: HttpRequest, response: Response) -> HttpResponse:
    """Save answers kept from an ended session, then go where the respondent left off."""
    if response.is_completed:
        return redirect("survey:thanks")
    pending_section = _save_pending_answers(request, response)
    if pending_section:
        return redirect("survey:section", section_id=pending_section)
    section_id = resume_section(answers_of(response))
    if section_id is None:
        return redirect("survey:review")
    return redirect("survey:section", section_id=section_id)


def _save_pending_answers(request: HttpRequest, response: Response) -> str | None:
    """Store the page posted after the session ended (valid answers only); its section id."""
    pending = request.session.pop(SESSION_PENDING_KEY, None)
    if not isinstance(pending, dict):
        return None
    questionnaire = get_questionnaire()
    section = questionnaire.section(str(pending.get("section", "")))
    data = pending.get("data")
    if section is None or not isinstance(data, dict):
        return None
    posted = read_section(questionnaire, questionnaire.items(section.id), data)
    if not save_answers(response, posted.answers, section_id=section.id, cleared=posted.cleared):
        return None
    messages.success(request, _("The answers you gave before your session ended are saved."))
    return section.id


def with_open_response(view: Callable) -> Callable:
    """Pass the session's draft response; without one go to the start, when sent to the
    thank-you page, when the round is closed say so."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = _session_response(request)
        usable = response is not None and not response.is_completed
        if request.headers.get(AUTOSAVE_HEADER) and not usable:
            # Not saved; the next click on a button shows the respondent why.
            return HttpResponse(status=409)
        if response is None:
            messages.info(
                request,
                _("Open your personal link to continue where you left off."),
            )
            return redirect("survey:start")
        if response.is_completed:
            return redirect("survey:thanks")
        if response.assessment.status != Assessment.Status.OPEN:
            return _round_closed(request)
        return view(request, response, *args, **kwargs)

    return wrapper


def _page_context(
    request: HttpRequest, questionnaire: Questionnaire, step: int, response: Response
) -> dict:
    token = request.session.get(SESSION_RESUME_KEY)
    return {
        "questionnaire": questionnaire,
        "organisation": response.assessment.organisation,
        "step": step,
        "step_count": len(questionnaire.sections) + 1,
        "resume_url": request.build_absolute_uri(reverse("survey:resume", args=[token]))
        if token
        else "",
    }


def _url_or_empty(name: str) -> str:
    # The accounts pages come with the organisations app; the start page works without them.
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@never_cache
@require_http_methods(["GET"])
def start(request: HttpRequest) -> HttpResponse:
    """Who answers how: respondents through their link, HR through an account."""
    questionnaire = get_questionnaire()
    current = _session_response(request)
    if current and (current.is_completed or current.assessment.status != Assessment.Status.OPEN):
        current = None
    context = {
        "questionnaire": questionnaire,
        "current": current,
        "continue_section": current and (current.last_section or questionnaire.sections[0].id),
        "register_url": _url_or_empty("organisations:register"),
        "login_url": _url_or_empty("organisations:login"),
        "rounds_url": reverse("rounds:list")
        if request.user.is_authenticated and Membership.objects.filter(user=request.user).exists()
        else "",
    }
    return render(request, "survey/start.html", context)


@never_cache
@require_http_methods(["GET"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Exchange an invitation link for a session, then leave the token out of the address."""
    found = rounds.find_invitation(token)
    if found is None:
        return _link_not_found(request)
    personal = found.kind == Invitation.Kind.PERSONAL
    if personal and found.completed_on is not None:
        return _already_answered(request)
    current = _session_response(request)
    session_invitation = request.session.get(SESSION_INVITATION_KEY)
    same_link = current is not None and (
        session_invitation == found.pk
        if personal
        else (
            session_invitation is None
            and current.assessment_id == found.assessment_id
            and current.role == found.role
        )
    )
    if same_link:
        # Opened again in the same browser session: the same response continues.
        if current.is_completed:
            return _already_answered(request)
        return _continue(request, current)
    response, resume_token = start_response(found.assessment, found.role)
    if personal:
        # The resume link carries the invitation too, so that sending from another browser
        # still completes the personal link once.
        resume_token += LINK_SEPARATOR + token
    remember_response(request, response, resume_token, found.pk if personal else None)
    if not request.session.get(SESSION_PENDING_KEY):
        messages.success(
            request,
            _("Your questionnaire has started. First save the link below: it lets you continue."),
        )
    return _continue(request, response)


@never_cache
@require_http_methods(["GET"])
def resume(request: HttpRequest, token: str) -> HttpResponse:
    resume_token, _separator, invitation_token = token.partition(LINK_SEPARATOR)
    response = response_for_token(resume_token)
    if response is None:
        return _link_not_found(request)
    invitation_id = None
    if invitation_token:
        personal = rounds.personal_invitation_of(invitation_token, response.assessment_id)
        if personal is None:
            return _link_not_found(request)
        if personal.completed_on is not None and not response.is_completed:
            return _already_answered(request)
        invitation_id = personal.pk
    remember_response(request, response, token, invitation_id)
    if response.assessment.status != Assessment.Status.OPEN and not response.is_completed:
        return _round_closed(request)
    return _continue(request, response)


@never_cache
@require_http_methods(["GET", "POST"])
def section(request: HttpRequest, section_id: str) -> HttpResponse:
    questionnaire = get_questionnaire()
    if questionnaire.section(section_id) is None:
        raise Http404
    if request.method == "POST":
        items = questionnaire.items(section_id)
        posted = read_section(questionnaire, items, request.POST)
        response_id = request.session.get(SESSION_RESPONSE_KEY)
        # Saving checks that the response is still open; a page save needs no other lookup.
        saved = response_id is not None and save_answers(
            response_id, posted.answers, section_id=section_id, cleared=posted.cleared
        )
        if not saved and _session_response(request) is None:
            return _keep_for_later(request, section_id, items)
        if saved and request.headers.get(AUTOSAVE_HEADER):
            if posted.errors:
                return JsonResponse({"errors": posted.errors}, status=422)
            return HttpResponse(status=204)
        if saved and not posted.errors:
            messages.success(request, _("Your answers have been saved."))
            previous, following = adjacent_sections(section_id, questionnaire)
            if request.POST.get("navigate") == "previous" and previous:
                return redirect("survey:section", section_id=previous)
            if following:
                return redirect("survey:section", section_id=following)
            return redirect("survey:review")
    # A first visit, a page with errors, or no open response (see with_open_response).
    return section_page(request, section_id=section_id)


def _keep_for_later(request: HttpRequest, section_id: str, items) -> HttpResponse:
    """No response in the session (it ended): keep the posted page until a link is opened."""
    request.session[SESSION_PENDING_KEY] = {
        "section": section_id,
        "data": {item.id: request.POST[item.id] for item in items if item.id in request.POST},
    }
    if request.headers.get(AUTOSAVE_HEADER):
        return HttpResponse(status=409)
    return render(request, "survey/session_expired.html")


@with_open_response
def section_page(request: HttpRequest, response: Response, section_id: str) -> HttpResponse:
    questionnaire = get_questionnaire()
    current = questionnaire.section(section_id)
    previous, following = adjacent_sections(section_id, questionnaire)
    saved = answers_of(response, [item.id for item in questionnaire.items(section_id)])
    if request.method == "POST":
        form = SectionForm(current, questionnaire, request.POST, saved=saved)
        form.is_valid()
    else:
        form = SectionForm(current, questionnaire, saved=saved)
    step = [s.id for s in questionnaire.sections].index(section_id) + 1
    context = _page_context(request, questionnaire, step, response) | {
        "section": current,
        "form": form,
        "groups": form.groups(),
        "previous": previous,
        "following": following,
        "free_text_threshold": settings.FREE_TEXT_THRESHOLD,
    }
    return render(request, "survey/section.html", context)


def refresh_round_report(assessment: Assessment):
    """The round's report, made again from all its completed responses."""
    try:
        from leerkansen.reports.services import refresh_report
    except ImportError:  # until the reports app offers it
        from leerkansen.reports.services import create_report as refresh_report
    return refresh_report(assessment)


@never_cache
@require_http_methods(["GET", "POST"])
@with_open_response
def review(request: HttpRequest, response: Response) -> HttpResponse:
    questionnaire = get_questionnaire()
    answers = answers_of(response)
    scorable = can_be_scored(answers, questionnaire)
    if request.method == "POST" and scorable:
        outcome = complete_response(response, request.session.get(SESSION_INVITATION_KEY))
        if outcome == Completion.INVITATION_USED:
            return _already_answered(request)
        if outcome == Completion.ROUND_CLOSED:
            return _round_closed(request)
        if outcome == Completion.COMPLETED:
            request.session.pop(SESSION_INVITATION_KEY, None)
            try:
                refresh_round_report(response.assessment)
            except Exception:
                # The answers are in; the admin can make the report again from the round page.
                logger.exception("Could not refresh the report of round %s", response.assessment)
        return redirect("survey:thanks")
    missing = unanswered_items(answers, questionnaire)
    sections = [
        {
            "section": s,
            "step": step,
            "missing": [questionnaire.item(item_id) for item_id in missing.get(s.id, [])],
        }
        for step, s in enumerate(questionnaire.sections, start=1)
    ]
    context = _page_context(request, questionnaire, len(questionnaire.sections) + 1, response) | {
        "sections": sections,
        "missing_count": sum(len(ids) for ids in missing.values()),
        "last_section": questionnaire.sections[-1],
        "scorable": scorable,
        "refused": request.method == "POST",
        "diagnostic_section": next(s for s in questionnaire.sections if s.kind == "diagnostic"),
    }
    return render(request, "survey/review.html", context)


@never_cache
@require_http_methods(["GET"])
def thanks(request: HttpRequest) -> HttpResponse:
    """After sending: thanks, never the organisation's report (an admin finds it elsewhere)."""
    response = _session_response(request)
    if response is None or not response.is_completed:
        return redirect("survey:start")
    assessment = response.assessment
    is_admin = (
        request.user.is_authenticated
        and Membership.objects.filter(
            user=request.user, organisation_id=assessment.organisation_id
        ).exists()
    )
    context = {
        "organisation": assessment.organisation,
        "round_url": reverse("rounds:detail", args=[assessment.code]) if is_admin else "",
    }
    return render(request, "survey/thanks.html", context)
