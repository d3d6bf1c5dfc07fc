"""Helpers for the survey tests: invitation links and sessions, made the real way.

The personas (an admin, a round) come from leerkansen.testing.
"""

from itertools import count

from django.http import HttpRequest
from django.test import Client

from leerkansen.content.questionnaire import questionnaire_for
from leerkansen.survey.models import Assessment, Invitation, Response
from leerkansen.survey.respondent import LINK_COOKIE, LINK_COOKIE_SALT, SESSION_RESPONSE_KEY
from leerkansen.survey.rounds import _new_invitation, invitation_token

_numbers = count(1)


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_invitation(
    assessment: Assessment, role: str = "hr", email: str = "", shared: bool = False
) -> tuple[Invitation, str]:
    """An invitation of the round and its link's token (no e-mail sent)."""
    if shared:
        invitation = _new_invitation(assessment, role, Invitation.Kind.SHARED)
    else:
        email = email or f"persoon{next(_numbers)}@linde.be"
        invitation = _new_invitation(assessment, role, Invitation.Kind.PERSONAL, email)
    return invitation, invitation_token(invitation)


def link(token: str) -> str:
    return f"/vragenlijst/uitnodiging/{token}/"


def the_response(client: Client) -> Response:
    return Response.objects.get(pk=client.session[SESSION_RESPONSE_KEY])


def resume_token_of(client: Client) -> str:
    """The token of the respondent's resume link, as their browser keeps it (a signed cookie)."""
    request = HttpRequest()
    request.COOKIES = {LINK_COOKIE: client.cookies[LINK_COOKIE].value}
    return request.get_signed_cookie(LINK_COOKIE, salt=LINK_COOKIE_SALT)


def enough_for_a_report(role: str = "hr") -> dict[str, str]:
    """Four of challenge 1's statements in `role`'s version, as a browser posts them: at
    least three quarters, enough for a score and a report."""
    return {item.id: "4" for item in questionnaire_for(role).diagnostic_items(1)[:4]}
