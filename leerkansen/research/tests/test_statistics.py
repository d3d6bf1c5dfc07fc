"""The dashboard's statistics: means with t intervals, α, ω and the profile distribution.

Expected values are worked out by hand in the comments (or are textbook values), never taken
from the functions themselves.
"""

import doctest
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leerkansen.research import statistics
from leerkansen.research.statistics import (
    ProfileShare,
    cronbach_alpha,
    mcdonald_omega,
    mean_interval,
    omega_from_loadings,
    one_factor_loadings,
    profile_distribution,
    scale_reliability,
)
from leerkansen.scoring.scales import ScaleItem

# Five respondents, three items. Item variances (n − 1): 10/4 = 2.5, 2.8/4 = 0.7, 6.8/4 = 1.7;
# row sums 8, 13, 10, 14, 5 (mean 10, squares of deviations 4 + 9 + 0 + 16 + 25 = 54), so the
# sum's variance is 13.5 and α = 3/2 · (1 − 4.9/13.5) = 43/45.
SMALL = [[2, 3, 3], [4, 4, 5], [3, 3, 4], [5, 4, 5], [1, 2, 2]]


def test_the_examples_in_the_docstrings_hold():
    result = doctest.testmod(statistics)
    assert result.attempted >= 3
    assert result.failed == 0


def test_mean_interval_uses_the_t_distribution():
    # Mean 3, s = √2.5, t(0.975; 4) = 2.776445 (tables): half width 2.776445 · √2.5/√5.
    interval = mean_interval([1, 2, 3, 4, 5])
    assert interval.n == 5
    assert interval.mean == 3
    assert interval.sd == pytest.approx(math.sqrt(2.5))
    half = 2.776445 * math.sqrt(2.5) / math.sqrt(5)
    assert interval.lower == pytest.approx(3 - half, abs=1e-5)
    assert interval.upper == pytest.approx(3 + half, abs=1e-5)


def test_mean_interval_with_another_confidence_and_few_values():
    # t(0.95; 1) = 6.313752: values 10 and 20, mean 15, s = √50, half width 6.313752 · 5.
    interval = mean_interval([10, 20], confidence=0.90)
    assert (interval.lower, interval.upper) == pytest.approx((15 - 31.56876, 15 + 31.56876))
    assert mean_interval([]) is None
    one = mean_interval([42.5])
    assert (one.n, one.mean, one.sd, one.lower, one.upper) == (1, 42.5, None, None, None)
    with pytest.raises(ValueError):
        mean_interval([1, 2], confidence=1.5)
    with pytest.raises(ValueError):
        mean_interval([1, float("nan")])


def test_cronbach_alpha_of_a_small_example_computed_by_hand():
    assert cronbach_alpha(SMALL) == pytest.approx(43 / 45)


def test_cronbach_alpha_edge_cases():
    # Two items that vary in opposite directions: the sum is constant, α is undefined.
    assert cronbach_alpha([[1, 5], [2, 4], [3, 3]]) is None
    # Two uncorrelated items: var(sum) = var1 + var2, so α = 2 · (1 − 1) = 0.
    assert cronbach_alpha([[1, 1], [1, 3], [3, 1], [3, 3]]) == pytest.approx(0)
    # Identical items: α = 1.
    assert cronbach_alpha([[1, 1, 1], [2, 2, 2], [5, 5, 5]]) == pytest.approx(1)
    assert cronbach_alpha([[1, 2]]) is None
    assert cronbach_alpha([[1], [2], [3]]) is None
    with pytest.raises(ValueError):
        cronbach_alpha([[1, 2], [3, None]])


def test_one_factor_loadings_recover_an_exact_one_factor_matrix():
    loadings = np.array([0.8, 0.7, 0.6, 0.5])
    correlation = np.outer(loadings, loadings)
    np.fill_diagonal(correlation, 1)
    assert one_factor_loadings(correlation) == pytest.approx(loadings, abs=1e-6)
    # ω = (0.8 + 0.7 + 0.6 + 0.5)² / (2.6² + 0.36 + 0.51 + 0.64 + 0.75) = 6.76 / 9.02.
    assert omega_from_loadings(one_factor_loadings(correlation)) == pytest.approx(
        6.76 / 9.02, abs=1e-6
    )


def test_omega_equals_standardised_alpha_for_equal_correlations():
    # Four items all correlating 0.5: λ = √0.5 each, ω = 8 / (8 + 2) = 0.8, and standardised
    # α = 4 · 0.5 / (1 + 3 · 0.5) = 0.8 as well (tau-equivalent items).
    correlation = np.full((4, 4), 0.5)
    np.fill_diagonal(correlation, 1)
    assert omega_from_loadings(one_factor_loadings(correlation)) == pytest.approx(0.8)


def test_mcdonald_omega_of_three_items_computed_by_hand():
    # With three items one factor fits exactly: λ₁² = r₁₂·r₁₃/r₂₃ and so on. From SMALL's
    # sums of cross-products (10, 2.8, 6.8 on the diagonal; 5, 8, 4.2 off it):
    # r₁₂ = 5/√28, r₁₃ = 8/√68, r₂₃ = 4.2/√19.04, which gives λ² = 20/21, 15/16 and 84/85.
    squares = np.array([20 / 21, 15 / 16, 84 / 85])
    loadings = np.sqrt(squares)
    expected = loadings.sum() ** 2 / (loadings.sum() ** 2 + (1 - squares).sum())
    assert expected == pytest.approx(0.98608, abs=1e-5)
    assert mcdonald_omega(SMALL) == pytest.approx(expected, abs=1e-6)


def test_mcdonald_omega_edge_cases():
    assert mcdonald_omega([[1, 2], [2, 3]]) is None  # too few rows
    assert mcdonald_omega([[1, 2], [1, 3], [1, 4]]) is None  # an item that does not vary
    with pytest.raises(ValueError):
        one_factor_loadings(np.array([[1, 2], [0.5, 1]]))


def test_a_heywood_case_stops_at_a_loading_of_one():
    correlation = np.array([[1, 0.9, 0.9], [0.9, 1, 0.5], [0.9, 0.5, 1]])
    loadings = one_factor_loadings(correlation)
    assert loadings.max() == pytest.approx(1)
    assert (loadings <= 1).all()


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=1, max_value=5), min_size=4, max_size=4),
        min_size=3,
        max_size=40,
    )
)
def test_alpha_and_omega_stay_in_range_on_any_answers(rows):
    alpha = cronbach_alpha(rows)
    omega = mcdonald_omega(rows)
    assert alpha is None or alpha <= 1 + 1e-9
    assert omega is None or 0 <= omega <= 1 + 1e-9


ITEMS = [
    ScaleItem("B1_1", 1, False),
    ScaleItem("B1_2", 1, False),
    ScaleItem("B1_3", 1, True),
    ScaleItem("B2_1", 2, False),
    ScaleItem("B2_2", 2, True),
]


def test_scale_reliability_keys_reverse_items_and_drops_incomplete_responses():
    # SMALL's third item written reverse-keyed (6 − x): keying turns it back, so α is 43/45.
    responses = [{"B1_1": a, "B1_2": b, "B1_3": 6 - c} for a, b, c in SMALL]
    # "Weet niet" (None) or a missing item leaves a response out of that challenge.
    responses += [{"B1_1": 5, "B1_2": None, "B1_3": 1}, {"B1_1": 5, "B1_3": 1}]
    # Challenge 2: a reverse item that mirrors the other exactly: keyed, they are identical.
    for index, response in enumerate(responses[:4]):
        response.update({"B2_1": index + 1, "B2_2": 5 - index})
    first, second = scale_reliability(responses, ITEMS)
    assert (first.challenge, first.items, first.n) == (1, 3, 5)
    assert first.alpha == pytest.approx(43 / 45)
    assert first.omega == pytest.approx(0.98608, abs=1e-5)
    assert (second.challenge, second.items, second.n) == (2, 2, 4)
    assert second.alpha == pytest.approx(1)


def test_scale_reliability_without_responses():
    result = scale_reliability([], ITEMS)
    assert [(r.challenge, r.n, r.alpha, r.omega) for r in result] == [
        (1, 0, None, None),
        (2, 0, None, None),
    ]


def test_profile_distribution_counts_and_shares():
    names = {"druk": "Druk en verspreid", "op-weg": "Op weg", "alleen": "Alleen"}
    result = profile_distribution({"op-weg": 3, "druk": 1, "oud-b": 2, "oud-a": 2}, names)
    assert result == [
        ProfileShare("druk", "Druk en verspreid", 1, 0.125),
        ProfileShare("op-weg", "Op weg", 3, 0.375),
        ProfileShare("alleen", "Alleen", 0, 0.0),
        # Not in the model: largest first, then by id; the id stands in for the name.
        ProfileShare("oud-a", "oud-a", 2, 0.25),
        ProfileShare("oud-b", "oud-b", 2, 0.25),
    ]
    assert result[1].percent == 37.5
    assert [p.share for p in profile_distribution({}, names)] == [0, 0, 0]
    with pytest.raises(ValueError):
        profile_distribution({"druk": -1}, names)


def test_reliability_of_matrix_needs_one_column_per_item():
    with pytest.raises(ValueError):
        statistics.reliability_of_matrix(np.ones((3, 4)), ITEMS)
    # NaN is "not answered": the row with one leaves challenge 1, not challenge 2.
    matrix = np.array(
        [[1, 1, 5, 1, 5], [2, 2, 4, 2, 4], [3, 3, np.nan, 4, 2], [4, 4, 2, 5, 1]], dtype=float
    )
    first, second = statistics.reliability_of_matrix(matrix, ITEMS)
    assert (first.n, second.n) == (3, 4)
    assert first.alpha == pytest.approx(1)
    assert second.alpha == pytest.approx(1)
