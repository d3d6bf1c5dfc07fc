"""Invitation links: exchanged for a session, refused when bad, used once when personal."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from leerkansen.survey.models import Invitation, Response
from leerkansen.survey.respondent import SESSION_RESPONSE_KEY
from leerkansen.survey.rounds import BAD_TOKEN_LIMIT, close_round, disable_link
from leerkansen.survey.services import answers_of
from leerkansen.survey.tests import (
    enough_for_a_report,
    link,
    make_invitation,
    resume_token_of,
    the_response,
)
from leerkansen.survey.views import SESSION_PENDING_KEY
from leerkansen.testing import make_round

pytestmark = pytest.mark.django_db

REVIEW = "/vragenlijst/overzicht/"
THANKS = "/vragenlijst/bedankt/"


def section_url(section_id: str) -> str:
    return f"/vragenlijst/stap/{section_id}/"


def send(client: Client):
    client.post(section_url("B"), enough_for_a_report(the_response(client).role))
    return client.post(REVIEW)


@pytest.fixture
def assessment():
    return make_round()


def test_a_personal_link_keeps_the_invitation_in_the_browser_only(client, assessment):
    _invitation, token = make_invitation(assessment, "hr")
    response = client.get(link(token))
    assert response["Location"] == section_url("A")
    # The session holds the response, and nothing of the invitation or the link.
    assert dict(client.session) == {SESSION_RESPONSE_KEY: the_response(client).pk} | {
        key: value for key, value in client.session.items() if key.startswith("_")
    }
    draft = the_response(client)
    assert draft.role == "hr"
    # The resume link carries the invitation too; the database links neither to the other.
    resume_token = resume_token_of(client)
    assert resume_token.endswith("." + token)
    assert Response.objects.filter(resume_token_hash__contains=token).count() == 0


def test_opening_the_link_again_in_the_same_browser_continues_the_same_response(client, assessment):
    _invitation, token = make_invitation(assessment)
    client.get(link(token))
    first = client.session[SESSION_RESPONSE_KEY]
    client.post(section_url("A"), {"A_sector": "Q"})
    assert client.get(link(token))["Location"] == section_url("A")
    assert client.session[SESSION_RESPONSE_KEY] == first
    assert Response.objects.count() == 1


def test_a_shared_link_makes_one_response_per_browser_session(assessment):
    _invitation, token = make_invitation(assessment, "leidinggevende", shared=True)
    one, two = Client(), Client()
    one.get(link(token))
    one.get(link(token))
    two.get(link(token))
    assert one.session[SESSION_RESPONSE_KEY] != two.session[SESSION_RESPONSE_KEY]
    # A shared link's resume link carries no invitation.
    assert "." not in resume_token_of(one)
    assert list(Response.objects.values_list("role", flat=True)) == ["leidinggevende"] * 2
    # After sending, the same browser is told answers were sent with this shared link on
    # this device, and offered a fresh questionnaire (test_shared_device.py).
    assert send(one)["Location"] == THANKS
    html = one.get(link(token)).content.decode()
    assert "Met deze link werden op dit toestel al antwoorden verstuurd" in html
    assert "Je hebt deze vragenlijst al ingevuld" not in html
    assert Response.objects.count() == 2


def test_a_completed_personal_link_is_refused_everywhere(assessment):
    invitation, token = make_invitation(assessment)
    first = Client()
    first.get(link(token))
    assert send(first)["Location"] == THANKS
    invitation.refresh_from_db()
    assert invitation.completed_on == timezone.localdate()

    later = Client()
    response = later.get(link(token))
    assert response.status_code == 200
    assert "Je hebt deze vragenlijst al ingevuld" in response.content.decode()
    assert SESSION_RESPONSE_KEY not in later.session
    assert Response.objects.count() == 1


def test_a_second_draft_of_one_personal_link_cannot_be_sent_too(assessment):
    invitation, token = make_invitation(assessment)
    phone, laptop = Client(), Client()
    phone.get(link(token))
    laptop.get(link(token))
    assert send(phone)["Location"] == THANKS
    response = send(laptop)
    assert "Je hebt deze vragenlijst al ingevuld" in response.content.decode()
    assert Response.objects.filter(completed_on__isnull=False).count() == 1
    invitation.refresh_from_db()
    assert invitation.completed_on is not None


def test_the_resume_link_of_a_personal_link_completes_the_invitation_from_another_browser(
    assessment,
):
    invitation, token = make_invitation(assessment)
    phone = Client()
    phone.get(link(token))
    phone.post(section_url("B"), enough_for_a_report(the_response(phone).role))
    resume_token = resume_token_of(phone)

    laptop = Client()
    assert laptop.get(f"/vragenlijst/hervat/{resume_token}/")["Location"] == section_url("A")
    assert resume_token_of(laptop) == resume_token
    assert laptop.post(REVIEW)["Location"] == THANKS
    invitation.refresh_from_db()
    assert invitation.completed_on is not None
    assert "Je hebt deze vragenlijst al ingevuld" in Client().get(link(token)).content.decode()


@pytest.mark.parametrize("problem", ["unknown", "expired", "revoked", "closed"])
def test_a_link_that_does_not_work_is_a_dutch_404(client, assessment, problem):
    invitation, token = make_invitation(assessment)
    if problem == "unknown":
        token = token[:-2] + "xx"
    elif problem == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    elif problem == "revoked":
        disable_link(invitation)
    else:
        close_round(assessment)
    response = client.get(link(token))
    assert response.status_code == 404
    html = response.content.decode()
    assert "We vinden deze link niet" in html
    assert "Vraag de persoon die je uitnodigde om een nieuwe link" in html
    assert SESSION_RESPONSE_KEY not in client.session
    assert not Response.objects.exists()


def test_repeated_bad_links_from_one_client_are_refused_with_429(client, assessment):
    _invitation, token = make_invitation(assessment)
    for attempt in range(BAD_TOKEN_LIMIT):
        assert client.get(link(f"geraden-{attempt}")).status_code == 404
    response = client.get(link("nog-een-gok"))
    assert response.status_code == 429
    assert "Te veel links die niet werken" in response.content.decode()
    # A bad resume link waits too; a good link still works (only bad ones are refused).
    assert client.get("/vragenlijst/hervat/iets/").status_code == 429
    assert client.get(link(token)).status_code == 302
    # Another client is not affected.
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.get(link(token)).status_code == 302


def test_bad_resume_links_count_as_bad_links_too(client):
    for attempt in range(BAD_TOKEN_LIMIT):
        assert client.get(f"/vragenlijst/hervat/geraden-{attempt}/").status_code == 404
    assert client.get(link("x")).status_code == 429


def test_a_closed_round_stops_a_respondent_who_is_still_answering(client, assessment):
    _invitation, token = make_invitation(assessment)
    client.get(link(token))
    close_round(assessment)
    html = client.get(section_url("B")).content.decode()
    assert "Deze vragenlijst is afgesloten" in html
    response = client.post(REVIEW)
    assert "Deze vragenlijst is afgesloten" in response.content.decode()
    assert not the_response(client).is_completed


# --- An expired session while answering -----------------------------------------------------


def test_a_page_posted_after_the_session_ended_is_kept_and_saved_when_the_link_is_opened(
    assessment,
):
    _invitation, token = make_invitation(assessment)
    browser = Client()
    browser.get(link(token))
    browser.post(section_url("A"), {"A_sector": "Q"})
    resume_token = resume_token_of(browser)
    draft = the_response(browser)

    # The session ends (expired, or the cookie was cleared) while page B is being filled in.
    browser.session.flush()
    browser.cookies.pop("sessionid", None)
    response = browser.post(section_url("B"), {"B1_1": "5", "B1_6": "weet-niet", "B1_3": "9"})
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Je sessie is verlopen. Open je persoonlijke link opnieuw: je antwoorden van deze "
        "pagina staan klaar en worden bewaard."
    ) in html
    assert browser.session[SESSION_PENDING_KEY]["section"] == "B"
    assert answers_of(draft) == {"A_sector": "Q"}

    # The saved link in the same browser: the page's valid answers join the earlier ones.
    response = browser.get(f"/vragenlijst/hervat/{resume_token}/")
    assert response["Location"] == section_url("B")
    assert answers_of(draft) == {"A_sector": "Q", "B1_1": 5, "B1_6": None}
    assert SESSION_PENDING_KEY not in browser.session
    html = browser.get(section_url("B")).content.decode()
    assert "De antwoorden die je gaf voor je sessie verliep, zijn bewaard." in html


def test_pending_answers_go_into_a_new_response_when_the_invitation_is_opened(assessment):
    _invitation, token = make_invitation(assessment, "medewerker")
    browser = Client()
    assert browser.post(section_url("E"), {"E_5": "4", "E_open": "Meer tijd"}).status_code == 200
    assert browser.get(link(token))["Location"] == section_url("E")
    assert answers_of(the_response(browser)) == {"E_5": 4, "E_open": "Meer tijd"}


def test_autosave_after_the_session_ended_is_kept_too(assessment):
    browser = Client()
    response = browser.post(section_url("B"), {"B1_1": "3"}, headers={"X-Autosave": "1"})
    assert response.status_code == 409
    assert browser.session[SESSION_PENDING_KEY] == {"section": "B", "data": {"B1_1": "3"}}
