import pytest

from leerkansen.organisations.models import Organisation
from leerkansen.survey.models import Answer
from leerkansen.survey.services import (
    answers_of,
    complete_response,
    response_for_token,
    save_answers,
    start_assessment,
    unanswered_items,
)

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


def test_cleared_items_lose_their_answer(started):
    response, _ = started
    save_answers(response, {"B1_1": 4, "B1_2": 3})
    save_answers(response, {}, cleared={"B1_2"})
    assert answers_of(response) == {"B1_1": 4}


def test_completing_twice_completes_once(started):
    response, _ = started
    assert complete_response(response) is True
    first = response.completed_at
    assert complete_response(response) is False
    response.refresh_from_db()
    assert response.completed_at == first


def test_unanswered_items_lists_required_items_per_section(started):
    response, _ = started
    save_answers(response, {"B1_1": 4})
    missing = unanswered_items(answers_of(response))
    assert "B1_1" not in missing["B"]
    assert "B1_2" in missing["B"]
    assert "C" not in missing  # practices are optional
