"""The round outcome across respondents, without the database: needs, practices, roles."""

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.reports.tests import full_answers
from leerkansen.scoring.model import get_shipped_model
from leerkansen.scoring.round_outcome import (
    agreed_practices,
    open_answers,
    ranked_needs,
    round_outcome,
)

QUESTIONNAIRE = get_questionnaire()


def outcome(responses, **kwargs):
    return round_outcome(
        responses,
        questionnaire=QUESTIONNAIRE,
        catalogue=get_catalogue(),
        model=get_shipped_model(),
        **kwargs,
    )


def test_hidden_roles_never_reach_the_snapshot():
    # Without the database: a hidden role has no scores at all in what a report stores.
    answers = full_answers()
    responses = [("medewerker", answers)] * 5 + [("leidinggevende", answers)] * 3
    content = outcome(responses, threshold=5, free_text_threshold=9)
    assert content["role_counts"] == {"leidinggevende": 3, "medewerker": 5}
    # The managers alone are hidden, so the employees are too: nothing is stored per role.
    assert content["role_scores"] == {}
    assert content["free_text"] == {} and content["free_text_allowed"] is False
    content = outcome(responses, threshold=3, free_text_threshold=8)
    assert set(content["role_scores"]) == {"leidinggevende", "medewerker"}
    assert content["free_text_allowed"] is True


def test_the_outcome_keeps_the_thresholds_it_was_made_with():
    content = outcome([("hr", full_answers())], threshold=4, free_text_threshold=6, final=False)
    assert (content["anonymity_threshold"], content["free_text_threshold"]) == (4, 6)
    assert content["dominance_threshold"] == get_shipped_model().dominance_threshold
    assert content["role_counts"] == {} and content["role_scores"] == {}


def needs(*rankings: tuple[int, ...], urgency: int | None = None) -> list[dict]:
    responses = []
    for ranking in rankings:
        answers = {}
        for (need_id, urgency_id), challenge in zip(
            QUESTIONNAIRE.need_items(), ranking, strict=False
        ):
            answers[need_id] = challenge
            if urgency is not None and urgency_id:
                answers[urgency_id] = urgency
        responses.append(answers)
    return ranked_needs(responses, QUESTIONNAIRE)


def test_needs_of_several_respondents_add_up_three_two_one_points():
    # 1: 3 + 1 = 4 points; 2: 2 + 3 = 5; 3: 1; 4: 2. So 2, 1, 4.
    assert [need["challenge"] for need in needs((1, 2, 3), (2, 4, 1))] == [2, 1, 4]


def test_equal_points_go_to_the_need_chosen_first_more_often_then_the_lower_number():
    # 5 and 7 both get 3 + 2 = 5 points, each chosen first once: the lower number.
    assert [need["challenge"] for need in needs((7, 5), (5, 7))] == [5, 7]
    assert [need["challenge"] for need in needs((5, 7), (7, 5))] == [5, 7]
    # 9: 3 + 3 = 6 points. 6: 3 + 2 = 5, chosen first once; 4: 2 + 2 + 1 = 5, never first,
    # though named before 6 and with the lower number.
    assert [need["challenge"] for need in needs((9, 4), (6, 4), (9, 6, 4))] == [9, 6, 4]


def test_a_need_keeps_the_mean_urgency_of_its_respondents():
    assert needs((3,), urgency=4) == [{"challenge": 3, "urgency": 4.0}]
    assert needs((3,)) == [{"challenge": 3, "urgency": None}]


def test_practices_go_to_the_majority_and_ties_to_the_most_cautious_state():
    responses = [{"C_1_2": "al"}, {"C_1_2": "nog_niet"}, {"C_1_2": "al", "C_1_3": "deels"}, {}]
    # Two votes against one for 1.2; no answer does not vote.
    assert agreed_practices(responses, QUESTIONNAIRE) == {"1.2": "al", "1.3": "deels"}
    tied = [{"C_1_2": "al"}, {"C_1_2": "deels"}, {"C_1_2": "nvt"}, {"C_1_2": "nog_niet"}]
    # One vote each: "deels" is the most cautious state.
    assert agreed_practices(tied, QUESTIONNAIRE) == {"1.2": "deels"}
    assert agreed_practices(tied[::2], QUESTIONNAIRE) == {"1.2": "al"}


def test_one_row_for_one_practice_counts_for_each_of_its_actions():
    # 1.1 and 2.2 are the same practice: row C_1_1 asks it once; stored answers to the
    # retired row C_2_2 still vote for 2.2. "Weet niet" (None) is no vote.
    assert QUESTIONNAIRE.item("C_1_1").actions == ("1.1", "2.2")
    responses = [{"C_1_1": "deels"}, {"C_1_1": None}, {"C_2_2": "al"}, {"C_1_1": "deels"}]
    assert agreed_practices(responses, QUESTIONNAIRE) == {"1.1": "deels", "2.2": "deels"}


def test_open_answers_are_sorted_so_their_order_tells_nothing():
    responses = [{"E_open": " zeker "}, {"E_open": "Anders"}, {"E_open": "  "}, {}]
    assert open_answers(responses, QUESTIONNAIRE)["E_open"] == ["Anders", "zeker"]


def test_roles_left_out_count_in_no_figure_not_even_everyone():
    # 1/2/5/7: HR and directie (3) answer every challenge at 5, the others at 1 and 3.
    high, low, mid = (full_answers(agreement=dict.fromkeys(range(1, 10), v)) for v in (5, 1, 3))
    responses = [
        ("hr", {**high, "E_open": "Meer tijd."}),
        *[("directie", high)] * 2,
        *[("leidinggevende", low)] * 5,
        *[("medewerker", mid)] * 7,
    ]
    content = outcome(responses, threshold=5, free_text_threshold=8)
    assert content["role_counts"] == {"hr": 1, "directie": 2, "leidinggevende": 5, "medewerker": 7}
    assert set(content["role_scores"]) == {"leidinggevende", "medewerker"}
    # "Iedereen" is the 12 counted: without HR and directie's 100s.
    assert content["response_count"] == 12
    counted = outcome(responses[3:], threshold=5, free_text_threshold=8)
    assert content["scores"] == counted["scores"]
    assert content["agreement"] == counted["agreement"]
    assert (
        content["scores"]
        != outcome(responses, threshold=5, free_text_threshold=8, final=False)["scores"]
    )
    # Open answers are no figure: they come from everyone, without a name or a group.
    assert content["free_text"]["E_open"] == ["Meer tijd."]


def test_a_merged_group_is_stored_under_its_key():
    answers = full_answers()
    responses = [("hr", answers)] * 2 + [("directie", answers)] * 3 + [("medewerker", answers)] * 5
    content = outcome(responses, threshold=5, free_text_threshold=8)
    assert set(content["role_scores"]) == {"hr+directie", "medewerker"}
    assert content["response_count"] == 10
