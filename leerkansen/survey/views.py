"""The questionnaire pages: start, resume, one page per section, review and submit.

A respondent's response is found only through the session (set at the start or by the private
resume link); no view takes a response id from the URL.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from leerkansen.organisations.models import Organisation
from leerkansen.reports.services import create_report

from .forms import SectionForm, StartForm, read_section
from .models import Response
from .questionnaire import Questionnaire, get_questionnaire
from .services import (
    adjacent_sections,
    answers_of,
    can_be_scored,
    complete_response,
    response_for_token,
    resume_section,
    save_answers,
    start_assessment,
    unanswered_items,
)

SESSION_RESPONSE_KEY = "survey_response_id"
SESSION_RESUME_KEY = "survey_resume_token"
AUTOSAVE_HEADER = "X-Autosave"


def _session_response(request: HttpRequest) -> Response | None:
    response_id = request.session.get(SESSION_RESPONSE_KEY)
    if response_id is None:
        return None
    return Response.objects.filter(pk=response_id).only("assessment_id", "completed_at").first()


def _remember(request: HttpRequest, response: Response, token: str) -> None:
    # A new session id on every change of respondent, like a login.
    request.session.cycle_key()
    request.session[SESSION_RESPONSE_KEY] = response.pk
    request.session[SESSION_RESUME_KEY] = token


def _report_redirect(response: Response) -> HttpResponse:
    report = create_report(response.assessment)
    return redirect(reverse("reports:report", args=[report.code]))


def with_open_response(view: Callable) -> Callable:
    """Pass the session's draft response; without one go to the start, when completed to the
    report."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = _session_response(request)
        if request.headers.get(AUTOSAVE_HEADER) and (response is None or response.is_completed):
            # Not saved; the next click on a button shows the respondent why.
            return HttpResponse(status=409)
        if response is None:
            messages.info(
                request,
                _(
                    "Start the questionnaire here, or open your personal link to continue "
                    "where you left off."
                ),
            )
            return redirect("survey:start")
        if response.is_completed:
            return _report_redirect(response)
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


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    questionnaire = get_questionnaire()
    form = StartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            organisation = Organisation.objects.create(name=form.cleaned_data["organisation_name"])
            response, token = start_assessment(organisation)
        _remember(request, response, token)
        messages.success(
            request,
            _("Your questionnaire has started. First save the link below: it lets you continue."),
        )
        return redirect("survey:section", section_id=questionnaire.sections[0].id)
    current = _session_response(request)
    if current and current.is_completed:
        current = None
    context = {
        "form": form,
        "questionnaire": questionnaire,
        "current": current,
        "continue_section": current and (current.last_section or questionnaire.sections[0].id),
    }
    return render(request, "survey/start.html", context)


@never_cache
@require_http_methods(["GET"])
def resume(request: HttpRequest, token: str) -> HttpResponse:
    response = response_for_token(token)
    if response is None:
        return render(request, "survey/resume_not_found.html", status=404)
    _remember(request, response, token)
    if response.is_completed:
        return _report_redirect(response)
    section_id = resume_section(answers_of(response))
    if section_id is None:
        return redirect("survey:review")
    return redirect("survey:section", section_id=section_id)


@never_cache
@require_http_methods(["GET", "POST"])
def section(request: HttpRequest, section_id: str) -> HttpResponse:
    questionnaire = get_questionnaire()
    if questionnaire.section(section_id) is None:
        raise Http404
    if request.method == "POST":
        posted = read_section(questionnaire, questionnaire.items(section_id), request.POST)
        response_id = request.session.get(SESSION_RESPONSE_KEY)
        # Saving checks that the response is still open; a page save needs no other lookup.
        saved = response_id is not None and save_answers(
            response_id, posted.answers, section_id=section_id, cleared=posted.cleared
        )
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
    }
    return render(request, "survey/section.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@with_open_response
def review(request: HttpRequest, response: Response) -> HttpResponse:
    questionnaire = get_questionnaire()
    answers = answers_of(response)
    scorable = can_be_scored(answers, questionnaire)
    if request.method == "POST" and scorable:
        complete_response(response)
        return _report_redirect(response)
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
