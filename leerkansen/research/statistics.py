"""Statistics for the researchers' dashboard: pure functions over plain numbers, no Django.

- `mean_interval`: a mean with its confidence interval from the t distribution.
- `cronbach_alpha` and `mcdonald_omega`: the reliability of a scale, from the keyed answers of
  respondents who answered every item of it (listwise deletion: "weet niet" leaves a row out).
- `scale_reliability` / `reliability_of_matrix`: both, per challenge, from answers keyed with
  the reverse items.
- `profile_distribution`: how many rounds fell in each profile, and their share.

McDonald's ω (total) comes from a one-factor model fitted by iterated principal axis
factoring on the items' correlation matrix (so ω is that of the standardised items):

1. start from each item's squared multiple correlation with the others as its communality
   h²ᵢ = 1 − 1/(R⁻¹)ᵢᵢ (or its largest absolute correlation when R cannot be inverted);
2. put the communalities on the diagonal of R and take the largest eigenvalue μ with its
   eigenvector v: the loadings are λ = v·√μ;
3. set h²ᵢ = λᵢ² (at most 1) and repeat from 2 until no communality moves more than 1e-9.

Then ω = (Σλᵢ)² / ((Σλᵢ)² + Σψᵢ) with uniquenesses ψᵢ = 1 − λᵢ², the model-implied share
of the sum score's variance that the common factor explains (McDonald 1999, ch. 6). When the
correlations follow one factor exactly, the iteration recovers the loadings exactly; with
three items that is always the case (λ₁² = r₁₂·r₁₃ / r₂₃, and so on), which the tests use as
the reference computed by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from leerkansen.scoring.scales import ScaleItem, reverse_keyed

# Principal axis factoring stops when no communality changes more than this between rounds.
FACTOR_TOLERANCE = 1e-9
FACTOR_MAX_ITERATIONS = 5000


@dataclass(frozen=True)
class MeanInterval:
    """A sample mean and its two-sided confidence interval (None below two values)."""

    n: int
    mean: float
    sd: float | None
    lower: float | None
    upper: float | None
    confidence: float


def mean_interval(values: Sequence[float], confidence: float = 0.95) -> MeanInterval | None:
    """The mean of `values` with its t-distribution confidence interval; None without values.

    The interval is mean ± t(1 − (1 − confidence)/2, n − 1) · s/√n with the sample standard
    deviation s (n − 1 in the denominator). One value has a mean but no interval.

    >>> interval = mean_interval([1, 2, 3, 4, 5])
    >>> (interval.mean, round(interval.lower, 4), round(interval.upper, 4))
    (3.0, 1.0368, 4.9632)
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    numbers = [float(value) for value in values]
    if any(not math.isfinite(value) for value in numbers):
        raise ValueError("values must be finite numbers")
    n = len(numbers)
    if n == 0:
        return None
    mean = math.fsum(numbers) / n
    if n == 1:
        return MeanInterval(n=1, mean=mean, sd=None, lower=None, upper=None, confidence=confidence)
    sd = math.sqrt(math.fsum((value - mean) ** 2 for value in numbers) / (n - 1))
    half_width = float(stats.t.ppf(1 - (1 - confidence) / 2, n - 1)) * sd / math.sqrt(n)
    return MeanInterval(
        n=n,
        mean=mean,
        sd=sd,
        lower=mean - half_width,
        upper=mean + half_width,
        confidence=confidence,
    )


def _matrix(rows: Sequence[Sequence[float]]) -> np.ndarray:
    """Rows × items as floats; every row complete and as long as the others."""
    data = np.asarray(rows, dtype=float)
    if data.size == 0:
        return data.reshape(0, 0)
    if data.ndim != 2:
        raise ValueError("rows must all have the same number of items")
    if not np.isfinite(data).all():
        raise ValueError("rows must be complete: leave out rows with a missing answer first")
    return data


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> float | None:
    """Cronbach's α = k/(k − 1) · (1 − Σ s²ᵢ / s²ₓ) of complete rows of k item answers.

    s²ᵢ are the items' sample variances and s²ₓ that of the row sums. None with fewer than two
    items or two rows, or when the sum score does not vary at all.
    """
    data = _matrix(rows)
    if data.ndim != 2 or data.shape[0] < 2 or data.shape[1] < 2:
        return None
    k = data.shape[1]
    item_variances = data.var(axis=0, ddof=1)
    total_variance = data.sum(axis=1).var(ddof=1)
    if total_variance <= 0:
        return None
    return float(k / (k - 1) * (1 - item_variances.sum() / total_variance))


def _initial_communalities(correlation: np.ndarray) -> np.ndarray:
    k = correlation.shape[0]
    off_diagonal = np.abs(correlation - np.eye(k))
    fallback = off_diagonal.max(axis=1)
    try:
        inverse = np.linalg.inv(correlation)
    except np.linalg.LinAlgError:
        return fallback
    with np.errstate(divide="ignore", invalid="ignore"):
        smc = 1 - 1 / np.diag(inverse)
    # A (nearly) singular matrix gives squared multiple correlations outside [0, 1].
    if not np.isfinite(smc).all() or (smc < 0).any() or (smc > 1).any():
        return fallback
    return smc


def one_factor_loadings(correlation: np.ndarray) -> np.ndarray:
    """The loadings of a one-factor model of a correlation matrix, by iterated principal axes.

    See the module's docstring for the method. The loadings' sum is made positive (a factor's
    sign is arbitrary); communalities are capped at 1 (a Heywood case stops there).
    """
    matrix = np.asarray(correlation, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] < 2:
        raise ValueError("a correlation matrix of at least two items is needed")
    if not np.allclose(matrix, matrix.T) or not np.allclose(np.diag(matrix), 1):
        raise ValueError("not a correlation matrix: it must be symmetric with ones on its diagonal")
    communalities = _initial_communalities(matrix)
    loadings = np.zeros(matrix.shape[0])
    for _ in range(FACTOR_MAX_ITERATIONS):
        reduced = matrix.copy()
        np.fill_diagonal(reduced, communalities)
        eigenvalues, eigenvectors = np.linalg.eigh(reduced)
        largest = max(float(eigenvalues[-1]), 0.0)
        loadings = eigenvectors[:, -1] * math.sqrt(largest)
        updated = np.minimum(loadings**2, 1.0)
        if np.abs(updated - communalities).max() < FACTOR_TOLERANCE:
            break
        communalities = updated
    if loadings.sum() < 0:
        loadings = -loadings
    return np.clip(loadings, -1.0, 1.0)


def omega_from_loadings(loadings: Sequence[float]) -> float | None:
    """ω = (Σλ)² / ((Σλ)² + Σ(1 − λ²)) for standardised items; None when nothing loads."""
    values = np.asarray(loadings, dtype=float)
    common = float(values.sum()) ** 2
    unique = float((1 - values**2).sum())
    if common + unique <= 0 or common == 0:
        return None
    return common / (common + unique)


def mcdonald_omega(rows: Sequence[Sequence[float]]) -> float | None:
    """McDonald's ω (total) of complete rows of item answers, from a one-factor model.

    None with fewer than two items or three rows, or when an item does not vary (its
    correlations are undefined).
    """
    data = _matrix(rows)
    if data.ndim != 2 or data.shape[0] < 3 or data.shape[1] < 2:
        return None
    if (data.std(axis=0) == 0).any():
        return None
    correlation = np.corrcoef(data, rowvar=False)
    return omega_from_loadings(one_factor_loadings(correlation))


@dataclass(frozen=True)
class ScaleReliability:
    """α and ω of one challenge's items, over the `n` responses that answered all of them."""

    challenge: int
    items: int
    n: int
    alpha: float | None
    omega: float | None


def reliability_of_matrix(
    answers: np.ndarray, items: Sequence[ScaleItem]
) -> list[ScaleReliability]:
    """α and ω per challenge, in challenge order, from a responses × items matrix.

    Column j holds the answers (1..5) to `items[j]`; NaN is no answer or "weet niet".
    Reverse-keyed items are flipped first, so that every item points the same way. A response
    counts for a challenge only when it answered every item of it.
    """
    matrix = np.asarray(answers, dtype=float)
    if matrix.size == 0:
        matrix = matrix.reshape(0, len(items))
    if matrix.ndim != 2 or matrix.shape[1] != len(items):
        raise ValueError(f"need one column per item ({len(items)}), got shape {matrix.shape}")
    columns: dict[int, list[int]] = {}
    for index, item in enumerate(items):
        columns.setdefault(item.challenge, []).append(index)
    results = []
    for challenge in sorted(columns):
        scale = matrix[:, columns[challenge]]
        scale = scale[~np.isnan(scale).any(axis=1)].copy()
        reverse = [items[index].reverse for index in columns[challenge]]
        scale[:, reverse] = reverse_keyed(scale[:, reverse])
        results.append(
            ScaleReliability(
                challenge=challenge,
                items=len(columns[challenge]),
                n=scale.shape[0],
                alpha=cronbach_alpha(scale) if scale.size else None,
                omega=mcdonald_omega(scale) if scale.size else None,
            )
        )
    return results


def scale_reliability(
    responses: Sequence[Mapping[str, float | None]], items: Sequence[ScaleItem]
) -> list[ScaleReliability]:
    """α and ω per challenge from respondents' answers by item id (see reliability_of_matrix).

    None, "weet niet", or a missing id leave a response out of that item's challenge.
    """
    matrix = np.array(
        [[response.get(item.id) for item in items] for response in responses], dtype=float
    )
    return reliability_of_matrix(matrix, items)


@dataclass(frozen=True)
class ProfileShare:
    """One profile's count among the rounds and its share of them (0 to 1)."""

    id: str
    name: str
    count: int
    share: float

    @property
    def percent(self) -> float:
        return self.share * 100


def profile_distribution(counts: Mapping[str, int], names: Mapping[str, str]) -> list[ProfileShare]:
    """Every profile with its count and share of the total.

    Profiles come in the order of `names` (the model's profiles, also those with no round),
    then profiles found only in `counts` (e.g. of an older model version), largest first and
    by id; their name is their id when `names` does not know it.

    >>> shares = profile_distribution({"b": 3, "x": 1}, {"a": "A", "b": "B"})
    >>> [(share.id, share.count, share.share) for share in shares]
    [('a', 0, 0.0), ('b', 3, 0.75), ('x', 1, 0.25)]
    """
    if any(count < 0 for count in counts.values()):
        raise ValueError("counts cannot be negative")
    total = sum(counts.values())
    others = sorted((key for key in counts if key not in names), key=lambda k: (-counts[k], k))
    return [
        ProfileShare(
            id=key,
            name=names.get(key, key),
            count=counts.get(key, 0),
            share=counts.get(key, 0) / total if total else 0.0,
        )
        for key in [*names, *others]
    ]
