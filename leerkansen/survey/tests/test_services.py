import datetime

import pytest
from django.utils import timezone

from leerkansen.organisations.models import Organisation
from leerkansen.survey.models import Answer, Invitation
from leerkansen.survey.services import (
    Completion,
    answers_of,
    complete_response,
    completed_responses,
    response_for_token,
    save_answers,
    start_assessment,
    start_response,
    unanswered_items,
)
from leerkansen.survey.tests import make_invitation
from leerkansen.testing import make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def started():
    return start_assessment(Organisation.objects.create(name="Zorggroep Noord"))


def test_resume_token_finds_the_response_but_is_not_stored(started):
    response, token = started
    assert response_for_token(token) == response
    assert response_for_token(token + "x") is None
    assert token not in response.resume_token_hash


def test_saving_a_page_keeps_earlier_answers_and_overwrites_changed_ones(started):
    response, _ = started
    save_answers(response, {"B1_1": 4, "B1_2": None, "A_size": "50_249"}, section_id="B")
    save_answers(response, {"B1_1": 2, "B1_3": 5}, section_id="B")
    assert answers_of(response) == {"B1_1": 2, "B1_2": None, "B1_3": 5, "A_size": "50_249"}
    assert Answer.objects.filter(response=response).count() == 4
    response.refresh_from_db()
    assert response.last_section == "B"


def test_an_open_answer_keeps_its_whole_text(started):
    response, _ = started
    text = "We leren vooral van elkaar, " * 30
    save_answers(response, {"E_open": text.strip(), "A_sector": "Q"})
    assert answers_of(response) == {"E_open": text.strip(), "A_sector": "Q"}
    row = Answer.objects.get(item_id="E_open")
    assert (row.code, row.text) == ("", text.strip())


def test_cleared_items_lose_their_answer(started):
    response, _ = started
    save_answers(response, {"B1_1": 4, "B1_2": 3})
    save_answers(response, {}, cleared={"B1_2"})
    assert answers_of(response) == {"B1_1": 4}


def test_completing_twice_completes_once(started):
    response, _ = started
    assert complete_response(response) == Completion.COMPLETED
    assert response.completed_on == timezone.localdate()
    assert complete_response(response) == Completion.ALREADY_COMPLETED
    response.refresh_from_db()
    assert response.completed_on == timezone.localdate()


def test_a_response_keeps_days_not_moments(started):
    response, _ = started
    complete_response(response)
    response.refresh_from_db()
    for value in (response.created_on, response.updated_on, response.completed_on):
        assert type(value) is datetime.date


def test_completing_with_a_personal_invitation_completes_the_invitation_once():
    assessment = make_round()
    invitation, _token = make_invitation(assessment)
    first, _ = start_response(assessment, "medewerker")
    second, _ = start_response(assessment, "medewerker")
    assert complete_response(first, invitation.pk) == Completion.COMPLETED
    invitation.refresh_from_db()
    assert invitation.completed_on == timezone.localdate()
    # A second draft made with the same personal link cannot be sent as well.
    assert complete_response(second, invitation.pk) == Completion.INVITATION_USED
    second.refresh_from_db()
    assert not second.is_completed


def test_a_closed_round_takes_no_more_answers():
    assessment = make_round()
    response, _ = start_response(assessment, "hr")
    assessment.status = assessment.Status.CLOSED
    assessment.save()
    assert complete_response(response) == Completion.ROUND_CLOSED
    response.refresh_from_db()
    assert not response.is_completed


def test_completed_responses_gives_role_and_answers_of_sent_responses_only():
    assessment = make_round()
    hr, _ = start_response(assessment, "hr")
    employee, _ = start_response(assessment, "medewerker")
    draft, _ = start_response(assessment, "medewerker")
    silent, _ = start_response(assessment, "leidinggevende")
    save_answers(hr, {"B1_1": 5, "A_sector": "Q", "E_open": "Meer tijd"})
    save_answers(employee, {"B1_1": 2, "B1_2": None})
    save_answers(draft, {"B1_1": 1})
    for response in (hr, employee, silent):
        complete_response(response)
    assert completed_responses(assessment) == [
        ("hr", {"B1_1": 5, "A_sector": "Q", "E_open": "Meer tijd"}),
        ("medewerker", {"B1_1": 2, "B1_2": None}),
        ("leidinggevende", {}),
    ]
    assert completed_responses(make_round()) == []


def test_unanswered_items_lists_required_items_per_section(started):
    response, _ = started
    save_answers(response, {"B1_1": 4})
    missing = unanswered_items(answers_of(response))
    assert "B1_1" not in missing["B"]
    assert "B1_2" in missing["B"]
    assert "C" not in missing  # practices are optional
    assert "E_open" not in missing.get("E", [])


def test_a_shared_invitation_has_no_address_and_no_completion():
    from django.db import IntegrityError, transaction

    invitation, _ = make_invitation(make_round(), shared=True)
    assert invitation.kind == Invitation.Kind.SHARED
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(email="iemand@linde.be")
