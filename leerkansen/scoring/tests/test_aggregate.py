"""Counts per role, which roles a report may show, and agreement between respondents."""

import doctest
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leerkansen.scoring import aggregate
from leerkansen.scoring.aggregate import role_counts, rwg_j, visible_groups

ROLES = ("hr", "directie", "leidinggevende", "medewerker")

counts_strategy = st.dictionaries(
    st.sampled_from((*ROLES, "extern")), st.integers(min_value=0, max_value=30)
)
thresholds = st.integers(min_value=3, max_value=12)


def test_the_examples_in_the_docstrings_hold():
    result = doctest.testmod(aggregate)
    assert result.attempted >= 4
    assert result.failed == 0


def test_role_counts_counts_responses_per_role_in_a_fixed_order():
    roles = ["medewerker", "hr", "medewerker", "leidinggevende", "medewerker"]
    counts = role_counts(roles)
    assert counts == {"hr": 1, "leidinggevende": 1, "medewerker": 3}
    assert list(counts) == ["hr", "leidinggevende", "medewerker"]
    assert role_counts([]) == {}
    assert list(role_counts(["zzz", "medewerker", "aaa"])) == ["medewerker", "aaa", "zzz"]


def test_roles_below_the_threshold_are_hidden():
    counts = {"medewerker": 6, "leidinggevende": 4, "hr": 1}
    # Two groups are hidden already: the total minus the employees mixes them, nothing extra.
    assert visible_groups(counts, 5) == {"medewerker"}


def test_a_single_hidden_group_also_hides_the_smallest_visible_one():
    counts = {"medewerker": 6, "hr": 5, "leidinggevende": 1}
    # Total minus employees minus HR would be the one manager: HR is hidden as well.
    assert visible_groups(counts, 5) == {"medewerker"}


def test_small_hidden_groups_that_are_small_together_also_hide_the_smallest_visible_one():
    # Total minus employees would be the mean of three people (two managers and HR).
    assert visible_groups({"medewerker": 6, "leidinggevende": 2, "hr": 1}, 5) == set()
    counts = {"medewerker": 7, "directie": 6, "leidinggevende": 2, "hr": 2}
    assert visible_groups(counts, 5) == {"medewerker"}


def test_a_single_hidden_group_next_to_one_visible_group_hides_both():
    assert visible_groups({"medewerker": 9, "hr": 1}, 5) == set()


def test_roles_without_responses_hide_nothing():
    assert visible_groups({"medewerker": 6, "hr": 5, "leidinggevende": 0}, 5) == {
        "medewerker",
        "hr",
    }
    assert visible_groups({}, 5) == set()


def test_equally_small_visible_groups_hide_the_earlier_role():
    counts = {"medewerker": 5, "hr": 5, "directie": 2}
    assert visible_groups(counts, 5) == {"medewerker"}
    counts = {"medewerker": 5, "leidinggevende": 5, "hr": 2}
    assert visible_groups(counts, 5) == {"medewerker"}


def test_everyone_above_the_threshold_is_shown():
    counts = {"medewerker": 12, "leidinggevende": 5, "hr": 7}
    assert visible_groups(counts, 5) == set(counts)


@pytest.mark.parametrize("threshold", [2, 1, 0, -5])
def test_a_threshold_below_three_is_refused(threshold):
    with pytest.raises(ValueError, match="at least 3"):
        visible_groups({"medewerker": 10}, threshold)


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError, match="negative"):
        visible_groups({"medewerker": -1}, 5)


@given(counts_strategy, thresholds)
def test_every_visible_role_reaches_the_threshold(counts, threshold):
    assert all(counts[role] >= threshold for role in visible_groups(counts, threshold))


@given(counts_strategy, thresholds)
def test_no_single_hidden_group_can_be_derived_from_the_total(counts, threshold):
    visible = visible_groups(counts, threshold)
    hidden = {role for role, count in counts.items() if count > 0 and role not in visible}
    # Either nothing is hidden, or at least two groups with responses are — unless no group is
    # shown at all, when the total is all there is.
    assert not hidden or len(hidden) >= 2 or not visible


@given(counts_strategy, thresholds)
def test_what_the_total_gives_away_is_never_a_group_below_the_threshold(counts, threshold):
    visible = visible_groups(counts, threshold)
    hidden = sum(count for role, count in counts.items() if role not in visible)
    # The total minus the visible groups is the hidden responses together: none, or as many
    # as a group that may be shown — unless nothing is shown apart at all.
    assert hidden == 0 or hidden >= threshold or not visible


@given(counts_strategy, thresholds)
def test_suppression_hides_at_most_one_group_that_reaches_the_threshold(counts, threshold):
    large = {role for role, count in counts.items() if count >= threshold}
    visible = visible_groups(counts, threshold)
    assert visible <= large
    assert len(large - visible) <= 1


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
