"""Agreement between respondents: r_wg(J)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leerkansen.scoring.agreement import rwg_j


def test_agreement_is_one_when_everyone_answers_alike():
    assert rwg_j({"a": [4, 4, 4], "b": [2, 2, 2], "c": [5, 5, 5]}) == 1.0


def test_agreement_of_several_items_by_hand():
    # Variances 1/3, 1 and 0: mean 4/9; against σ²_EU = (25 − 1) / 12 = 2 that is 2/9.
    # r_wg(J) = 3 · 7/9 / (3 · 7/9 + 2/9) = 21/23.
    answers = {"a": [4, 4, 5], "b": [3, 4, 5], "c": [4, 4, 4]}
    assert rwg_j(answers) == pytest.approx(float(Fraction(21, 23)))


def test_agreement_of_one_item_is_one_minus_the_variance_ratio():
    # Variance 0.5 against 2: 1 − 0.25.
    assert rwg_j({"a": [3, 4]}) == pytest.approx(0.75)


def test_agreement_with_seven_options_uses_their_uniform_variance():
    # Variance 2 against (49 − 1) / 12 = 4.
    assert rwg_j({"a": [3, 5]}, options=7) == pytest.approx(0.5)


def test_more_spread_than_random_is_no_agreement():
    # Variance 8 against 2: clipped to 0, not a negative number or one above 1.
    assert rwg_j({"a": [1, 5], "b": [5, 1]}) == 0.0
    assert rwg_j({"a": [1, 1, 5, 5]}) == 0.0


def test_items_with_one_answer_are_left_out():
    assert rwg_j({"a": [4], "b": [3, 4]}) == pytest.approx(0.75)


def test_no_agreement_without_two_respondents():
    assert rwg_j({"a": [4], "b": [2]}) is None
    assert rwg_j({"a": [], "b": []}) is None
    assert rwg_j({}) is None


@pytest.mark.parametrize("bad", [0, 6, True, 5.5])
def test_an_answer_outside_the_scale_is_refused(bad):
    with pytest.raises(ValueError, match="from 1 to 5"):
        rwg_j({"a": [3, bad]})


@given(
    st.dictionaries(
        st.sampled_from(["a", "b", "c", "d", "e"]),
        st.lists(st.integers(min_value=1, max_value=5), max_size=12),
        min_size=1,
    )
)
def test_agreement_is_between_zero_and_one(answers):
    result = rwg_j(answers)
    if all(len(values) < 2 for values in answers.values()):
        assert result is None
    else:
        assert result is not None and 0.0 <= result <= 1.0


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=2, max_size=12))
def test_flipping_an_item_does_not_change_agreement(values):
    flipped = [6 - value for value in values]
    assert rwg_j({"a": values}) == pytest.approx(rwg_j({"a": flipped}))
