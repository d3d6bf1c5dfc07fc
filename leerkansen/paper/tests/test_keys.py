"""The numbers HR types for a ticked box: one rule for print, entry screen and import."""

import pytest

from leerkansen.content.questionnaire import questionnaire_for
from leerkansen.paper.keys import NOT_ANSWERED, choices, read_answers, read_key


def item(item_id: str, role: str = "hr"):
    found = questionnaire_for(role).item(item_id)
    assert found is not None
    return found


def agreement_item():
    return next(i for i in questionnaire_for("medewerker").items() if i.scale == "agreement")


def test_an_agreement_statement_takes_1_to_5_and_0_for_dont_know():
    statement = agreement_item()
    assert [key.number for key in choices(statement)] == ["1", "2", "3", "4", "5", "0"]
    assert choices(statement)[-1].label == "Weet niet"
    assert read_key(statement, "4") == 4
    assert read_key(statement, " 1 ") == 1
    assert read_key(statement, "0") is None
    assert read_key(statement, "") is NOT_ANSWERED


@pytest.mark.parametrize("typed", ["6", "9", "x", "-1", "1.5", "٣"])
def test_a_number_without_a_box_is_refused_with_the_range(typed):
    with pytest.raises(ValueError, match="1 tot 5"):
        read_key(agreement_item(), typed)


def test_a_control_character_is_refused():
    with pytest.raises(ValueError, match="controleteken"):
        read_key(agreement_item(), "4\x00")


def test_the_sector_takes_two_digits_and_the_options_own_codes():
    sector = item("A_sector")
    assert read_key(sector, "1") == "A"
    assert read_key(sector, "21") == "U"
    # Two digits on the entry screen, so that the cursor moves on: "07", and "00".
    assert read_key(sector, "07") == "G"
    assert read_key(sector, "00") is NOT_ANSWERED
    with pytest.raises(ValueError):
        read_key(sector, "22")


def test_a_ranked_need_reads_dont_know_as_no_answer():
    need = next(i for i in questionnaire_for("leidinggevende").items() if i.scale == "challenges")
    assert read_key(need, "9") == 9
    assert read_key(need, "0") is NOT_ANSWERED


def test_a_practice_row_maps_its_numbers_to_the_codes():
    row = next(i for i in questionnaire_for("hr").items() if i.scale == "practice")
    assert [read_key(row, str(n)) for n in range(1, 5)] == ["al", "deels", "nog_niet", "nvt"]


def test_an_open_answer_keeps_its_text():
    open_question = next(i for i in questionnaire_for("medewerker").items() if i.scale == "text")
    assert read_key(open_question, "  Meer tijd om te leren.\n") == "Meer tijd om te leren."
    assert read_key(open_question, "   ") is NOT_ANSWERED
    with pytest.raises(ValueError, match="1000"):
        read_key(open_question, "a" * 1001)


def test_the_same_challenge_ranked_twice_is_refused_by_the_questionnaire():
    questionnaire = questionnaire_for("leidinggevende")
    first, second = [need_id for need_id, _ in questionnaire.need_items()][:2]
    _answers, problems = read_answers(questionnaire, {first: "3", second: "3"})
    assert second in problems and first not in problems
    assert "hogere plaats" in problems[second]
