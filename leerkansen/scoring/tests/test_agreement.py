"""Agreement between respondents (the mean of the items' r_wg) and the gap between groups."""

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leerkansen.scoring import agreement as agreement_module
from leerkansen.scoring.agreement import Gap, agreement_level, group_gap, mean_item_rwg

answer_lists = st.lists(st.integers(min_value=1, max_value=5), min_size=2, max_size=12)


def test_the_examples_in_the_docstrings_hold():
    result = doctest.testmod(agreement_module)
    assert result.attempted >= 5 and result.failed == 0


def test_agreement_is_one_when_everyone_answers_alike():
    assert mean_item_rwg({"a": [4, 4, 4], "b": [2, 2, 2], "c": [5, 5, 5]}) == 1.0


def test_agreement_of_several_items_is_the_mean_of_each_items_agreement():
    # Variances 1/3, 1 and 0 against σ²_EU = (25 − 1) / 12 = 2: 5/6, 1/2 and 1, mean 7/9.
    answers = {"a": [4, 4, 5], "b": [3, 4, 5], "c": [4, 4, 4]}
    assert mean_item_rwg(answers) == pytest.approx(7 / 9)


def test_more_items_of_the_same_agreement_do_not_raise_it():
    # Variance 0.8 against 2: 0.6 per item. r_wg(J) would read five such items as
    # 5 · 0.6 / (5 · 0.6 + 0.4) = 0.88, "strong"; their mean stays 0.6, "moderate".
    answers = [2, 3, 3, 4, 4, 2]
    one = {"a": answers}
    five = {item: answers for item in "abcde"}
    assert mean_item_rwg(one) == pytest.approx(0.6)
    assert mean_item_rwg(five) == pytest.approx(0.6)
    assert agreement_level(mean_item_rwg(five)) == "moderate"


def test_agreement_with_seven_options_uses_their_uniform_variance():
    # Variance 2 against (49 − 1) / 12 = 4.
    assert mean_item_rwg({"a": [3, 5]}, options=7) == pytest.approx(0.5)


def test_an_item_spread_more_than_random_counts_as_no_agreement_not_less():
    # Item a: variance 8 against 2 → 0, not −3; item b: all alike → 1.
    assert mean_item_rwg({"a": [1, 5], "b": [3, 3]}) == 0.5
    assert mean_item_rwg({"a": [1, 1, 5, 5]}) == 0.0


def test_items_with_one_answer_are_left_out():
    assert mean_item_rwg({"a": [4], "b": [3, 4]}) == pytest.approx(0.75)


def test_no_agreement_without_two_respondents():
    assert mean_item_rwg({"a": [4], "b": [2]}) is None
    assert mean_item_rwg({"a": [], "b": []}) is None
    assert mean_item_rwg({}) is None


@pytest.mark.parametrize("bad", [0, 6, True, 5.5])
def test_an_answer_outside_the_scale_is_refused(bad):
    with pytest.raises(ValueError, match="from 1 to 5"):
        mean_item_rwg({"a": [3, bad]})


@given(st.dictionaries(st.sampled_from("abcde"), st.lists(st.integers(1, 5), max_size=12)))
def test_agreement_is_between_zero_and_one(answers):
    result = mean_item_rwg(answers)
    if all(len(values) < 2 for values in answers.values()):
        assert result is None
    else:
        assert result is not None and 0.0 <= result <= 1.0


@given(answer_lists, st.integers(min_value=2, max_value=8))
def test_repeating_an_item_never_changes_the_agreement(values, times):
    once = mean_item_rwg({"a": values})
    assert mean_item_rwg({str(n): values for n in range(times)}) == pytest.approx(once)


@given(answer_lists)
def test_flipping_an_item_does_not_change_agreement(values):
    flipped = [6 - value for value in values]
    assert mean_item_rwg({"a": values}) == pytest.approx(mean_item_rwg({"a": flipped}))


def test_the_words_follow_lebreton_and_senter():
    assert [agreement_level(v) for v in (0.71, 0.70, 0.51, 0.50, 0.0, None)] == [
        "strong",
        "moderate",
        "moderate",
        "little",
        "little",
        "unknown",
    ]


def test_the_gap_names_the_lowest_and_the_highest_group():
    gap = group_gap({"hr+directie": 40, "leidinggevende": 25, "medewerker": 75})
    assert gap == Gap("leidinggevende", 25, "medewerker", 75)
    assert gap.points == 50 and gap.large
    assert group_gap({"leidinggevende": 25, "medewerker": None}) is None
    assert group_gap({"medewerker": 60}) is None
    assert group_gap({}) is None


def test_a_gap_of_twenty_points_is_not_yet_large():
    assert not group_gap({"leidinggevende": 40, "medewerker": 60}).large
    assert group_gap({"leidinggevende": 40, "medewerker": 61}).large


@given(st.floats(min_value=0, max_value=1), st.integers(0, 100), st.integers(0, 100))
def test_agreement_is_never_strong_next_to_a_gap_of_more_than_twenty_points(value, low, high):
    gap = group_gap({"leidinggevende": low, "medewerker": high})
    level = agreement_level(value, gap)
    if abs(high - low) > 20:
        assert level == "split"
    else:
        assert level == agreement_level(value)
