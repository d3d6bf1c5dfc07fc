"""What the server keeps of a respondent between two pages: a response id, for a few hours.

The attacks replayed here: sessions that mapped an invitee (by their invitation) to a completed
response; an anonymous client parking megabytes in the session table through the page it
posts after its session ended; and a draft that took page saves after its round had closed.
"""

import json
import secrets
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db.models.functions import Length
from django.test import Client, override_settings
from django.utils import timezone

from leerkansen.survey.models import Invitation, Response
from leerkansen.survey.respondent import (
    LINK_COOKIE,
    RESPONDENT_SESSION_SECONDS,
    SESSION_RESPONSE_KEY,
)
from leerkansen.survey.rounds import close_round
from leerkansen.survey.services import answers_of
from leerkansen.survey.tests import (
    admin_client,
    enough_for_a_report,
    link,
    make_invitation,
    resume_token_of,
    the_response,
)
from leerkansen.survey.views import SESSION_PENDING_KEY
from leerkansen.testing import BARE, make_admin, make_round

pytestmark = pytest.mark.django_db

REVIEW = "/vragenlijst/overzicht/"
THANKS = "/vragenlijst/bedankt/"


def section_url(section_id: str) -> str:
    return f"/vragenlijst/stap/{section_id}/"


@pytest.fixture
def assessment():
    return make_round()


def stored_sessions() -> list[dict]:
    """Every row of the session table, decoded as the server reads it."""
    return [SessionStore().decode(row.session_data) for row in Session.objects.all()]


def session_table_size() -> int:
    return sum(Session.objects.annotate(size=Length("session_data")).values_list("size", flat=True))


# --- No session ties an invitation to a response --------------------------------------------


def test_no_stored_session_ties_an_invitee_to_their_response(assessment):
    invitations = [make_invitation(assessment, "leidinggevende") for _ in range(4)]
    for index, (_invitation, token) in enumerate(invitations):
        browser = Client()
        browser.get(link(token))
        browser.post(section_url("B"), enough_for_a_report(the_response(browser).role))
        if index < 3:  # three send, one keeps a draft
            assert browser.post(REVIEW)["Location"] == THANKS

    sessions = stored_sessions()
    with_a_response = [s for s in sessions if SESSION_RESPONSE_KEY in s]
    assert len(with_a_response) == 4
    for session in with_a_response:
        stored = json.dumps(session)
        assert not any("invitation" in key or "resume" in key for key in session), session
        for invitation, token in invitations:
            assert token not in stored
            assert invitation.code not in stored
            assert invitation.token_hash not in stored
        # Nothing but the response id (and Django's own keys) is kept.
        assert {k for k in session if not k.startswith("_")} == {SESSION_RESPONSE_KEY}
    # Each invitation that was used to send is completed, exactly once.
    completed = Invitation.objects.filter(completed_on__isnull=False)
    assert set(completed.values_list("pk", flat=True)) == {inv.pk for inv, _t in invitations[:3]}


def test_the_invitation_rides_in_the_browser_and_is_forgotten_after_sending(client, assessment):
    invitation, token = make_invitation(assessment)
    client.get(link(token))
    cookie = client.cookies[LINK_COOKIE]
    assert resume_token_of(client).endswith("." + token)
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert int(cookie["max-age"]) == RESPONDENT_SESSION_SECONDS
    client.post(section_url("B"), enough_for_a_report(the_response(client).role))
    assert client.post(REVIEW)["Location"] == THANKS
    assert client.cookies[LINK_COOKIE].value == ""  # deleted
    invitation.refresh_from_db()
    assert invitation.completed_on is not None


@override_settings(SESSION_COOKIE_SECURE=True)
def test_the_link_cookie_is_secure_where_the_session_cookie_is(client, assessment):
    client.get(link(make_invitation(assessment)[1]))
    assert client.cookies[LINK_COOKIE]["secure"] is True


def test_another_responses_link_cookie_completes_no_invitation(assessment):
    """A cookie counts only for the response whose resume token it holds."""
    personal, token = make_invitation(assessment, "medewerker")
    _shared, shared_token = make_invitation(assessment, "medewerker", shared=True)
    browser = Client()
    browser.get(link(token))
    old_cookie = browser.cookies[LINK_COOKIE].value
    browser.get(link(shared_token))  # a new response, without an invitation
    browser.cookies[LINK_COOKIE] = old_cookie  # the personal link's cookie put back
    browser.post(section_url("B"), enough_for_a_report(the_response(browser).role))
    assert browser.post(REVIEW)["Location"] == THANKS
    personal.refresh_from_db()
    assert personal.completed_on is None
    # The personal link still works, for its own response.
    assert Client().get(link(token)).status_code == 302


def test_a_forged_link_cookie_is_ignored(assessment):
    personal, token = make_invitation(assessment, "medewerker")
    _shared, shared_token = make_invitation(assessment, "medewerker", shared=True)
    browser = Client()
    browser.get(link(shared_token))
    browser.cookies[LINK_COOKIE] = f"{resume_token_of(browser)}.{token}"  # not signed by us
    browser.post(section_url("B"), enough_for_a_report(the_response(browser).role))
    assert browser.post(REVIEW)["Location"] == THANKS
    personal.refresh_from_db()
    assert personal.completed_on is None


def test_closing_the_browser_midway_then_resuming_completes_the_invitation_once(assessment):
    invitation, token = make_invitation(assessment, "hr")
    browser = Client()
    browser.get(link(token))
    browser.post(section_url("A"), {"A_sector": "Q"})
    resume_token = resume_token_of(browser)

    reopened = Client()  # the browser was closed: no session, no cookie
    assert reopened.get(f"/vragenlijst/hervat/{resume_token}/")["Location"] == section_url("A")
    html = reopened.get(section_url("A")).content.decode()
    assert f"/vragenlijst/hervat/{resume_token}/" in html  # the link is shown again
    reopened.post(section_url("B"), enough_for_a_report(the_response(reopened).role))
    assert reopened.post(REVIEW)["Location"] == THANKS
    invitation.refresh_from_db()
    assert invitation.completed_on == timezone.localdate()
    assert Response.objects.filter(completed_on__isnull=False).count() == 1
    # Once: the first browser's draft cannot be sent again through the same link.
    assert browser.post(REVIEW)["Location"] == THANKS
    assert Response.objects.filter(completed_on__isnull=False).count() == 1
    assert "al ingevuld" in Client().get(link(token)).content.decode()


def test_a_respondents_session_ends_after_hours_without_saving(client, assessment):
    client.get(link(make_invitation(assessment)[1]))
    session = Session.objects.get()
    assert session.expire_date <= timezone.now() + timedelta(seconds=RESPONDENT_SESSION_SECONDS)
    assert RESPONDENT_SESSION_SECONDS <= 4 * 60 * 60
    # Saving a page starts the hours again.
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    client.post(section_url("A"), {"A_sector": "Q"})
    assert Session.objects.get().expire_date > timezone.now() + timedelta(hours=2)


def test_an_admin_answering_keeps_the_login_session_they_had(assessment):
    admin = admin_client(make_admin("hr@linde.be", organisation=assessment.organisation, **BARE)[0])
    before = admin.session.get_expiry_age()
    admin.post(f"/organisatie/rondes/{assessment.code}/zelf-invullen/")
    assert admin.session.get_expiry_age() == before
    html = admin.get(section_url("A")).content.decode()
    assert f"/vragenlijst/hervat/{resume_token_of(admin)}/" in html


# --- A page posted after the session ended ---------------------------------------------------


def test_a_page_posted_without_a_session_keeps_only_its_valid_answers():
    browser = Client()
    too_long = "x" * 1001
    data = {
        "E_1": "4",
        "E_2": "99",  # not an option
        "E_open": too_long,
        "B1_1": "5",  # not an item of this page
        "payload": "y" * 10_000,
    }
    assert browser.post(section_url("E"), data).status_code == 200
    assert browser.session[SESSION_PENDING_KEY] == {"section": "E", "data": {"E_1": "4"}}


def test_megabytes_posted_without_a_session_add_a_few_kilobytes_at_most():
    """The attack: 10 requests added 23 MB. Each POST here is just below Django's 2.5 MB
    limit (DATA_UPLOAD_MAX_MEMORY_SIZE), 5 MB in all; random, because sessions are stored
    compressed (the code before kept 4.8 MB of it)."""
    empty = session_table_size()
    for field in ("E_open", "E_1"):
        browser = Client()
        big = secrets.token_urlsafe(1_800_000)  # 2.4 million characters
        response = browser.post(section_url("E"), {field: big, "E_2": "3", "other": "b"})
        assert response.status_code == 200
        assert "Je sessie is verlopen" in response.content.decode()
    assert session_table_size() - empty < 2 * 1024


def test_a_long_but_valid_page_is_kept_whole():
    browser = Client()
    text = "Meer tijd om te leren. " * 43  # 989 characters
    data = {"E_1": "4", "E_2": "3", "E_3": "2", "E_4": "weet-niet", "E_open": text}
    browser.post(section_url("E"), data)
    kept = browser.session[SESSION_PENDING_KEY]["data"]
    assert kept == {**data, "E_open": text.strip()}


# --- A closed round ----------------------------------------------------------------------------


def test_a_closed_round_refuses_a_page_save_with_a_dutch_page(client, assessment):
    _invitation, token = make_invitation(assessment)
    client.get(link(token))
    client.post(section_url("B"), {"B1_1": "2"})
    close_round(assessment)

    response = client.post(section_url("B"), {"B1_1": "5", "B1_6": "4"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Deze vragenlijst is afgesloten" in html
    assert "Wat je net verstuurde, is niet bewaard." in html
    assert "Je antwoorden zijn bewaard" not in html
    assert answers_of(the_response(client)) == {"B1_1": 2}


def test_a_closed_round_refuses_an_autosave_with_json(client, assessment):
    _invitation, token = make_invitation(assessment)
    client.get(link(token))
    close_round(assessment)

    response = client.post(section_url("B"), {"B1_1": "5"}, headers={"X-Autosave": "1"})
    assert response.status_code == 409
    assert response.json() == {
        "error": "round_closed",
        "message": "Deze vragenlijst is afgesloten: je antwoorden zijn niet bewaard.",
    }
    assert answers_of(the_response(client)) == {}


def test_answers_kept_from_an_ended_session_are_not_saved_into_a_closed_round(assessment):
    invitation, token = make_invitation(assessment)
    browser = Client()
    browser.get(link(token))
    resume_token = resume_token_of(browser)
    draft = the_response(browser)
    browser.cookies.pop("sessionid")
    browser.post(section_url("B"), {"B1_1": "5"})
    close_round(assessment)
    html = browser.get(f"/vragenlijst/hervat/{resume_token}/").content.decode()
    assert "Deze vragenlijst is afgesloten" in html
    assert answers_of(draft) == {}
    invitation.refresh_from_db()
    assert invitation.completed_on is None
