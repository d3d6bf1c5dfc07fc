"""The questionnaire pages: invitation links, resume, one page per section, review and thanks.

A respondent's response is found only through the session (set by an invitation link or by
the private resume link); no view takes a response id from the URL. What the session and the
respondent's cookies hold, and why no more: respondent.py.

After sending, the resume link shows what was answered, read-only (the respondent's own right
of access; HR never gets a respondent's answers). That page is the link's answer itself: it
needs the link every time, and leaves nothing in the session or in a cookie, so that a shared
computer, or an admin who logs in on it, shows nothing without the link.

A send that completes a response is announced with signals.response_completed; the survey
does not know what listens (the reports app refreshes the round's report on it). The pages
after sending (thanks, a shared link opened again on the same device): views_sent.py.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from leerkansen.content.questionnaire import Questionnaire
from leerkansen.content.questionnaire_pages import pages_without_role
from leerkansen.lib.clients import client_address
from leerkansen.organisations.models import Membership

from . import rounds
from .forms import SectionForm, SectionInput, read_section
from .language import first_language, pages_for, questionnaire_of, starting_language
from .models import Assessment, Invitation, Response
from .respondent import (
    LINK_COOKIE,
    LINK_COOKIE_SALT,
    LINK_SEPARATOR,
    SENT_COOKIE,
    came_with_shared_link,
    forget_respondent,
    hand_over_link,
    keep_alive,
    link_cookie,
    link_of,
    open_draft_id,
    personal_invitation,
    remember_response,
    session_response,
)
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
from .signals import response_completed
from .views_sent import own_answers, shared_link_sent

# A page posted after the session ended: {"section": "B", "data": {item id: posted value}},
# valid answers only (see _keep_for_later).
SESSION_PENDING_KEY = "survey_pending_answers"
# What a page posted after the session ended may keep in the session, at most: every item of
# the longest page with its longest valid answer fits (the open question is 1,000 characters).
MAX_PENDING_CHARACTERS = 4_000
AUTOSAVE_HEADER = "X-Autosave"


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
    """A personal link that sent its answers: one person, one response."""
    return render(request, "survey/already_answered.html")


def _round_closed(request: HttpRequest) -> HttpResponse:
    """The round is closed; a posted page or send is refused (409), nothing of it kept."""
    refused = request.method == "POST"
    return render(
        request, "survey/round_closed.html", {"refused": refused}, status=409 if refused else 200
    )


def _continue(request: HttpRequest, response: Response) -> HttpResponse:
    """Save answers kept from an ended session, then go where the respondent left off."""
    if response.is_completed:
        return redirect("survey:thanks")
    pending_section = _save_pending_answers(request, response)
    if pending_section:
        return redirect("survey:section", section_id=pending_section)
    section_id = resume_section(answers_of(response), pages_for(request, response.role))
    if section_id is None:
        return redirect("survey:review")
    return redirect("survey:section", section_id=section_id)


def _save_pending_answers(request: HttpRequest, response: Response) -> str | None:
    """Store the page posted after the session ended (valid answers only); its section id."""
    pending = request.session.pop(SESSION_PENDING_KEY, None)
    if not isinstance(pending, dict) or response.assessment.status != Assessment.Status.OPEN:
        return None
    questionnaire = pages_for(request, response.role)
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
    thank-you page, when the round is closed say so. An autosave gets a 409 instead."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = session_response(request)
        closed = response is not None and response.assessment.status != Assessment.Status.OPEN
        if request.headers.get(AUTOSAVE_HEADER):
            if response is None or response.is_completed:
                # Not saved; the next click on a button shows the respondent why.
                return JsonResponse({"error": "no_open_questionnaire"}, status=409)
            if closed:
                return JsonResponse(
                    {
                        "error": "round_closed",
                        "message": _("This questionnaire is closed: your answers were not saved."),
                    },
                    status=409,
                )
        if response is None:
            messages.info(
                request,
                _("Open your personal link to continue where you left off."),
            )
            return redirect("survey:start")
        if response.is_completed:
            return redirect("survey:thanks")
        if closed:
            return _round_closed(request)
        return view(request, response, *args, **kwargs)

    return wrapper


def _page_context(
    request: HttpRequest, questionnaire: Questionnaire, step: int, response: Response
) -> dict:
    link = link_of(request, response)
    return {
        "questionnaire": questionnaire,
        "organisation": response.assessment.organisation,
        "step": step,
        "step_count": len(questionnaire.sections) + 1,
        "resume_url": request.build_absolute_uri(reverse("survey:resume", args=[link]))
        if link
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
    current = session_response(request)
    if current and (current.is_completed or current.assessment.status != Assessment.Status.OPEN):
        current = None
    questionnaire = pages_for(request, current.role) if current else questionnaire_of(request)
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
@link_cookie
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Exchange an invitation link for a session, then leave the token out of the address."""
    found = rounds.find_invitation(token)
    if found is None:
        return _link_not_found(request)
    personal = found.kind == Invitation.Kind.PERSONAL
    if personal and found.completed_on is not None:
        return _already_answered(request)
    current = session_response(request)
    current_invitation = link_of(request, current).partition(LINK_SEPARATOR)[2]
    same_link = current is not None and (
        constant_time_compare(current_invitation, token)
        if personal
        else (
            not current_invitation
            and current.assessment_id == found.assessment_id
            and current.role == found.role
        )
    )
    if same_link:
        # Opened again in the same browser session: the same response continues.
        if current.is_completed:
            return _already_answered(request) if personal else shared_link_sent(request)
        return _continue(request, current)
    language = starting_language(request, found)
    response, resume_token = start_response(found.assessment, found.role, language)
    if personal:
        # The resume link carries the invitation too, so that sending from another browser
        # still completes the personal link once.
        resume_token += LINK_SEPARATOR + token
    remember_response(request, response, resume_token, shared=not personal)
    if not request.session.get(SESSION_PENDING_KEY):
        messages.success(
            request,
            _("Your questionnaire has started. First save the link below: it lets you continue."),
        )
    return _continue(request, response)


@never_cache
@require_http_methods(["GET"])
@link_cookie
def resume(request: HttpRequest, token: str) -> HttpResponse:
    resume_token, _separator, invitation_token = token.partition(LINK_SEPARATOR)
    response = response_for_token(resume_token)
    if response is None:
        return _link_not_found(request)
    if response.is_completed:
        # The resume token alone proves the link: the invitation has nothing left to complete
        # (and a revoked one is deleted in time, see retention).
        if link_of(request, response):
            request.survey_link = ""  # a leftover cookie of this sent response goes
        return own_answers(request, response)
    if invitation_token:
        personal = rounds.personal_invitation_of(invitation_token, response.assessment_id)
        if personal is None:
            return _link_not_found(request)
        if personal.completed_on is not None and not response.is_completed:
            return _already_answered(request)
    remember_response(request, response, token)
    if response.assessment.status != Assessment.Status.OPEN:
        return _round_closed(request)
    return _continue(request, response)


@never_cache
@require_http_methods(["GET", "POST"])
@link_cookie
def section(request: HttpRequest, section_id: str) -> HttpResponse:
    # The link's role decides the version: another role's section does not exist here.
    current = session_response(request)
    questionnaire = pages_for(request, current.role) if current else pages_without_role()
    if questionnaire.section(section_id) is None:
        raise Http404
    if request.method == "POST":
        items = questionnaire.items(section_id)
        posted = read_section(questionnaire, items, request.POST)
        draft_id = open_draft_id(request)
        # Saving checks again that the response is not sent (a send may come in between).
        saved = draft_id is not None and save_answers(
            draft_id, posted.answers, section_id=section_id, cleared=posted.cleared
        )
        if not saved and session_response(request) is None:
            return _keep_for_later(request, section_id, items, posted)
        if saved:
            # Answering keeps the session (and the link cookie, rewritten with it) alive.
            keep_alive(request)
            request.survey_link = request.get_signed_cookie(
                LINK_COOKIE, default=None, salt=LINK_COOKIE_SALT
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


def _keep_for_later(
    request: HttpRequest, section_id: str, items, posted: SectionInput
) -> HttpResponse:
    """No response in the session (it ended): keep the page's valid answers until a link is
    opened. Only what the page could save is kept, as posted, up to MAX_PENDING_CHARACTERS:
    an anonymous client cannot park anything else in the session table."""
    kept: dict[str, str] = {}
    size = 0
    for item in items:
        if item.id in posted.answers:
            value = request.POST.get(item.id, "").strip()
        elif item.id in posted.cleared:
            value = ""
        else:
            continue
        size += len(item.id) + len(value)
        if size > MAX_PENDING_CHARACTERS:
            break
        kept[item.id] = value
    request.session[SESSION_PENDING_KEY] = {"section": section_id, "data": kept}
    keep_alive(request)
    if request.headers.get(AUTOSAVE_HEADER):
        return JsonResponse({"error": "session_expired"}, status=409)
    return render(request, "survey/session_expired.html")


@with_open_response
def section_page(request: HttpRequest, response: Response, section_id: str) -> HttpResponse:
    questionnaire = pages_for(request, response.role)
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


@never_cache
@require_http_methods(["GET", "POST"])
@link_cookie
@with_open_response
def review(request: HttpRequest, response: Response) -> HttpResponse:
    questionnaire = pages_for(request, response.role)
    answers = answers_of(response)
    scorable = can_be_scored(answers, questionnaire)
    if request.method == "POST" and scorable:
        # The invitation comes from the respondent's cookie, read here only.
        invitation = personal_invitation(request, response)
        outcome = complete_response(response, invitation.pk if invitation else None)
        if outcome == Completion.INVITATION_USED:
            return _already_answered(request)
        if outcome == Completion.ROUND_CLOSED:
            return _round_closed(request)
        if outcome == Completion.COMPLETED:
            # Nothing left to continue: the browser forgets the link and the invitation.
            request.survey_link = ""
            # The completion has committed. The reports app refreshes the round's report on
            # it; a receiver that fails is logged by Django and leaves the answers in.
            response_completed.send_robust(sender=Response, assessment=response.assessment)
        answer = redirect("survey:thanks")
        if outcome in (Completion.COMPLETED, Completion.ALREADY_COMPLETED):
            hand_over_link(request, response, answer)
        return answer
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
@require_POST
@link_cookie
def again(request: HttpRequest) -> HttpResponse:
    """After a shared link's send ("Nog iemand op dit toestel? Begin een nieuwe vragenlijst"),
    a fresh response of the same round and role on the same device.

    Only after a send (the session's response is completed) and only for a shared link that
    still works: a personal link stays one response, and no draft can be piled on another,
    so this is no quicker a way to more responses than opening the shared link in a new
    browser. The session is cleared first and the previous respondent's cookies replaced or
    deleted: the next person finds nothing of the previous one's answers.
    """
    current = session_response(request)
    if current is None or not current.is_completed or not came_with_shared_link(request):
        return redirect("survey:start")
    assessment = current.assessment
    if not assessment.is_open:
        return render(request, "survey/round_closed.html", {"refused": False})
    if rounds.shared_links(assessment).get(current.role) is None:
        # Switched off (or expired) since: no new responses through it.
        return render(request, "survey/link_not_found.html", status=404)
    forget_respondent(request)
    # The next person starts in their browser's language, not in the previous person's.
    response, resume_token = start_response(assessment, current.role, first_language(request))
    remember_response(request, response, resume_token, shared=True)
    messages.success(
        request,
        _(
            "A new questionnaire has started. The answers sent before on this device are "
            "saved and cannot be seen here. First save the link below: it lets you continue."
        ),
    )
    answer = _continue(request, response)
    answer.delete_cookie(SENT_COOKIE, path=reverse("survey:thanks"), samesite="Lax")
    return answer
