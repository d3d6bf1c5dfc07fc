"""Where a respondent's draft and link are kept between requests.

The session holds the id of the response being answered and nothing else of the respondent.
Their link (the resume token and, for a personal link, the invitation's token) rides in a
signed cookie in their own browser (LINK_COOKIE), so that no row of the session table ties an
invitation, and with it an e-mail address, to answers. The cookie counts only for the response
whose resume token it holds, and it is deleted when the answers are sent. A second cookie
(SENT_COOKIE) hands the bare resume token to the thank-you page, once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from leerkansen.lib.codes import hash_token

from . import rounds
from .models import Assessment, Invitation, Response

SESSION_RESPONSE_KEY = "survey_response_id"
# Set when the session's response was started with a shared link (or the link was opened
# again after sending): then "Nog iemand op dit toestel?" may start a fresh response of the
# same round and role. A flag, not the link: nothing in the session names an invitation.
SESSION_SHARED_KEY = "survey_shared_link"
# Every key the questionnaire keeps in a session starts with this (see forget_respondent).
SESSION_PREFIX = "survey_"
# The respondent's link token ("resume token" or "resume token.invitation token"), signed.
LINK_COOKIE = "vragenlijst_link"
LINK_COOKIE_SALT = "leerkansen.survey.link"
# A respondent's session (and their link cookie) ends after this long without a page saved;
# the resume link starts a new one. Long enough for a lunch break in the middle of the
# questionnaire, short enough that a shared computer forgets the draft the same day.
RESPONDENT_SESSION_SECONDS = 3 * 60 * 60
# Separates the resume token from a personal invitation's token in a resume link.
LINK_SEPARATOR = "."
# Carries the bare resume token from the send to the thank-you page, once, so that the page
# can offer "what you answered"; read there and deleted. Only sent to the thank-you page.
SENT_COOKIE = "vragenlijst_verzonden"
SENT_COOKIE_SALT = "leerkansen.survey.sent"
# Time enough to follow the redirect after sending, on a slow phone.
SENT_COOKIE_SECONDS = 10 * 60


def session_response(request: HttpRequest) -> Response | None:
    response_id = request.session.get(SESSION_RESPONSE_KEY)
    if response_id is None:
        return None
    return (
        Response.objects.filter(pk=response_id).select_related("assessment__organisation").first()
    )


def keep_alive(request: HttpRequest) -> None:
    """Start the respondent's session again from now (an admin's login keeps its own)."""
    if not request.user.is_authenticated:
        request.session.set_expiry(RESPONDENT_SESSION_SECONDS)


def remember_response(
    request: HttpRequest, response: Response, link_token: str, *, shared: bool = False
) -> None:
    """Make `response` the session's response (a new session id, like a login).

    `link_token` (the resume link's token) goes into the respondent's cookie, written by
    @link_cookie on the view's answer, never into the session. `shared`: started with a
    shared link (SESSION_SHARED_KEY).
    """
    request.session.cycle_key()
    request.session[SESSION_RESPONSE_KEY] = response.pk
    if shared:
        request.session[SESSION_SHARED_KEY] = True
    else:
        request.session.pop(SESSION_SHARED_KEY, None)
    keep_alive(request)
    request.survey_link = link_token


def came_with_shared_link(request: HttpRequest) -> bool:
    """Whether the session's response was started with (or followed by) a shared link."""
    return bool(request.session.get(SESSION_SHARED_KEY))


def mark_shared(request: HttpRequest) -> None:
    request.session[SESSION_SHARED_KEY] = True


def forget_respondent(request: HttpRequest) -> None:
    """Forget everything the session knew of the previous respondent on this device.

    A visitor gets a new, empty session; an admin who is logged in keeps the login and loses
    only the questionnaire's keys. The respondent's cookies are the view's to replace.
    """
    if not request.user.is_authenticated:
        request.session.flush()
        return
    # A session is not iterable itself: its keys() is.
    for key in [key for key in request.session.keys() if key.startswith(SESSION_PREFIX)]:  # noqa: SIM118
        del request.session[key]
    request.session.cycle_key()


def link_cookie(view: Callable) -> Callable:
    """Write the link cookie the view decided on: `request.survey_link` set to a token
    sets it, to "" deletes it; not set leaves it as it is."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        answer = view(request, *args, **kwargs)
        link = getattr(request, "survey_link", None)
        if link:
            answer.set_signed_cookie(
                LINK_COOKIE,
                link,
                salt=LINK_COOKIE_SALT,
                # As long as the session, so that sending still finds the invitation.
                max_age=None
                if request.session.get_expire_at_browser_close()
                else request.session.get_expiry_age(),
                # "/": the round page's "answer yourself" reads it too.
                path="/",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        elif link is not None:
            answer.delete_cookie(LINK_COOKIE, path="/", samesite="Lax")
        return answer

    return wrapper


def link_of(request: HttpRequest, response: Response | None) -> str:
    """The link token in the respondent's cookie if it belongs to `response`, else ""."""
    if response is None:
        return ""
    link = request.get_signed_cookie(LINK_COOKIE, default="", salt=LINK_COOKIE_SALT)
    resume_token = link.partition(LINK_SEPARATOR)[0]
    if not resume_token or not constant_time_compare(
        hash_token(resume_token), response.resume_token_hash
    ):
        return ""
    return link


def came_with_personal_link(request: HttpRequest, response: Response) -> bool:
    """Whether the respondent's draft `response` was started with a personal link."""
    return bool(link_of(request, response).partition(LINK_SEPARATOR)[2])


def personal_invitation(request: HttpRequest, response: Response) -> Invitation | None:
    token = link_of(request, response).partition(LINK_SEPARATOR)[2]
    return rounds.personal_invitation_of(token, response.assessment_id) if token else None


def open_draft_id(request: HttpRequest) -> int | None:
    """The session's response if it can still take answers: not sent, its round open."""
    response_id = request.session.get(SESSION_RESPONSE_KEY)
    if response_id is None:
        return None
    return (
        Response.objects.filter(
            pk=response_id, completed_on__isnull=True, assessment__status=Assessment.Status.OPEN
        )
        .values_list("pk", flat=True)
        .first()
    )


def hand_over_link(request: HttpRequest, response: Response, answer: HttpResponse) -> None:
    """Give the thank-you page the respondent's resume token (not the invitation), once."""
    resume_token = link_of(request, response).partition(LINK_SEPARATOR)[0]
    if resume_token:
        answer.set_signed_cookie(
            SENT_COOKIE,
            resume_token,
            salt=SENT_COOKIE_SALT,
            max_age=SENT_COOKIE_SECONDS,
            path=reverse("survey:thanks"),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def handed_over_link(request: HttpRequest, response: Response) -> str:
    """The resume token handed over by the send (or a cookie left by a double click), if it
    belongs to the session's sent `response`; else ""."""
    resume_token = (
        request.get_signed_cookie(
            SENT_COOKIE, default="", salt=SENT_COOKIE_SALT, max_age=SENT_COOKIE_SECONDS
        )
        or link_of(request, response).partition(LINK_SEPARATOR)[0]
    )
    if not resume_token or not constant_time_compare(
        hash_token(resume_token), response.resume_token_hash
    ):
        return ""
    return resume_token
