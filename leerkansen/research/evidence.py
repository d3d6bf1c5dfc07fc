"""Estimating the evidence E(action, profile) from the organisations' action ratings.

The procedure (docs/scoring.md "Re-estimation"):

1. Base: the active model version. The new draft copies it and replaces its evidence table,
   with a weighted n and a standard error per cell (`evidence_uncertainty` in the model).
2. Each rating (reports.ActionRating: relevance and feasibility, 1-5, per round and action)
   gets the value v = relevance x feasibility (1-25), put linearly on the evidence scale of the
   shipped model, from its lowest to its highest E (0.30-0.85):
       y = low + (high - low) * (v - 1) / 24
   so that ratings move evidence within the range the top-3 weights were designed for (a
   first need keeps winning, docs/scoring.md "Top 3"). The scale is the shipped model's, not
   the base's, so that estimating again on an estimated version does not narrow it.
3. A rated round belongs to each profile k with its posterior probability p_k: the report's
   stored probabilities when it was made with the base version, else assign_profile on the
   report's stored scores with the base model (p below 0.0001 left out, the rest scaled to add
   up to 1). Rounds without a report are skipped.
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
6. Nothing is written when no action has been rated twice in one profile (the spread of
   ratings cannot be told from the spread of cells then). The draft stores E rounded to 3
   decimals, and per cell n and SE (4 decimals); the fit keeps mu, sigma, tau, the scale and
   how many ratings came from the top 3, from the two actions asked at random and from actions
   the organisation chose itself.

Real research data leaves out demo and simulated organisations; `simulated=True` takes only
the simulated ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from leerkansen.content.catalogue import get_catalogue
from leerkansen.modelversions.models import ModelVersion
from leerkansen.modelversions.services import active_version, create_draft, get_model
from leerkansen.reports.models import ActionRating, Report
from leerkansen.scoring.model import ProfileModel, get_shipped_model
from leerkansen.scoring.profiles import assign_profile

from .population import eligible_organisations

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


def _probabilities(report: dict, base: ProfileModel) -> dict[str, float] | None:
    """The round's posterior probabilities under the base model (None without any score)."""
    ids = {profile.id for profile in base.profiles}
    stored = (report["profile"] or {}).get("probabilities") or {}
    if report["model_version"] == base.version and set(stored) == ids:
        return {key: float(value) for key, value in stored.items()}
    scores = {int(c): value for c, value in (report["scores"] or {}).items()}
    if not any(value is not None for value in scores.values()):
        return None
    return assign_profile(scores, base).probabilities


def _origin(recommended: bool, asked_at_random: bool) -> str:
    return "recommended" if recommended else "random" if asked_at_random else "chosen"


def collected_ratings(base: ProfileModel, simulated: bool = False) -> list[Rating]:
    """Every rating of an eligible round with a report, with the round's probabilities."""
    actions = {action.id for action in get_catalogue().actions()}
    reports = Report.objects.filter(
        eligible_organisations(simulated, "assessment__organisation")
    ).values("assessment_id", "model_version", "profile", "scores")
    probabilities = {}
    for report in reports.iterator(chunk_size=2_000):
        found = _probabilities(report, base)
        if found is not None:
            probabilities[report["assessment_id"]] = found
    rows = ActionRating.objects.filter(
        eligible_organisations(simulated, "assessment__organisation")
    ).values_list(
        "assessment_id", "action_id", "relevance", "feasibility", "recommended", "asked_at_random"
    )
    return [
        Rating(
            probabilities[assessment_id],
            action_id,
            relevance,
            feasibility,
            _origin(recommended, asked_at_random),
        )
        for assessment_id, action_id, relevance, feasibility, recommended, asked_at_random in (
            rows.iterator(chunk_size=10_000)
        )
        if action_id in actions and assessment_id in probabilities
    ]


def _description(base_row: ModelVersion | None, base: ProfileModel, cells: int) -> str:
    total = sum(len(row) for row in base.evidence.values())
    if base.status == "estimated":
        n = (base_row.fit or {}).get("n") if base_row else None
        profiles = (
            f"De profielen zijn geschat op de antwoorden van {n} organisaties."
            if n
            else "De profielen zijn geschat op verzamelde gegevens."
        )
    else:
        profiles = "De profielen zijn nog vertrekpunten uit onderzoek."
    return (
        f"{profiles} Hoe goed een actie bij een profiel past, steunt voor {cells} van de "
        f"{total} combinaties op beoordelingen door organisaties, des te meer naarmate er meer "
        "zijn; de andere staan op het midden van de schaal tot ze beoordeeld worden."
    )


@dataclass(frozen=True)
class Comparison:
    """An estimate against the evidence planted in simulated data."""

    correlation: float
    mean_absolute_error: float
    # The share of cells whose planted value lies within 2 standard errors of the estimate.
    within_2_se: float
    cells: int


def compare_with_planted(
    estimate: EvidenceEstimate, planted: Mapping[str, Mapping[str, float]], min_n: float = 1.0
) -> Comparison:
    """Pearson correlation, mean absolute error and share within 2 SE over the planted cells
    with at least `min_n` weighted ratings. `planted`: {profile id: {action id: E}}, on the
    evidence scale."""
    cells = [
        (estimate.cells[profile_id, action_id], float(value))
        for profile_id, row in planted.items()
        for action_id, value in row.items()
        if (profile_id, action_id) in estimate.cells
        and estimate.cells[profile_id, action_id].n >= min_n
    ]
    pairs = [(cell.estimate, value) for cell, value in cells]
    if len(pairs) < 2:
        return Comparison(math.nan, math.nan, math.nan, len(pairs))
    xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
    mx, my = math.fsum(xs) / len(xs), math.fsum(ys) / len(ys)
    sxy = math.fsum((x - mx) * (y - my) for x, y in pairs)
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    correlation = sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else math.nan
    error = math.fsum(abs(x - y) for x, y in pairs) / len(pairs)
    inside = sum(abs(cell.estimate - value) <= 2 * cell.se for cell, value in cells) / len(cells)
    return Comparison(correlation, error, inside, len(pairs))


def uncertainty_table(model: ProfileModel | None) -> dict | None:
    """The model page's table of evidence with its uncertainty (research/
    _evidence_uncertainty.html): per action, per profile E, SE and the weighted n. None for a
    model without measured evidence (the shipped files, a version of new profiles)."""
    if model is None or model.evidence_uncertainty is None:
        return None
    catalogue = get_catalogue()
    rows = []
    for challenge in catalogue.challenges:
        for action in challenge.actions:
            cells = []
            for profile in model.profiles:
                cell = model.evidence_uncertainty[profile.id][action.id]
                estimate = model.evidence[profile.id][action.id]
                cells.append({"estimate": estimate, "se": cell.se, "n": cell.n})
            rows.append({"action": action, "challenge": challenge, "cells": cells})
    rated = sum(1 for row in rows for cell in row["cells"] if cell["n"] > 0)
    return {
        "profiles": model.profiles,
        "rows": rows,
        # Below this a weighted n is shown as "< 0.1".
        "small": 0.1,
        "rated": rated,
        "total": sum(len(row["cells"]) for row in rows),
    }


def estimate_evidence(
    *, simulated: bool = False, write: bool = True, user=None
) -> tuple[EvidenceEstimate, ModelVersion | None]:
    """Estimate the evidence on the active model and (when `write`) store it as a draft.

    Raises NoEvidence (nothing written) when no action is rated twice in one profile.
    """
    base_version = active_version()
    base = get_model(base_version)
    result = estimate_table(base, collected_ratings(base, simulated))
    if not write:
        return result, None
    base_row = ModelVersion.objects.filter(version=base_version).first()
    content = base.model_dump(mode="json")
    content["evidence"] = result.evidence
    content["evidence_uncertainty"] = result.uncertainty
    content["description_nl"] = _description(base_row, base, len(result.estimated))
    fit = {
        "kind": "evidence",
        "estimator": "empirical Bayes, normal-normal, prior at the middle of the scale",
        "simulated": simulated,
        "ratings": result.ratings,
        "origins": result.origins,
        "cells_estimated": len(result.estimated),
        "cells_total": sum(len(row) for row in result.evidence.values()),
        "range": [result.low, result.high],
        "prior": round(result.prior, 4),
        "sigma": round(result.sigma, 4),
        "tau": round(result.tau, 4),
        "estimated": [f"{profile_id} {action_id}" for profile_id, action_id in result.estimated],
    }
    if base_row is not None and base_row.fit.get("kind") == "profiles":
        # The profile figures stay those of the base: this version changes only evidence.
        fit.update({k: base_row.fit[k] for k in ("n", "chosen_k", "table") if k in base_row.fit})
    source = (
        f"estimate_evidence ({result.ratings} {'simulated ' if simulated else ''}ratings, "
        f"{len(result.estimated)} cells)"
    )
    draft = create_draft(content, based_on=base_version, source=source, fit=fit, user=user)
    return result, draft
