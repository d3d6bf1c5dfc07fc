"""Open questions ("scale: text"): optional, only in the outcomes section, at most 1000
characters of text."""

import copy

import pytest
import yaml

from leerkansen.content.questionnaire import (
    DATA_FILE,
    MAX_TEXT_LENGTH,
    QuestionnaireError,
    load_questionnaire,
    validate_answers,
)

TOO_LONG = "Meer tijd om te leren. " * 50


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


def write_copy(tmp_path, raw, change):
    data = copy.deepcopy(raw)
    change(data)
    path = tmp_path / "questionnaire.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def section(data, kind):
    return next(s for s in data["sections"] if s["kind"] == kind)


def open_question(data):
    return next(item for item in section(data, "outcomes")["items"] if item["id"] == "E_open")


@pytest.mark.parametrize(
    "text",
    ["Meer tijd om te leren.", "Regel één\nRegel twee", "x" * MAX_TEXT_LENGTH, " <b>ok</b> "],
)
def test_an_open_question_takes_any_text_up_to_the_limit(text):
    assert validate_answers({"E_open": text}) == {}


def test_an_open_question_may_stay_unanswered():
    assert validate_answers({"E_open": None}) == {}


@pytest.mark.parametrize("value", [TOO_LONG, "x" * (MAX_TEXT_LENGTH + 1), "", "   ", 3, True])
def test_an_open_question_refuses_too_long_blank_or_no_text(value):
    assert len(TOO_LONG) > MAX_TEXT_LENGTH
    assert validate_answers({"E_open": value}) == {
        "E_open": ["Schrijf je antwoord als tekst, in hoogstens 1000 tekens."]
    }


def test_an_agreement_item_does_not_take_text():
    assert "E_1" in validate_answers({"E_1": "Eens"})


def test_loader_refuses_an_open_question_that_must_be_answered(tmp_path, raw):
    path = write_copy(tmp_path, raw, lambda d: open_question(d).pop("optional"))
    with pytest.raises(QuestionnaireError, match=r"optional: an open question must be optional"):
        load_questionnaire(path)


def test_loader_refuses_an_open_question_outside_the_outcomes_section(tmp_path, raw):
    def move(data):
        item = open_question(data)
        section(data, "outcomes")["items"].remove(item)
        section(data, "context")["items"].append({**item, "id": "A_open"})

    path = write_copy(tmp_path, raw, move)
    with pytest.raises(QuestionnaireError, match=r"scale: a context item is answered with own"):
        load_questionnaire(path)
