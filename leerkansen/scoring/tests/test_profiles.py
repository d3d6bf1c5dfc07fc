"""Profile assignment: posterior of the mixture, runner-up, nearest prototype, missing scores."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leerkansen.scoring.model import ModelFileError, get_shipped_model, validate_model
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


# -- A model estimated with covariances between challenges (tied or full) --------------------


def with_covariances(correlation: float):
    """The shipped model with every profile's challenges correlated `correlation` (z-scale)."""
    model = get_shipped_model()
    raw = model.model_dump(mode="json")
    for profile in raw["profiles"]:
        sd = {c: math.sqrt(v) for c, v in profile["variances"].items()}
        profile["covariances"] = {
            r: {c: (1 if r == c else correlation) * sd[r] * sd[c] for c in sd} for r in sd
        }
    return validate_model(raw, "test")


def test_covariances_enter_the_posterior_exactly_with_missing_scores_marginalised():
    from scipy.stats import multivariate_normal

    model = with_covariances(0.4)
    scores = {1: 70, 2: 35, 3: None, 4: 80, 5: 40, 6: 55, 7: 30, 8: 60, 9: 45}
    z = standardise(scores, model)
    observed = list(z)
    joint = []
    for profile in model.profiles:
        sigma = [[profile.covariances[r][c] for c in observed] for r in observed]
        mean = [profile.means[c] for c in observed]
        joint.append(
            profile.weight * multivariate_normal(mean, sigma).pdf([z[c] for c in observed])
        )
    expected = {p.id: j / sum(joint) for p, j in zip(model.profiles, joint, strict=True)}
    found = assign_profile(scores, model).probabilities
    assert found == pytest.approx(expected, rel=1e-9)
    # Not the diagonal assignment: the covariances change the posterior.
    assert found != pytest.approx(assign_profile(scores, get_shipped_model()).probabilities)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda m: m.__setitem__("1", {**m["1"], "2": m["1"]["2"] + 0.1}), "is not symmetric"),
        (lambda m: m["1"].__setitem__("1", m["1"]["1"] * 2), "its diagonal differs"),
        (lambda m: m.pop("9"), "needs a row and a column for every challenge"),
    ],
)
def test_a_covariance_matrix_that_is_none_is_refused_with_the_field(change, problem):
    raw = with_covariances(0.4).model_dump(mode="json")
    change(raw["profiles"][0]["covariances"])
    with pytest.raises(ModelFileError, match=rf"profiles\[0\]\.covariances: {problem}"):
        validate_model(raw, "test")


def test_a_covariance_matrix_that_is_not_positive_definite_is_refused():
    raw = get_shipped_model().model_dump(mode="json")
    profile = raw["profiles"][0]
    # Correlation -0.2 between all nine challenges: the matrix has a negative eigenvalue.
    sd = {c: math.sqrt(v) for c, v in profile["variances"].items()}
    profile["covariances"] = {
        r: {c: (1 if r == c else -0.2) * sd[r] * sd[c] for c in sd} for r in sd
    }
    with pytest.raises(ModelFileError, match="is not positive definite"):
        validate_model(raw, "test")
