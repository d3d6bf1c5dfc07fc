"""The empirical-Bayes estimate of the evidence table from ratings (numpy; no database).

Continues research/evidence.py's procedure (docs/scoring.md "Re-estimation"):

4. Per cell c = (action a, profile k), shown and stored with the estimate:
       n_c = sum p          (the weighted n: a round that belongs to k with p counts as p)
       m_c = sum p y / n_c  (the weighted mean of the ratings)
5. Empirical Bayes, a normal-normal model. Per action a, a rating r of a round with
   probabilities p_r is
       y_r = sum_k p_rk theta_ak + e_r,   e_r ~ N(0, sigma^2),   theta_ak ~ N(mu, tau^2)
   (a mixed round's rating speaks about each of its profiles as much as it belongs to it).
   With P_a the rounds' probabilities (one row per rating), A_a = P_a' P_a and
   b_a = P_a' (y - mu), the posterior of the action's row is
       Lambda_a = A_a / sigma^2 + I / tau^2
       E_a      = mu + Lambda_a^-1 b_a / sigma^2,   SE_ak = sqrt((Lambda_a^-1)_kk)
   For rounds that belong to one profile (p = 1) this is the textbook shrinkage per cell,
       E_c = mu + B_c (m_c - mu),   B_c = n_c / (n_c + sigma^2 / tau^2),
       SE_c = sqrt(1 / (1 / tau^2 + n_c / sigma^2)),   (`shrink`)
   and in general `Cell.shrinkage` = 1 - SE^2 / tau^2, the share of the prior's variance the
   ratings took away (0: no rating, the prior; toward 1: many ratings, the data).
   - mu, the prior, is the middle of the scale, (low + high) / 2 = 0.575 (v = 13): an action
     nobody rated sits there, with SE = tau, so it never outranks a measured action on its prior
     alone; it is outranked by every action whose ratings lie above the middle. (Before, an
     unrated cell kept the invented 0.85 of the shipped table, so the next model ranked the
     unmeasured above the measured: a feedback loop.)
   - sigma^2 (the spread of single ratings) and tau^2 (the spread of the true cells around mu)
     are estimated from the data by maximising the marginal likelihood (type II maximum
     likelihood): y_a ~ N(mu, sigma^2 I + tau^2 P_a P_a'), over all actions. For a given
     ratio kappa = sigma^2 / tau^2 the best sigma^2 is closed-form,
       sigma^2 = sum_a [(y_a - mu)'(y_a - mu) - b_a' (A_a + kappa I)^-1 b_a] / N,
     and log kappa is found by a grid (steps of 0.5) refined by golden-section search; tau^2
     is kept at least TAU2_FLOOR (sd 0.01, only to keep the formulas finite).
   There is no cut-off: every cell moves smoothly from the prior toward its ratings as its n
   grows, and its SE falls.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from leerkansen.scoring.model import ProfileModel, get_shipped_model

RATING_MIN, RATING_MAX = 1, 25
# tau^2 is kept at least this (an sd of 0.01 on the evidence scale), so that B and SE stay finite.
TAU2_FLOOR = 0.01**2
# sigma^2 is kept at least this: ratings that all agree within their cells.
SIGMA2_FLOOR = 1e-6
# A round's probability of a profile below this is left out of that profile's cells: it would
# move nothing, and n is stored with 4 decimals (so a stored n above 0 means "rated").
MIN_PROBABILITY = 1e-4
# Where a rating came from (ActionRating: recommended, asked_at_random).


ORIGINS = ("recommended", "random", "chosen")


class NoEvidence(Exception):
    def __init__(self, ratings: int) -> None:
        self.ratings = ratings
        super().__init__(
            "No action has been rated twice in one profile yet, so the spread of ratings "
            f"cannot be estimated ({ratings} ratings in all). Nothing was written; the current "
            "evidence stays."
        )


@dataclass(frozen=True)
class Rating:
    """One rating, with the posterior probabilities of its round under the base model."""

    probabilities: Mapping[str, float]
    action_id: str
    relevance: int
    feasibility: int
    # "recommended" (in the top 3), "random" (one of the two asked at random) or "chosen".
    origin: str = "chosen"


@dataclass(frozen=True)
class Cell:
    """One estimated cell: its data and the empirical-Bayes estimate."""

    # The weighted n (sum of p) and the weighted mean of the ratings (None: not rated).
    n: float
    mean: float | None
    estimate: float
    se: float
    # 1 - SE^2 / tau^2: 0 at the prior, toward 1 with many ratings (for rounds of one profile,
    # the weight B of the mean).
    shrinkage: float


@dataclass(frozen=True)
class EvidenceEstimate:
    # E per profile and action: every cell, rounded to 3 decimals.
    evidence: dict[str, dict[str, float]]
    # Per profile and action: {"n": weighted n, "se": standard error}, rounded to 4 decimals.
    uncertainty: dict[str, dict[str, dict[str, float]]]
    cells: dict[tuple[str, str], Cell]
    # The cells with at least one rating: (profile id, action id).
    estimated: tuple[tuple[str, str], ...]
    ratings: int
    low: float
    high: float
    prior: float
    sigma: float
    tau: float
    origins: dict[str, int] = field(default_factory=dict)


def evidence_range(model: ProfileModel) -> tuple[float, float]:
    """The lowest and highest evidence of the model (0-1 when its table is flat)."""
    values = [value for row in model.evidence.values() for value in row.values()]
    low, high = min(values), max(values)
    return (low, high) if high > low else (0.0, 1.0)


def evidence_scale() -> tuple[float, float]:
    """The scale ratings are put on: the shipped model's evidence range (0.30-0.85)."""
    return evidence_range(get_shipped_model())


def rating_evidence(relevance: int, feasibility: int, low: float, high: float) -> float:
    """relevance x feasibility (1-25) put linearly on the evidence range low-high."""
    value = relevance * feasibility
    return low + (high - low) * (value - RATING_MIN) / (RATING_MAX - RATING_MIN)


def prior_mean(low: float, high: float) -> float:
    """The prior of every cell: the middle of the scale."""
    return (low + high) / 2


def shrink(
    mean: float | None, n: float, prior: float, sigma2: float, tau2: float
) -> tuple[float, float, float]:
    """(estimate, standard error, B) of a cell with weighted n and mean (normal-normal)."""
    if mean is None or n <= 0:
        return prior, math.sqrt(tau2), 0.0
    precision = 1 / tau2 + n / sigma2
    weight = (n / sigma2) / precision
    return prior + weight * (mean - prior), math.sqrt(1 / precision), weight


@dataclass(frozen=True)
class _Stats:
    """Per action (one row each): the sufficient statistics of its ratings."""

    actions: list[str]
    # A = P'P (actions x K x K), b = P'(y - mu) (actions x K), S = (y - mu)'(y - mu).
    products: np.ndarray
    crossed: np.ndarray
    squares: np.ndarray
    # Per cell: n = sum p, sum p^2 and sum p y (actions x K).
    weights: np.ndarray
    weight_squares: np.ndarray
    totals: np.ndarray
    ratings: int


def _scaled(probabilities: Mapping[str, float], ids: list[str]) -> list[float] | None:
    """The round's probabilities of the model's profiles, those below MIN_PROBABILITY left
    out, scaled to add up to 1 (None when nothing is left)."""
    values = [probabilities.get(profile_id, 0.0) for profile_id in ids]
    values = [p if p >= MIN_PROBABILITY else 0.0 for p in values]
    total = math.fsum(values)
    return [p / total for p in values] if total > 0 else None


def _statistics(
    ratings: Iterable[Rating], ids: list[str], actions: Iterable[str], low: float, high: float
) -> tuple[_Stats, int, dict[str, int]]:
    prior = prior_mean(low, high)
    known = set(actions)
    rows: dict[str, tuple[list[list[float]], list[float]]] = {}
    count = 0
    origins = dict.fromkeys(ORIGINS, 0)
    # The ratings of one round share its probabilities: scaled once per round. The cache keeps
    # the mapping itself too, so that its id is not reused while the cache lives.
    scaled: dict[int, tuple[Mapping[str, float], list[float] | None]] = {}
    for rating in ratings:
        count += 1
        origins[rating.origin] = origins.get(rating.origin, 0) + 1
        found = scaled.get(id(rating.probabilities))
        if found is None:
            found = (rating.probabilities, _scaled(rating.probabilities, ids))
            scaled[id(rating.probabilities)] = found
        probabilities = found[1]
        if probabilities is None or rating.action_id not in known:
            continue
        matrix, values = rows.setdefault(rating.action_id, ([], []))
        matrix.append(probabilities)
        values.append(rating_evidence(rating.relevance, rating.feasibility, low, high))
    k = len(ids)
    order = sorted(rows)
    products = np.zeros((len(order), k, k))
    crossed, weights = np.zeros((len(order), k)), np.zeros((len(order), k))
    weight_squares, totals = np.zeros((len(order), k)), np.zeros((len(order), k))
    squares = np.zeros(len(order))
    for index, action_id in enumerate(order):
        matrix = np.asarray(rows[action_id][0])
        values = np.asarray(rows[action_id][1])
        centred = values - prior
        products[index] = matrix.T @ matrix
        crossed[index] = matrix.T @ centred
        squares[index] = centred @ centred
        weights[index] = matrix.sum(axis=0)
        weight_squares[index] = (matrix**2).sum(axis=0)
        totals[index] = matrix.T @ values
    used = sum(len(rows[action_id][1]) for action_id in order)
    stats = _Stats(order, products, crossed, squares, weights, weight_squares, totals, used)
    return stats, count, origins


def _profile_likelihood(stats: _Stats, kappa: float) -> tuple[float, float]:
    """The marginal log-likelihood (up to a constant) at sigma^2 / tau^2 = kappa, with the best
    sigma^2 for that kappa, and that sigma^2."""
    identity = np.eye(stats.products.shape[1])
    shifted = stats.products + kappa * identity
    solved = np.linalg.solve(shifted, stats.crossed[..., None])[..., 0]
    quadratic = float(np.sum(stats.squares - np.sum(stats.crossed * solved, axis=1)))
    sigma2 = max(quadratic / stats.ratings, SIGMA2_FLOOR)
    _signs, logdets = np.linalg.slogdet(identity + stats.products / kappa)
    n = stats.ratings
    return -0.5 * (n * math.log(sigma2) + float(np.sum(logdets)) + quadratic / sigma2), sigma2


def hyperparameters(stats: _Stats) -> tuple[float, float]:
    """(sigma^2, tau^2) by type II maximum likelihood over log(sigma^2 / tau^2)."""

    def value(log_kappa: float) -> float:
        return _profile_likelihood(stats, math.exp(log_kappa))[0]

    grid = [x / 2 for x in range(-18, 29)]
    best = max(range(len(grid)), key=lambda i: value(grid[i]))
    left, right = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(40):
        inner_left = right - ratio * (right - left)
        inner_right = left + ratio * (right - left)
        if value(inner_left) >= value(inner_right):
            right = inner_right
        else:
            left = inner_left
    kappa = math.exp((left + right) / 2)
    sigma2 = _profile_likelihood(stats, kappa)[1]
    return sigma2, max(sigma2 / kappa, TAU2_FLOOR)


def estimate_table(
    base: ProfileModel, ratings: Iterable[Rating], scale: tuple[float, float] | None = None
) -> EvidenceEstimate:
    """Every cell of the base model's table, moved from the middle of the scale toward its
    ratings (the module's docstring). Raises NoEvidence when no action is rated twice in one
    profile."""
    low, high = scale or evidence_scale()
    prior = prior_mean(low, high)
    ids = [profile.id for profile in base.profiles]
    actions = list(base.evidence[ids[0]])
    stats, count, origins = _statistics(ratings, ids, actions, low, high)
    rated = stats.weights > 0
    freedom = np.sum(stats.weights[rated] - stats.weight_squares[rated] / stats.weights[rated])
    if not stats.actions or freedom < 1e-9:
        raise NoEvidence(count)
    sigma2, tau2 = hyperparameters(stats)
    identity = np.eye(len(ids))
    covariance = np.linalg.inv(stats.products / sigma2 + identity / tau2)
    estimates = prior + (covariance @ stats.crossed[..., None])[..., 0] / sigma2
    errors = np.sqrt(np.diagonal(covariance, axis1=1, axis2=2))
    row_of = {action_id: index for index, action_id in enumerate(stats.actions)}
    evidence: dict[str, dict[str, float]] = {}
    uncertainty: dict[str, dict[str, dict[str, float]]] = {}
    cells: dict[tuple[str, str], Cell] = {}
    estimated = []
    for column, profile_id in enumerate(ids):
        evidence[profile_id], uncertainty[profile_id] = {}, {}
        for action_id in base.evidence[profile_id]:
            row = row_of.get(action_id)
            n = float(stats.weights[row, column]) if row is not None else 0.0
            if n > 0:
                mean = float(stats.totals[row, column]) / n
                estimate, se = float(estimates[row, column]), float(errors[row, column])
                estimated.append((profile_id, action_id))
            else:
                mean, estimate, se = None, prior, math.sqrt(tau2)
            cells[profile_id, action_id] = Cell(n, mean, estimate, se, 1 - se**2 / tau2)
            evidence[profile_id][action_id] = round(estimate, 3)
            uncertainty[profile_id][action_id] = {"n": round(n, 4), "se": round(se, 4)}
    return EvidenceEstimate(
        evidence=evidence,
        uncertainty=uncertainty,
        cells=cells,
        estimated=tuple(estimated),
        ratings=count,
        low=low,
        high=high,
        prior=prior,
        sigma=math.sqrt(sigma2),
        tau=math.sqrt(tau2),
        origins=origins,
    )
