"""A shared link on a shared computer (a break room): one after the other, each their own
questionnaire, nobody seeing the previous person's answers (issue 14, item 5).

Opening a shared link again in the browser that sent answers with it used to say "you have
already filled in this questionnaire … each personal link …", which is wrong for a shared link
and locked the next colleague out. A personal link still sends once.
"""

import pytest
from django.test import Client

from leerkansen.content.questionnaire import questionnaire_for
from leerkansen.survey.models import Response
from leerkansen.survey.respondent import LINK_COOKIE, SENT_COOKIE, SESSION_RESPONSE_KEY
from leerkansen.survey.rounds import close_round, disable_link
from leerkansen.survey.services import answers_of
from leerkansen.survey.tests import admin_client, link, make_invitation, the_response
from leerkansen.testing import BARE, make_admin, make_round

pytestmark = pytest.mark.django_db

REVIEW = "/vragenlijst/overzicht/"
THANKS = "/vragenlijst/bedankt/"
AGAIN = "/vragenlijst/opnieuw/"
START = "/vragenlijst/"
ROLE = "hr"
PERSONAL_WORDING = ("Je hebt deze vragenlijst al ingevuld", "Elke persoonlijke link")


def scorable_answers() -> tuple[str, dict[str, str]]:
    """A page of HR's questionnaire and answers to it that make a sendable response."""
    items = questionnaire_for(ROLE).diagnostic_items(1)
    section = items[0].section
    return section, {item.id: "4" for item in items if item.section == section}


def section_url(section_id: str) -> str:
    return f"/vragenlijst/stap/{section_id}/"


def answer_and_send(client: Client) -> None:
    section, answers = scorable_answers()
    client.post(section_url(section), answers)
    assert client.post(REVIEW)["Location"] == THANKS


def text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def assessment():
    return make_round(roles=[ROLE])


@pytest.fixture
def shared_token(assessment):
    return make_invitation(assessment, ROLE, shared=True)[1]


def test_shared_link_twice_on_one_device_gives_the_next_person_a_fresh_empty_questionnaire(
    assessment, shared_token
):
    device = Client()
    device.get(link(shared_token))
    first = the_response(device)
    first_session = device.cookies["sessionid"].value
    answer_and_send(device)
    thanks = text(device.get(THANKS))
    assert "Nog iemand op dit toestel?" in thanks
    assert f'action="{AGAIN}"' in thanks

    # The next colleague opens the same shared link on the same computer.
    page = device.get(link(shared_token))
    assert page.status_code == 200
    html = text(page)
    for wording in PERSONAL_WORDING:
        assert wording not in html
    assert "Met deze link werden op dit toestel al antwoorden verstuurd" in html
    assert "Dit is een gedeelde link" in html
    assert "Begin een nieuwe vragenlijst" in html
    assert Response.objects.count() == 1  # opening it started nothing yet

    started = device.post(AGAIN)
    section, answers = scorable_answers()
    assert started.status_code == 302
    second = the_response(device)
    assert second.pk != first.pk
    assert second.role == ROLE
    assert second.assessment_id == assessment.pk
    assert not second.is_completed
    # The session was cleared: a new session, holding the new response only.
    assert device.cookies["sessionid"].value != first_session
    assert {k for k in device.session.keys() if not k.startswith("_")} <= {  # noqa: SIM118
        SESSION_RESPONSE_KEY,
        "survey_shared_link",
    }
    assert device.cookies[SENT_COOKIE].value == ""  # the previous person's hand-over is gone
    assert device.cookies[LINK_COOKIE].value  # the new person's own resume link

    # Nothing of the previous person's answers shows on the page they answered.
    page = device.get(section_url(section)).content.decode()
    assert " checked" not in page
    assert "Je antwoorden zijn verstuurd" not in page
    # Their thank-you page and its link to what they answered are gone too.
    assert device.get(THANKS)["Location"] == START

    answer_and_send(device)
    assert Response.objects.filter(completed_on__isnull=False).count() == 2
    # Each kept their own answers: the same page, answered alike, saved twice apart.
    assert answers_of(first) == answers_of(second) == {key: 4 for key in answers}


def test_a_personal_link_stays_one_response(assessment):
    _invitation, token = make_invitation(assessment, ROLE)
    device = Client()
    device.get(link(token))
    answer_and_send(device)
    assert "Nog iemand op dit toestel?" not in text(device.get(THANKS))
    again = text(device.get(link(token)))
    assert "Je hebt deze vragenlijst al ingevuld" in again
    assert "Deze link werd persoonlijk naar jou gestuurd" in again
    assert "Begin een nieuwe vragenlijst" not in again
    # The button's address refuses a personal link's session: still one response.
    assert device.post(AGAIN)["Location"] == START
    assert Response.objects.count() == 1


def test_a_fresh_questionnaire_only_after_a_send(assessment, shared_token):
    """No quicker a way to many responses than before: a draft cannot be stacked on a
    draft, and without a sent shared response in the session nothing starts."""
    assert Client().post(AGAIN)["Location"] == START
    device = Client()
    device.get(link(shared_token))
    draft = the_response(device)
    assert device.post(AGAIN)["Location"] == START
    assert device.post(AGAIN)["Location"] == START
    assert the_response(device) == draft
    assert Response.objects.count() == 1
    assert device.get(AGAIN).status_code == 405  # a link or a prefetch starts nothing


def test_no_fresh_questionnaire_once_the_link_is_off_or_the_round_closed(assessment):
    shared, token = make_invitation(assessment, ROLE, shared=True)
    device = Client()
    device.get(link(token))
    answer_and_send(device)
    disable_link(shared)
    assert device.post(AGAIN).status_code == 404
    assert Response.objects.count() == 1

    other_round = make_round(assessment.organisation, roles=[ROLE])
    _other, other_token = make_invitation(other_round, ROLE, shared=True)
    second_device = Client()
    second_device.get(link(other_token))
    answer_and_send(second_device)
    close_round(other_round)
    closed = second_device.post(AGAIN)
    assert "Deze vragenlijst is afgesloten" in text(closed)
    assert Response.objects.count() == 2
    assert "Nog iemand op dit toestel?" not in text(second_device.get(THANKS))


def test_an_admin_on_the_shared_computer_stays_logged_in(assessment, shared_token):
    user, _organisation = make_admin("hr@linde.be", organisation=assessment.organisation, **BARE)
    device = admin_client(user)
    device.get(link(shared_token))
    answer_and_send(device)
    device.post(AGAIN)
    assert the_response(device).completed_on is None
    assert device.get(f"/organisatie/rondes/{assessment.code}/").status_code == 200
