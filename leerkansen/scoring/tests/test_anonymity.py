"""Which groups a closed round's report shows apart and whom it counts (the anonymity rule).

The issue's cases (k = 5, roles hr/directie/leidinggevende/medewerker): 1/2/5/7, 4/6, 5/5/1,
and the demo's 2/3/5/9; then the rule against the published steps, and the attack: every
combination of what is ever published, tried by brute force.
"""

import doctest
import itertools

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from leerkansen.scoring import anonymity
from leerkansen.scoring.anonymity import GroupPlan, report_groups, role_counts

ROLES = ("hr", "directie", "leidinggevende", "medewerker")
K = 5

counts_strategy = st.dictionaries(
    st.sampled_from((*ROLES, "extern")), st.integers(min_value=0, max_value=30)
)
thresholds = st.integers(min_value=3, max_value=12)


def test_the_examples_in_the_docstrings_hold():
    result = doctest.testmod(anonymity)
    assert result.attempted >= 8
    assert result.failed == 0


def test_role_counts_counts_responses_per_role_in_a_fixed_order():
    roles = ["medewerker", "hr", "medewerker", "leidinggevende", "medewerker"]
    counts = role_counts(roles)
    assert counts == {"hr": 1, "leidinggevende": 1, "medewerker": 3}
    assert list(counts) == ["hr", "leidinggevende", "medewerker"]
    assert role_counts([]) == {}
    assert list(role_counts(["zzz", "medewerker", "aaa"])) == ["medewerker", "aaa", "zzz"]


def test_1_2_5_7_compares_managers_and_employees_and_counts_hr_and_directie_nowhere():
    plan = report_groups({"hr": 1, "directie": 2, "leidinggevende": 5, "medewerker": 7}, K)
    assert plan.shown == {"leidinggevende": ("leidinggevende",), "medewerker": ("medewerker",)}
    # HR and directie together are 3: "Iedereen" minus the two groups would be them.
    assert plan.left_out == ("hr", "directie")
    assert not plan.counted("hr") and not plan.counted("directie")
    assert plan.counted("leidinggevende") and plan.counted("medewerker")


def test_4_6_shows_nobody_apart_and_counts_everyone():
    # The 4 managers cannot be shown; the 6 employees apart would give them away ("Iedereen"
    # minus the employees), and leaving the managers out leaves nothing to compare with.
    assert report_groups({"leidinggevende": 4, "medewerker": 6}, K) == GroupPlan()


@pytest.mark.parametrize("small", ["hr", "directie"])
def test_5_5_1_compares_the_two_groups_without_the_one(small):
    plan = report_groups({small: 1, "leidinggevende": 5, "medewerker": 5}, K)
    assert set(plan.shown) == {"leidinggevende", "medewerker"}
    assert plan.left_out == (small,)


def test_small_roles_that_reach_the_threshold_together_are_one_named_group():
    plan = report_groups({"hr": 2, "directie": 3, "leidinggevende": 5, "medewerker": 9}, K)
    assert plan.shown == {
        "leidinggevende": ("leidinggevende",),
        "medewerker": ("medewerker",),
        "hr+directie": ("hr", "directie"),
    }
    assert plan.left_out == ()
    plan = report_groups({"hr": 1, "leidinggevende": 4, "medewerker": 6}, K)
    assert set(plan.shown) == {"hr+leidinggevende", "medewerker"}
    assert plan.group_of("hr") == plan.group_of("leidinggevende") == "hr+leidinggevende"


def test_a_small_remainder_next_to_one_group_shows_nobody_apart():
    assert report_groups({"medewerker": 9, "hr": 1}, K) == GroupPlan()
    assert report_groups({"medewerker": 6, "leidinggevende": 2, "hr": 1}, K) == GroupPlan()
    assert report_groups({}, K) == GroupPlan()


def test_a_single_group_may_be_shown_it_equals_everyone():
    assert set(report_groups({"medewerker": 10}, K).shown) == {"medewerker"}


@pytest.mark.parametrize("threshold", [0, 1, 2])
def test_a_threshold_below_the_floor_is_refused(threshold):
    with pytest.raises(ValueError, match="at least 3"):
        report_groups({"medewerker": 10}, threshold)


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError, match="negative"):
        report_groups({"medewerker": -1}, K)


@given(counts_strategy, thresholds)
def test_every_group_shown_reaches_the_threshold(counts, threshold):
    plan = report_groups(counts, threshold)
    for roles in plan.shown.values():
        assert sum(counts[role] for role in roles) >= threshold


@given(counts_strategy, thresholds)
def test_everyone_minus_the_groups_shown_is_none_or_at_least_the_threshold(counts, threshold):
    plan = report_groups(counts, threshold)
    shown = {role for roles in plan.shown.values() for role in roles}
    rest = sum(c for role, c in counts.items() if plan.counted(role) and role not in shown)
    assert rest == 0 or rest >= threshold or not plan.shown
    # Left out only when that keeps two groups comparable, and then nothing else is hidden.
    if plan.left_out:
        assert len(plan.shown) >= 2 and rest == 0
        assert 0 < sum(counts[role] for role in plan.left_out) < threshold


@given(counts_strategy, thresholds)
def test_managers_and_employees_are_compared_whenever_each_reaches_the_threshold(counts, threshold):
    plan = report_groups(counts, threshold)
    if counts.get("leidinggevende", 0) >= threshold and counts.get("medewerker", 0) >= threshold:
        assert {"leidinggevende", "medewerker"} <= set(plan.shown)


# -- Against the published steps ------------------------------------------------------------


def test_groups_that_the_steps_would_give_away_are_not_shown():
    # 5 employees | 4 employees + 1 manager | 5 managers: all managers − step 3 = one manager.
    steps = [{"medewerker": 5}, {"medewerker": 4, "leidinggevende": 1}, {"leidinggevende": 5}]
    counts = {"leidinggevende": 6, "medewerker": 9}
    assert set(report_groups(counts, K).shown) == {"leidinggevende", "medewerker"}
    assert report_groups(counts, K, steps) == GroupPlan()


def test_1_2_5_7_in_two_steps_still_compares_managers_and_employees():
    steps = [
        {"leidinggevende": 2, "medewerker": 3},
        {"hr": 1, "directie": 2, "leidinggevende": 3, "medewerker": 4},
    ]
    counts = {"hr": 1, "directie": 2, "leidinggevende": 5, "medewerker": 7}
    assert report_groups(counts, K, steps) == report_groups(counts, K)


def test_hr_and_directie_in_an_earlier_step_cost_the_comparison():
    # Step 1's overall result is public: all employees minus step 2 is step 1's 2 employees,
    # and step 1 minus those is HR and directie (3). The employees cannot be shown.
    steps = [
        {"hr": 1, "directie": 2, "medewerker": 2},
        {"medewerker": 5},
        {"leidinggevende": 5},
    ]
    counts = {"hr": 1, "directie": 2, "leidinggevende": 5, "medewerker": 7}
    plan = report_groups(counts, K, steps)
    assert "medewerker" not in plan.shown
    assert_nothing_below_k_can_be_isolated(steps, plan, K)


def published_sums(steps, plan, last_step_published=False):
    """Every sum that is ever published, as sets of cells (step, role).

    The overall result of each earlier step (cumulative; the last one too when an open state
    published it), and in the final state each group shown apart and "Iedereen" (the
    counted roles).
    """
    cells = [(index, role) for index, counts in enumerate(steps) for role in counts]
    open_states = len(steps) if last_step_published else len(steps) - 1
    sums = [{cell for cell in cells if cell[0] <= last} for last in range(open_states)]
    for roles in plan.shown.values():
        sums.append({cell for cell in cells if cell[1] in roles})
    sums.append({cell for cell in cells if plan.counted(cell[1])})
    return cells, sums


def assert_nothing_below_k_can_be_isolated(steps, plan, threshold, last_step_published=False):
    """The attack by brute force: add and subtract any of the published sums (the overall
    results of every step, every group, "Iedereen"); whatever is left must weigh no
    respondent at all, or at least `threshold` of them."""
    cells, sums = published_sums(steps, plan, last_step_published)
    for coefficients in itertools.product((-1, 0, 1), repeat=len(sums)):
        weights = {cell: 0 for cell in cells}
        for coefficient, members in zip(coefficients, sums, strict=True):
            for cell in members:
                weights[cell] += coefficient
        isolated = sum(steps[i][role] for (i, role), weight in weights.items() if weight)
        assert isolated == 0 or isolated >= threshold, (coefficients, steps, plan)


step_counts = st.dictionaries(st.sampled_from(ROLES), st.integers(min_value=0, max_value=8))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(step_counts, min_size=1, max_size=3),
    st.integers(min_value=3, max_value=6),
    st.booleans(),
)
def test_no_combination_of_anything_published_isolates_fewer_than_k(steps, threshold, last):
    # Each step is published with at least k responses (reports.services.refresh_report).
    assume(all(sum(counts.values()) >= threshold for counts in steps))
    counts = {}
    for step in steps:
        for role, count in step.items():
            counts[role] = counts.get(role, 0) + count
    plan = report_groups(counts, threshold, steps, last_step_published=last)
    assert_nothing_below_k_can_be_isolated(steps, plan, threshold, last)
    # A plan that leaves roles out shows every role it counts (the report relies on it).
    if plan.left_out:
        shown = {role for roles in plan.shown.values() for role in roles}
        assert all(role in shown or role in plan.left_out for role in counts if counts[role])


def test_a_round_whose_open_states_published_everyone_cannot_leave_anyone_out():
    # Web rounds publish at 5, 10 and 15 while open: "Iedereen" of all 15 is known, so
    # showing the managers and the employees would give HR and directie (3) away.
    steps = [
        {"leidinggevende": 2, "medewerker": 3},
        {"directie": 2, "medewerker": 3},
        {"hr": 1, "leidinggevende": 3, "medewerker": 1},
    ]
    counts = {"hr": 1, "directie": 2, "leidinggevende": 5, "medewerker": 7}
    assert set(report_groups(counts, K, steps).shown) == {"leidinggevende", "medewerker"}
    plan = report_groups(counts, K, steps, last_step_published=True)
    assert plan.left_out == () and len(plan.shown) < 2
    assert_nothing_below_k_can_be_isolated(steps, plan, K, last_step_published=True)


@pytest.mark.parametrize(
    "counts",
    [
        {"hr": 1, "directie": 2, "leidinggevende": 5, "medewerker": 7},
        {"leidinggevende": 4, "medewerker": 6},
        {"leidinggevende": 5, "medewerker": 5, "hr": 1},
        {"hr": 2, "directie": 3, "leidinggevende": 5, "medewerker": 9},
        {"hr": 1, "leidinggevende": 4, "medewerker": 6},
    ],
)
def test_the_issues_cases_published_at_once_isolate_nobody(counts):
    assert_nothing_below_k_can_be_isolated([counts], report_groups(counts, K), K)


def test_the_brute_force_attack_finds_a_leak_when_there_is_one():
    steps = [{"medewerker": 5}, {"medewerker": 4, "leidinggevende": 1}, {"leidinggevende": 5}]
    both = GroupPlan({"leidinggevende": ("leidinggevende",), "medewerker": ("medewerker",)})
    with pytest.raises(AssertionError):
        assert_nothing_below_k_can_be_isolated(steps, both, K)
    counts = {"hr": 1, "directie": 2, "leidinggevende": 5, "medewerker": 7}
    counted_all = GroupPlan(report_groups(counts, K).shown)
    with pytest.raises(AssertionError):
        assert_nothing_below_k_can_be_isolated([counts], counted_all, K)


# -- Which responses each publication takes in (rule 3) -------------------------------------


def publish_as_they_come(arrivals, threshold):
    """A web round: after every arrival the open state takes in what open_step_roles allows;
    then the close takes in what closing_step_roles chooses. The steps (counts per role), the
    final plan, whether the close's step was published while open, and the waiting left out."""
    steps, waiting = [], []
    for role in arrivals:
        waiting.append((role, False))
        roles = anonymity.open_step_roles(waiting, threshold)
        if roles:
            steps.append([row for row in waiting if row[0] in roles])
            waiting = [row for row in waiting if row[0] not in roles]
    roles = anonymity.closing_step_roles(steps, waiting, threshold)
    taken = [row for row in waiting if row[0] in roles]
    all_steps = [*steps, taken] if taken else steps
    step_counts = [role_counts([role for role, _entered in step]) for step in all_steps]
    counts = role_counts([role for step in all_steps for role, _entered in step])
    plan = report_groups(counts, threshold, step_counts, last_step_published=not taken)
    return step_counts, plan, not taken, len(waiting) - len(taken)


def test_an_open_state_takes_in_a_role_only_with_k_new_of_its_own():
    new = [("medewerker", False)] * 4 + [("leidinggevende", False)] * 4
    assert anonymity.open_step_roles(new, K) == frozenset()
    assert anonymity.open_step_roles([*new, ("medewerker", False)], K) == {"medewerker"}
    # Entered answers do not make up a role's k of answers through links.
    mixed = [("medewerker", False)] + [("medewerker", True)] * 4
    assert anonymity.open_step_roles(mixed, K) == frozenset()
    assert anonymity.open_step_roles([("hr", True)] * 5, K) == {"hr"}


def test_the_close_takes_in_small_roles_it_leaves_out_and_not_a_late_few_it_would_show():
    steps = [[("medewerker", False)] * 5, [("leidinggevende", False)] * 5]
    waiting = [("hr", False), ("directie", False), ("directie", False), ("medewerker", False)]
    assert anonymity.closing_step_roles(steps, waiting, K) == {"hr", "directie"}
    # HR and directie reach k together: they come in as a merged group.
    waiting = [("hr", False)] * 2 + [("directie", False)] * 3
    assert anonymity.closing_step_roles(steps, waiting, K) == {"hr", "directie"}
    # One group only: a late few would be "Iedereen" minus the open state.
    assert anonymity.closing_step_roles(steps[:1], [("leidinggevende", False)] * 4, K) == set()


@settings(max_examples=40, deadline=None)
@given(st.permutations(["hr"] + ["directie"] * 2 + ["leidinggevende"] * 5 + ["medewerker"] * 7))
def test_1_2_5_7_in_any_order_of_answering_compares_managers_and_employees(arrivals):
    steps, plan, last, _left_out = publish_as_they_come(arrivals, K)
    assert {"leidinggevende", "medewerker"} <= set(plan.shown)
    assert set(plan.left_out) == {"hr", "directie"}
    assert_nothing_below_k_can_be_isolated(steps, plan, K, last)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(ROLES), max_size=22), st.integers(min_value=3, max_value=5))
def test_publishing_as_answers_come_isolates_nobody_and_keeps_the_comparison(arrivals, k):
    steps, plan, last, _left_out = publish_as_they_come(arrivals, k)
    assert_nothing_below_k_can_be_isolated(steps, plan, k, last)
    # Managers and employees each taken in by an open state: they are compared at the close.
    open_steps = steps if last else steps[:-1]
    if {"leidinggevende", "medewerker"} <= {role for counts in open_steps for role in counts}:
        assert {"leidinggevende", "medewerker"} <= set(plan.shown)
