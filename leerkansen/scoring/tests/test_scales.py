"""Scale scores: keying, the 0-100 mapping, the 75% rule and aggregation over respondents."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.scoring.scales import (
    ScaleItem,
    aggregate_answers,
    challenge_scores,
    reverse_keyed,
    scale_items,
    score_value,
    scores_of,
)


def items_for(challenge, count, reversed_ids=()):
    return [
        ScaleItem(f"c{challenge}_{n}", challenge, f"c{challenge}_{n}" in reversed_ids)
        for n in range(1, count + 1)
    ]


FOUR = items_for(1, 4)
FIVE = items_for(2, 5)
answer = st.integers(min_value=1, max_value=5)
maybe_answer = st.one_of(st.none(), answer)


def test_all_strongly_agree_scores_100_and_all_disagree_scores_0():
    assert challenge_scores({item.id: 5 for item in FOUR}, FOUR) == {1: 100.0}
    assert challenge_scores({item.id: 1 for item in FOUR}, FOUR) == {1: 0.0}


def test_mean_answer_maps_to_0_100_rounded_to_one_decimal():
    answers = {"c1_1": 4, "c1_2": 4, "c1_3": 5, "c1_4": 3}  # mean 4 → 75
    assert challenge_scores(answers, FOUR) == {1: 75.0}
    answers = {"c2_1": 4, "c2_2": 4, "c2_3": 5, "c2_4": 3, "c2_5": 2}  # mean 3.6 → 65
    assert challenge_scores(answers, FIVE) == {2: 65.0}
    answers = {"c1_1": 4, "c1_2": 4, "c1_3": 4}  # 3 of 4, mean 4 → 75
    assert challenge_scores(answers, FOUR) == {1: 75.0}
    items = items_for(3, 3)
    assert challenge_scores({"c3_1": 2, "c3_2": 2, "c3_3": 3}, items) == {3: 33.3}


def test_reverse_keyed_items_are_flipped_so_higher_means_heavier_barrier():
    items = items_for(1, 4, reversed_ids={"c1_4"})
    # Agreeing with a reverse-keyed item ("we have time to learn") lowers the barrier.
    assert challenge_scores({"c1_1": 5, "c1_2": 5, "c1_3": 5, "c1_4": 1}, items) == {1: 100.0}
    assert challenge_scores({"c1_1": 5, "c1_2": 5, "c1_3": 5, "c1_4": 5}, items) == {1: 75.0}


@pytest.mark.parametrize(
    ("items", "answered", "has_score"),
    [
        (FOUR, 4, True),
        (FOUR, 3, True),
        (FOUR, 2, False),
        (FIVE, 5, True),
        (FIVE, 4, True),
        (FIVE, 3, False),
        (FOUR, 0, False),
    ],
)
def test_score_needs_at_least_75_percent_of_items_answered(items, answered, has_score):
    answers = {item.id: (3 if n < answered else None) for n, item in enumerate(items)}
    (score,) = challenge_scores(answers, items).values()
    assert (score is not None) is has_score


def test_missing_ids_count_as_unanswered_and_other_ids_are_ignored():
    answers = {"c1_1": 5, "c1_2": 5, "other": 1}
    assert challenge_scores(answers, FOUR) == {1: None}


def test_scores_every_challenge_in_order():
    items = items_for(3, 4) + items_for(1, 4)
    answers = {item.id: 5 for item in items_for(3, 4)}
    assert challenge_scores(answers, items) == {1: None, 3: 100.0}


@pytest.mark.parametrize("bad", [0, 6, 2.5 + 3, True, "3"])
def test_answers_outside_1_to_5_are_refused(bad):
    with pytest.raises(ValueError, match="c1_1"):
        challenge_scores({"c1_1": bad, "c1_2": 3, "c1_3": 3}, FOUR)


def test_duplicate_item_ids_are_refused():
    with pytest.raises(ValueError, match="twice"):
        challenge_scores({}, [ScaleItem("a", 1, False), ScaleItem("a", 2, False)])


def test_float_means_of_several_respondents_are_accepted():
    assert challenge_scores({"c1_1": 3.5, "c1_2": 4.5, "c1_3": 4, "c1_4": 4}, FOUR) == {1: 75.0}


def test_aggregate_answers_is_the_mean_per_item_ignoring_none():
    responses = [
        {"a": 5, "b": None, "c": None},
        {"a": 2, "b": 4, "c": None},
        {"a": 2, "d": 1},
    ]
    assert aggregate_answers(responses) == {"a": 3.0, "b": 4.0, "c": None, "d": 1.0}
    assert aggregate_answers([]) == {}


def test_aggregated_answers_can_be_scored():
    responses = [{item.id: 5 for item in FOUR}, {item.id: 3 for item in FOUR}]
    assert challenge_scores(aggregate_answers(responses), FOUR) == {1: 75.0}


@given(st.lists(maybe_answer, min_size=5, max_size=5), st.sets(st.integers(0, 4)))
def test_scores_are_between_0_and_100_or_none(values, reversed_positions):
    items = [ScaleItem(f"i{n}", 1, n in reversed_positions) for n in range(5)]
    score = challenge_scores({f"i{n}": value for n, value in enumerate(values)}, items)[1]
    assert score is None or 0 <= score <= 100
    assert (score is None) == (sum(value is not None for value in values) < 4)


@given(st.lists(maybe_answer, min_size=4, max_size=4))
def test_flipping_all_answers_mirrors_the_score(values):
    answers = {item.id: value for item, value in zip(FOUR, values, strict=True)}
    flipped = {key: None if value is None else 6 - value for key, value in answers.items()}
    score, mirrored = challenge_scores(answers, FOUR)[1], challenge_scores(flipped, FOUR)[1]
    if score is None:
        assert mirrored is None
    else:
        assert score + mirrored == pytest.approx(100)


@given(st.lists(maybe_answer, min_size=5, max_size=5), st.integers(0, 4), st.integers(1, 4))
def test_raising_one_answer_never_lowers_the_score(values, position, step):
    answers = {item.id: value for item, value in zip(FIVE, values, strict=True)}
    raised = dict(answers)
    key = FIVE[position].id
    raised[key] = min(5, (answers[key] or 1) + step) if answers[key] is not None else None
    before, after = challenge_scores(answers, FIVE)[2], challenge_scores(raised, FIVE)[2]
    assert (before is None) == (after is None)
    assert before is None or after >= before


@given(st.lists(st.lists(maybe_answer, min_size=4, max_size=4), min_size=1, max_size=6))
def test_aggregated_scores_stay_between_0_and_100(responses):
    answers = aggregate_answers(
        [{item.id: value for item, value in zip(FOUR, row, strict=True)} for row in responses]
    )
    score = challenge_scores(answers, FOUR)[1]
    assert score is None or 0 <= score <= 100


def test_scale_items_are_the_questionnaires_diagnostic_items_in_order():
    questionnaire = get_questionnaire()
    items = scale_items(questionnaire)
    assert [(item.id, item.challenge, item.reverse, item.forms) for item in items] == (
        questionnaire.scale_items()
    )
    assert {item.challenge for item in items} == set(range(1, 10))
    assert any(item.reverse for item in items)


def test_scores_of_several_responses_is_the_score_of_their_mean_answers():
    responses = [
        {"c1_1": 5, "c1_2": 4, "c1_3": 4, "c1_4": None, "other": "tekst"},
        {"c1_1": 3, "c1_2": 2, "c1_3": 4, "c1_4": 1},
    ]
    expected = challenge_scores(
        aggregate_answers([{k: v for k, v in r.items() if k != "other"} for r in responses]),
        FOUR,
    )
    assert scores_of(responses, FOUR) == expected
    assert scores_of(responses[:1], FOUR) == challenge_scores(responses[0], FOUR)
    assert scores_of([], FOUR) == {1: None}


def test_reverse_keying_flips_a_number_or_an_array_alike():
    assert [reverse_keyed(value) for value in (1, 2, 3, 4, 5)] == [5, 4, 3, 2, 1]
    assert reverse_keyed(np.array([1.0, 4.5])).tolist() == [5.0, 1.5]


@pytest.mark.parametrize(
    ("score", "value"), [(72.5, 73), (72.4, 72), (0.0, 0), (99.5, 100), (27.5, 28), (None, None)]
)
def test_a_score_is_read_as_a_whole_number_rounded_half_up(score, value):
    assert score_value(score) == value
