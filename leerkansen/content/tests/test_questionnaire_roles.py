"""Each role answers its own version of the questionnaire (issue 14)."""

import re

import pytest

from leerkansen.content.questionnaire import (
    ROLES,
    get_questionnaire,
    questionnaire_for,
)
from leerkansen.scoring.scales import scale_items, scores_of

# What only someone who knows the organisation's facts can answer.
ORGANISATION_FACTS = ("A_sector", "A_size", "A_hr_capacity", "A_training_plan")


def test_roles_are_the_roles_a_round_asks():
    from leerkansen.survey.models import Role

    assert tuple(Role.values) == ROLES


def test_an_employee_gets_no_context_practices_or_needs():
    version = questionnaire_for("medewerker")
    assert [section.kind for section in version.sections] == ["diagnostic", "outcomes"]
    for item_id in ORGANISATION_FACTS:
        assert version.item(item_id) is None
    assert not version.items("A")
    assert not version.items("C")


def test_hr_and_directie_get_context_practices_and_needs():
    for role in ("hr", "directie"):
        version = questionnaire_for(role)
        kinds = [section.kind for section in version.sections]
        assert kinds == ["context", "diagnostic", "practices", "needs", "outcomes"]
        assert version.item("A_sector") is not None


def test_a_line_manager_gets_needs_but_no_context_or_practices():
    kinds = [section.kind for section in questionnaire_for("leidinggevende").sections]
    assert kinds == ["diagnostic", "needs", "outcomes"]


def test_no_version_asks_the_role():
    for role in ROLES:
        assert questionnaire_for(role).item("A_role") is None
    # Kept in the file: answers stored under it stay readable.
    assert get_questionnaire().item("A_role").roles == ()


def test_a_version_refuses_answers_to_items_it_does_not_ask():
    errors = questionnaire_for("medewerker").validate_answers({"A_sector": "Q", "C_1_1": "al"})
    assert set(errors) == {"A_sector", "C_1_1"}
    assert errors["A_sector"] == ["Deze vraag hoort niet bij de vragenlijst."]
    assert questionnaire_for("hr").validate_answers({"A_sector": "Q", "C_1_1": "al"}) == {}


def test_one_row_asks_about_1_1_and_2_2_together():
    hr = questionnaire_for("hr")
    row = hr.item("C_1_1")
    assert row.actions == ("1.1", "2.2")
    assert hr.item("C_2_2") is None
    assert len(hr.items("C")) == 47
    # The row of 2.2 stays in the file, retired, for answers given before.
    assert get_questionnaire().item("C_2_2").roles == ()


def test_practice_rows_offer_weet_niet():
    row = questionnaire_for("hr").item("C_3_1")
    assert row.allows_dont_know
    assert questionnaire_for("hr").validate_answers({"C_3_1": None}) == {}


def test_every_version_scores_every_challenge_on_its_own_items():
    for role in ROLES:
        version = questionnaire_for(role)
        items = scale_items(version)
        assert {item.challenge for item in items} == set(range(1, 10))
        answers = {item.id: 4 for item in items}
        assert all(score is not None for score in scores_of([answers], items).values())


def test_each_challenge_has_anchor_items_every_role_answers():
    questionnaire = get_questionnaire()
    for challenge in range(1, 10):
        anchors = questionnaire.anchor_items(challenge)
        assert len(anchors) >= 2, challenge
        for role in ROLES:
            assert all(questionnaire_for(role).item(item.id) for item in anchors)


def test_a_version_is_made_once_and_knows_its_role():
    assert questionnaire_for("hr") is questionnaire_for("hr")
    assert questionnaire_for("hr").role == "hr"
    assert get_questionnaire().role is None
    with pytest.raises(ValueError, match="unknown role"):
        questionnaire_for("stagiair")


# A statement with a negation turns "oneens" into a double negative.
NEGATIONS = re.compile(r"\b(niet|geen|weinig|zelden|nooit|niemand|nauwelijks|nergens)\b", re.I)
JARGON = re.compile(
    r"leernoden|leervraag|\bfaq\b|check-?in|buddy|peer|co-?working|coach", re.IGNORECASE
)


def test_no_statement_anyone_is_asked_holds_a_negation_or_jargon():
    for item in get_questionnaire().items():
        if not item.roles or item.section == "C":
            continue  # retired, or the catalogue's own action titles
        assert not NEGATIONS.search(item.text), (item.id, item.text)
        assert not JARGON.search(item.text), (item.id, item.text)


def test_answers_given_in_1_1_0_still_score_every_challenge():
    questionnaire = get_questionnaire()
    (earlier,) = questionnaire.earlier_versions
    assert earlier.version == "1.1.0"
    old_response = {item_id: 4 for item_id in earlier.diagnostic_items}
    scores = scores_of([old_response], scale_items(questionnaire))
    assert set(scores) == set(range(1, 10))
    assert all(score is not None for score in scores.values())
    # Three quarters of the old items of a challenge still give a score; half does not.
    three_of_five_and_one = {"B1_1": 4, "B1_2": 4, "B1_3": 5, "B1_4": 2}
    assert scores_of([three_of_five_and_one], scale_items(questionnaire))[1] is not None
    assert scores_of([{"B1_1": 4, "B1_2": 4}], scale_items(questionnaire))[1] is None


def test_an_employee_is_scored_on_three_quarters_of_their_own_items():
    questionnaire = get_questionnaire()
    items = scale_items(questionnaire)
    own = [item.id for item in questionnaire_for("medewerker").diagnostic_items(1)]
    assert len(own) == 4
    assert scores_of([dict.fromkeys(own[:3], 4)], items)[1] is not None
    # The two anchors alone are half of the employee's items, and too few of anyone's.
    anchors = [item.id for item in questionnaire.anchor_items(1)]
    assert scores_of([dict.fromkeys(anchors, 4)], items)[1] is None


def test_roles_score_alike_on_the_same_answers_to_the_same_statements():
    """The anchors are the same statements for everyone: answered alike, scored alike."""
    questionnaire = get_questionnaire()
    scores = {}
    for role in ROLES:
        version = questionnaire_for(role)
        answers = {
            item.id: 2 if item.reverse else 4 for item in version.items("B") if item.challenge
        }
        scores[role] = scores_of([answers], scale_items(questionnaire))
    assert len({tuple(score.items()) for score in scores.values()}) == 1
    assert set(scores["hr"].values()) == {75.0}


def test_practice_rows_are_asked_in_plain_dutch():
    rows = questionnaire_for("hr").items("C")
    for row in rows:
        assert not re.search(
            r"\bfaq\b|check-?ins?\b|buddy|peer|co-?working|leernoden|leervragen", row.text, re.I
        ), (row.action, row.text)
    assert questionnaire_for("hr").item("C_1_3").text.startswith("Een lijst met veelgestelde")
    # Rows without jargon keep the catalogue's title.
    assert (
        questionnaire_for("hr").item("C_1_2").text
        == "Voorzien van een forum voor hulpvragen en leerwensen"
    )


def test_the_answering_pages_split_long_sections_at_challenge_boundaries():
    from leerkansen.content.questionnaire_pages import pages_without_role, questionnaire_pages

    hr = questionnaire_pages("hr")
    assert [section.id for section in hr.sections] == [
        *("A", "B", "B2", "B3", "B4", "B5", "C", "C2", "C3", "D", "E")
    ]
    assert hr.section("B2").title == "Uitdagingen (2 van 5)"
    assert {item.challenge for item in hr.items("B2")} == {3, 4}
    # The items stay the version's items: only the page they are on differs.
    assert {item.id for item in hr.items()} == {item.id for item in questionnaire_for("hr").items()}
    employee = questionnaire_pages("medewerker")
    assert [section.id for section in employee.sections] == ["B", "B2", "B3", "E"]
    assert all(len(employee.items(section.id)) <= 12 for section in employee.sections)
    # Without a session any page address takes the statements of its section.
    assert len(pages_without_role().items("B3")) == len(get_questionnaire().items("B"))


def test_an_employee_answers_in_about_ten_minutes_in_short_statements():
    """At 10 to 12 seconds a statement (a common estimate for short agreement items), 40
    statements and an optional open question stay under ten minutes."""
    version = questionnaire_for("medewerker")
    statements = [item for item in version.items() if item.scale == "agreement"]
    assert len(statements) <= 40
    assert len(version.items()) - len(statements) == 1  # the optional open question
    words = [len(item.text.split()) for item in statements]
    assert max(words) <= 17
    assert sum(words) / len(words) <= 13
