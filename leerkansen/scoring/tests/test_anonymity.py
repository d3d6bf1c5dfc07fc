"""Counts per role and which roles a report may show (the anonymity rule)."""

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leerkansen.scoring import anonymity
from leerkansen.scoring.anonymity import role_breakdown, role_counts, visible_groups

ROLES = ("hr", "directie", "leidinggevende", "medewerker")

counts_strategy = st.dictionaries(
    st.sampled_from((*ROLES, "extern")), st.integers(min_value=0, max_value=30)
)
thresholds = st.integers(min_value=3, max_value=12)


def test_the_examples_in_the_docstrings_hold():
    result = doctest.testmod(anonymity)
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


def test_only_a_final_state_holds_anything_per_role():
    roles = ["medewerker"] * 5 + ["leidinggevende"] * 5
    assert role_breakdown(roles, threshold=5, final=False) == ({}, set())
    counts, shown = role_breakdown(roles, threshold=5, final=True)
    assert counts == {"leidinggevende": 5, "medewerker": 5}
    assert shown == {"leidinggevende", "medewerker"}


def test_the_breakdown_hides_roles_that_the_published_steps_would_give_away():
    # 5 employees | 4 employees + 1 manager | 5 managers: all managers − step 3 = one manager.
    roles = ["medewerker"] * 9 + ["leidinggevende"] * 6
    steps = [{"medewerker": 5}, {"medewerker": 4, "leidinggevende": 1}, {"leidinggevende": 5}]
    assert role_breakdown(roles, threshold=5, final=True)[1] == {"leidinggevende", "medewerker"}
    assert role_breakdown(roles, threshold=5, final=True, steps=steps)[1] == set()
