"""Profile assignment: posterior of the mixture, runner-up, nearest prototype, missing scores."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leerkansen.scoring.model import get_shipped_model
from leerkansen.scoring.profiles import assign_profile, standardise

MODEL = get_shipped_model()
PROFILE_IDS = [profile.id for profile in MODEL.profiles]


def prototype_scores(profile, model=MODEL):
    """The 0-100 scores that sit exactly on a profile's prototype."""
    reference = model.standardisation
    return {c: reference.mean[c] + z * reference.sd[c] for c, z in profile.means.items()}


def midpoint(first, second):
    a, b = prototype_scores(first), prototype_scores(second)
    return {c: (a[c] + b[c]) / 2 for c in a}


@pytest.mark.parametrize("profile", MODEL.profiles, ids=PROFILE_IDS)
def test_a_prototype_is_dominant_and_nearest_for_its_own_profile(profile):
    assignment = assign_profile(prototype_scores(profile), MODEL)
    assert assignment.dominant == profile.id
    assert assignment.nearest_prototype == profile.id
    assert assignment.distances[profile.id] == pytest.approx(0)
    assert assignment.dominant_probability >= MODEL.dominance_threshold
    assert assignment.runner_up is None


@pytest.mark.parametrize("profile", MODEL.profiles, ids=PROFILE_IDS)
def test_clear_cases_keep_their_profile_with_a_missing_score(profile):
    scores = prototype_scores(profile)
    scores[next(iter(scores))] = None
    assignment = assign_profile(scores, MODEL)
    assert assignment.dominant == assignment.nearest_prototype == profile.id


def test_probabilities_follow_model_order_and_sum_to_one():
    assignment = assign_profile({1: 80, 4: 75, 8: 30}, MODEL)
    assert list(assignment.probabilities) == PROFILE_IDS
    assert list(assignment.distances) == PROFILE_IDS
    assert math.fsum(assignment.probabilities.values()) == pytest.approx(1)
    assert assignment.dominant_probability == assignment.probabilities[assignment.dominant]
    assert assignment.dominant == max(assignment.probabilities, key=assignment.probabilities.get)


def test_between_two_prototypes_the_runner_up_is_named():
    first, second = (
        MODEL.profile("alleen-aan-de-slag"),
        MODEL.profile("leidinggevenden-als-sleutel"),
    )
    assignment = assign_profile(midpoint(first, second), MODEL)
    assert assignment.dominant_probability < MODEL.dominance_threshold
    assert {assignment.dominant, assignment.runner_up} == {first.id, second.id}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("druk-en-verspreid", "alleen-aan-de-slag"),
        ("druk-en-verspreid", "leidinggevenden-als-sleutel"),
        ("alleen-aan-de-slag", "leidinggevenden-als-sleutel"),
    ],
)
def test_exact_ties_go_to_the_profile_listed_first(first, second):
    # The midpoint of two prototypes with equal spreads is equally likely under both; float
    # sums in another order differ in the last bit, which must not decide.
    first, second = MODEL.profile(first), MODEL.profile(second)
    assignment = assign_profile(midpoint(first, second), MODEL)
    assert assignment.probabilities[first.id] == pytest.approx(assignment.probabilities[second.id])
    assert assignment.dominant == assignment.nearest_prototype == first.id
    assert assignment.runner_up == second.id


def test_missing_scores_are_left_out():
    full = assign_profile(prototype_scores(MODEL.profile("leren-zonder-richting")), MODEL)
    partial = assign_profile({2: 80, 3: 80, 7: 80, 5: None}, MODEL)
    assert partial.dominant == full.dominant == "leren-zonder-richting"
    assert assign_profile({1: 58, 2: None}, MODEL) == assign_profile({1: 58}, MODEL)


def test_one_score_is_enough_and_uses_only_that_challenge():
    assignment = assign_profile({8: 95}, MODEL)
    assert assignment.dominant == assignment.nearest_prototype == "alleen-aan-de-slag"
    assert assignment.distances["op-weg"] == pytest.approx(abs((95 - 42) / 22 + 0.7))


@pytest.mark.parametrize("scores", [{}, {1: None, 2: None}])
def test_no_scores_at_all_is_an_error(scores):
    with pytest.raises(ValueError, match="no challenge has a score"):
        assign_profile(scores, MODEL)


@pytest.mark.parametrize("scores", [{10: 50}, {1: 101}, {1: -1}, {1: math.nan}])
def test_unknown_challenges_and_scores_outside_0_100_are_errors(scores):
    with pytest.raises(ValueError):
        assign_profile(scores, MODEL)


def test_standardise_uses_the_reference_mean_and_sd():
    assert standardise({1: 78, 2: None}, MODEL) == {1: pytest.approx(1.0)}


scores_strategy = st.dictionaries(
    st.integers(1, 9),
    st.one_of(st.none(), st.floats(0, 100, allow_nan=False)),
    min_size=1,
).filter(lambda scores: any(value is not None for value in scores.values()))


@given(scores_strategy)
def test_probabilities_are_finite_and_sum_to_one_for_any_scores(scores):
    assignment = assign_profile(scores, MODEL)
    values = list(assignment.probabilities.values())
    assert all(math.isfinite(value) and 0 <= value <= 1 for value in values)
    assert math.fsum(values) == pytest.approx(1)
    assert all(math.isfinite(value) for value in assignment.distances.values())
    assert (assignment.runner_up is None) == (
        assignment.dominant_probability >= MODEL.dominance_threshold
    )
    assert assignment.runner_up != assignment.dominant


@given(scores_strategy)
def test_assignment_is_deterministic(scores):
    assert assign_profile(scores, MODEL) == assign_profile(dict(scores), MODEL)
