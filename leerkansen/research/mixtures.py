"""Latent profile models by EM: covariance structures, random starts, the choice of k (numpy).

Pure functions over a standardised organisations x challenges matrix (NaN: no score); the
database side (which organisations, the draft model version) is research/estimation.py.
The procedure, continued from estimation.py's step 1 (MEASUREMENT.md, docs/scoring.md
"Re-estimation"):

2. Standardise each challenge with the mean and standard deviation of its observed scores
   (rounded to two decimals, as a model file states them): the new model's standardisation.
3. Fit a Gaussian mixture by EM for every covariance structure in STRUCTURES and k = 1..8:
   - "diag_equal": no covariances, the same variances in every profile;
   - "diag": no covariances, variances per profile (the classic latent profile model);
   - "tied": one full covariance matrix shared by the profiles. An organisation-wide factor
     within profiles (every challenge a little higher in one organisation than in another of
     the same profile) is such a covariance; a diagonal-only search over-extracts on it;
   - "full": a full covariance matrix per profile.
   Missing scores by full-information likelihood: the E-step uses each organisation's
   observed scores only (the marginal Gaussian), the M-step the conditional expectations of
   the missing ones and their conditional covariance (Little & Rubin 2002, ch. 11). This is
   our own EM, not StepMix: StepMix's missing-data models (`gaussian_diag_nan`,
   `gaussian_unit_nan`) cover diagonal covariances only, and one EM for all four structures
   is one code path to test (tests/test_estimation.py checks it against scikit-learn on
   complete data and recovers planted profiles with missing data).
4. Random starts, as Mplus does: STARTS random partitions (k random organisations as centres,
   each organisation to the nearest) run INITIAL_ITERATIONS EM steps; the FINAL_STARTS best
   are run to convergence (a log-likelihood gain below CONVERGENCE per organisation). The
   best log-likelihood is *replicated* when at least MIN_REPLICATIONS final runs reach it
   within REPLICATION_TOLERANCE per organisation; otherwise it may be a local or spurious
   maximum and the solution does not qualify. A run in which a profile shrinks below
   DEGENERATE organisations (a singular covariance) is discarded. A (structure, k) with at
   least as many parameters as organisations is not fitted.
5.–8. Per solution the criteria, the choice of k, the grid's edge, stability and the bootstrap
   LRT: research/model_selection.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

STRUCTURES = ("diag_equal", "diag", "tied", "full")
MIN_SHARE = 0.05
STARTS = 50
FINAL_STARTS = 10
INITIAL_ITERATIONS = 20
MAX_ITER = 1000
# Per organisation: EM stops below this gain; final runs this close to the best replicate it.
CONVERGENCE = 1e-6
REPLICATION_TOLERANCE = 1e-5
MIN_REPLICATIONS = 2
# Added to the covariance diagonal (the data are standardised); a profile below DEGENERATE
# organisations (expected count) makes a run degenerate.
REG_COVAR = 1e-6
# Runs x profiles x organisations held at once in the first stage of the starts.
BATCH_CELLS = 4_000_000
DEGENERATE = 2.0
RANDOM_STATE = 0
# The old name of STARTS, for callers that still pass n_init.
N_INIT = STARTS
LOG_2PI = math.log(2 * math.pi)


class EstimationError(Exception):
    """The data cannot be standardised or fitted (e.g. a challenge without spread)."""


def standardisation(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of the observed scores per column, two decimals."""
    with np.errstate(all="ignore"):
        mean = np.round(np.nanmean(scores, axis=0), 2)
        sd = np.round(np.nanstd(scores, axis=0), 2)
    if np.any(~(sd > 0)):
        flat = [str(index + 1) for index in np.flatnonzero(~(sd > 0))]
        raise EstimationError("no spread in the scores of column(s) " + ", ".join(flat))
    return mean, sd


# EM with missing values -------------------------------------------------------------------
# Arrays of parameters carry a leading axis of runs (random starts): weights (R, K), means
# (R, K, d), covariances (R, K, d, d); responsibilities are (R, K, n).


@dataclass(frozen=True)
class _Pattern:
    observed: np.ndarray
    missing: np.ndarray
    rows: np.ndarray
    # The rows' observed values and their outer products (computed once, used every step).
    values: np.ndarray
    squares: np.ndarray


def _pattern(x: np.ndarray, observed: np.ndarray, rows: np.ndarray) -> _Pattern:
    missing = np.setdiff1d(np.arange(x.shape[1]), observed)
    values = x[np.ix_(rows, observed)]
    return _Pattern(observed, missing, rows, values, _squares(values))


def patterns_of(x: np.ndarray) -> list[_Pattern]:
    """Rows grouped by which columns are observed."""
    observed = ~np.isnan(x)
    keys, inverse = np.unique(observed, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    return [
        _pattern(x, np.flatnonzero(key), np.flatnonzero(inverse == index))
        for index, key in enumerate(keys)
    ]


def _squares(x: np.ndarray) -> np.ndarray:
    """Row-wise outer products, flattened: (n, d * d)."""
    return (x[:, :, None] * x[:, None, :]).reshape(len(x), -1)


def _log_density(
    x: np.ndarray, squares: np.ndarray, means: np.ndarray, covariances: np.ndarray
) -> np.ndarray:
    """log N(x | mean, covariance) for every run and profile: (R, K, n). x has no NaN."""
    runs, k, d = means.shape
    cholesky = np.linalg.cholesky(covariances)
    precision = np.linalg.inv(covariances)
    precision = (precision + precision.swapaxes(-1, -2)) / 2
    projected = (precision @ means[..., None])[..., 0]
    constant = (means * projected).sum(-1)
    quadratic = (
        _squares(x) @ precision.reshape(runs * k, d * d).T
        - 2 * x @ projected.reshape(runs * k, d).T
    )
    distance = quadratic.T.reshape(runs, k, len(x)) + constant[..., None]
    log_det = 2 * np.log(np.diagonal(cholesky, axis1=-2, axis2=-1)).sum(-1)
    return -0.5 * (d * LOG_2PI + log_det[..., None] + distance)


def e_step(
    x: np.ndarray, patterns: list[_Pattern], weights, means, covariances
) -> tuple[np.ndarray, np.ndarray]:
    """Responsibilities (R, K, n) and the log-likelihood per run (R,), observed data only."""
    d = means.shape[2]
    if not np.any(covariances * (1 - np.eye(d))):
        joint = _log_density_diagonal(x, means, np.diagonal(covariances, axis1=-2, axis2=-1))
    else:
        joint = _log_density_by_pattern(patterns, means, covariances, len(x))
    with np.errstate(divide="ignore"):
        joint += np.log(weights)[..., None]
    top = joint.max(axis=1, keepdims=True)
    total = top[:, 0] + np.log(np.exp(joint - top).sum(axis=1))
    return np.exp(joint - total[:, None]), total.sum(axis=1)


def _incomplete(patterns: list[_Pattern]) -> bool:
    return any(len(pattern.missing) for pattern in patterns)


def _log_density_diagonal(x: np.ndarray, means: np.ndarray, variances: np.ndarray) -> np.ndarray:
    """Diagonal covariances: the observed scores' terms of every row at once, (R, K, n).

    Exact marginalisation: without covariances, a missing score's term simply drops out.
    """
    runs, k, d = means.shape
    observed = (~np.isnan(x)).astype(float)
    x0 = np.nan_to_num(x)
    inverse = 1 / variances
    constant = LOG_2PI + np.log(variances) + means**2 * inverse
    total = (
        observed @ constant.reshape(runs * k, d).T
        + (x0**2) @ inverse.reshape(runs * k, d).T
        - 2 * x0 @ (means * inverse).reshape(runs * k, d).T
    )
    return -0.5 * total.T.reshape(runs, k, len(x))


def _log_density_by_pattern(patterns, means, covariances, n: int) -> np.ndarray:
    runs, k, _d = means.shape
    joint = np.empty((runs, k, n))
    for pattern in patterns:
        o = pattern.observed
        joint[:, :, pattern.rows] = _log_density(
            pattern.values,
            pattern.squares,
            means[:, :, o],
            covariances[:, :, o[:, None], o[None, :]],
        )
    return joint


def _m_step(
    x: np.ndarray, patterns: list[_Pattern], resp: np.ndarray, means, covariances, structure
):
    """New weights, means and covariances from the expected complete-data statistics."""
    runs, k, n = resp.shape
    d = x.shape[1]
    counts = resp.sum(axis=2) + 10 * np.finfo(float).eps
    if structure in ("diag", "diag_equal"):
        return _m_step_diagonal(x, resp, counts, means, covariances, structure)
    sums = np.zeros((runs, k, d))
    squares = np.zeros((runs, k, d, d))
    for pattern in patterns:
        r = resp[:, :, pattern.rows]
        o, m = pattern.observed, pattern.missing
        if len(m) == 0:
            sums += r @ pattern.values
            squares += (r.reshape(runs * k, -1) @ pattern.squares).reshape(runs, k, d, d)
            continue
        observed = pattern.values
        s_oo = covariances[:, :, o[:, None], o[None, :]]
        s_mo = covariances[:, :, m[:, None], o[None, :]]
        # Regression of the missing on the observed scores, per run and profile.
        beta = np.linalg.solve(s_oo, s_mo.swapaxes(-1, -2)).swapaxes(-1, -2)
        filled = np.empty((runs, k, len(pattern.rows), d))
        filled[..., o] = observed
        filled[..., m] = means[:, :, None, m] + (observed - means[:, :, None, o]) @ beta.swapaxes(
            -1, -2
        )
        conditional = covariances[:, :, m[:, None], m[None, :]] - beta @ s_mo.swapaxes(-1, -2)
        weighted = r[..., None] * filled
        sums += weighted.sum(axis=2)
        squares += weighted.swapaxes(-1, -2) @ filled
        squares[:, :, m[:, None], m[None, :]] += r.sum(axis=2)[..., None, None] * conditional
    means = sums / counts[..., None]
    covariances = squares / counts[..., None, None] - means[..., :, None] * means[..., None, :]
    if structure in ("tied", "diag_equal"):
        pooled = (covariances * (counts / n)[..., None, None]).sum(axis=1, keepdims=True)
        covariances = np.broadcast_to(pooled, covariances.shape)
    if structure in ("diag", "diag_equal"):
        covariances = covariances * np.eye(d)
    return counts / n, means, covariances + REG_COVAR * np.eye(d)


def _m_step_diagonal(x, resp, counts, means, covariances, structure):
    """_m_step for diagonal structures, every row at once (with or without missing scores).

    A missing score's conditional expectation is the profile's mean and its conditional
    variance the profile's variance: no covariance links it to the observed ones.
    """
    n = resp.shape[2]
    missing = np.isnan(x).astype(float)
    x0 = np.nan_to_num(x)
    sums = resp @ x0
    squares = resp @ (x0**2)
    if missing.any():
        variances = np.diagonal(covariances, axis1=-2, axis2=-1)
        absent = resp @ missing
        sums += means * absent
        squares += (means**2 + variances) * absent
    means = sums / counts[..., None]
    variances = squares / counts[..., None] - means**2
    if structure == "diag_equal":
        pooled = (variances * (counts / n)[..., None]).sum(axis=1, keepdims=True)
        variances = np.broadcast_to(pooled, variances.shape)
    covariances = variances[..., None] * np.eye(x.shape[1])
    return counts / n, means, covariances + REG_COVAR * np.eye(x.shape[1])


def parameter_count(structure: str, k: int, d: int) -> int:
    """Free parameters: k - 1 weights, k x d means and the covariances of the structure."""
    per_matrix = {"diag_equal": d, "diag": d, "tied": d * (d + 1) // 2, "full": d * (d + 1) // 2}
    matrices = 1 if structure in ("diag_equal", "tied") else k
    return k - 1 + k * d + matrices * per_matrix[structure]


def _em(x, patterns, weights, means, covariances, structure, iterations, tolerance):
    """EM from the given parameters for every run; returns them with LL and convergence."""
    runs = len(weights)
    n = len(x)
    ll = np.full(runs, -np.inf)
    converged = np.zeros(runs, dtype=bool)
    degenerate = np.zeros(runs, dtype=bool)
    for _ in range(iterations):
        active = np.flatnonzero(~converged & ~degenerate)
        if len(active) == 0:
            break
        try:
            resp, new_ll = e_step(x, patterns, weights[active], means[active], covariances[active])
        except np.linalg.LinAlgError:
            # Not positive definite in some run: find it and set it aside.
            for run in active:
                try:
                    e_step(x, patterns, weights[[run]], means[[run]], covariances[[run]])
                except np.linalg.LinAlgError:
                    degenerate[run] = True
            continue
        done = new_ll - ll[active] < tolerance * n
        ll[active] = new_ll
        converged[active[done]] = True
        going = active[~done]
        if len(going) == 0:
            break
        w, mu, cov = _m_step(
            x, patterns, resp[:, :, :][~done], means[going], covariances[going], structure
        )
        weights[going], means[going], covariances[going] = w, mu, cov
        degenerate[going] |= (w * n).min(axis=1) < DEGENERATE
    ll[degenerate | ~np.isfinite(ll)] = -np.inf
    return weights, means, covariances, ll, converged & ~degenerate


# Fitting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fit:
    """The best solution for one covariance structure and k, with what k is chosen by."""

    structure: str
    k: int
    log_likelihood: float
    parameters: int
    # Final runs that reached the best log-likelihood (within the tolerance), of final_runs.
    replications: int
    final_runs: int
    converged: bool
    weights: np.ndarray = field(repr=False, compare=False)
    means: np.ndarray = field(repr=False, compare=False)
    covariances: np.ndarray = field(repr=False, compare=False)
    posterior: np.ndarray = field(repr=False, compare=False)

    @property
    def n(self) -> int:
        return len(self.posterior)

    @property
    def labels(self) -> np.ndarray:
        return self.posterior.argmax(axis=1)

    @property
    def aic(self) -> float:
        return -2 * self.log_likelihood + 2 * self.parameters

    @property
    def bic(self) -> float:
        return -2 * self.log_likelihood + self.parameters * math.log(self.n)

    @property
    def abic(self) -> float:
        return -2 * self.log_likelihood + self.parameters * math.log((self.n + 2) / 24)

    @property
    def icl(self) -> float:
        """ICL-BIC: BIC plus twice the classification entropy (McLachlan & Peel 2000)."""
        p = np.clip(self.posterior, 1e-300, 1.0)
        return self.bic + 2 * float(-(self.posterior * np.log(p)).sum())

    @property
    def entropy(self) -> float | None:
        return relative_entropy(self.posterior)

    @property
    def sizes(self) -> list[int]:
        """Organisations per profile, by most probable profile."""
        return np.bincount(self.labels, minlength=self.k).tolist()

    @property
    def average_posterior(self) -> list[float | None]:
        """Mean probability of its own profile among the organisations assigned to it."""
        labels = self.labels
        return [
            float(self.posterior[labels == j, j].mean()) if np.any(labels == j) else None
            for j in range(self.k)
        ]

    @property
    def smallest_share(self) -> float:
        return min(self.sizes) / self.n

    @property
    def replicated(self) -> bool:
        return self.replications >= min(MIN_REPLICATIONS, self.final_runs)

    @property
    def passes(self) -> bool:
        """Replicated best log-likelihood and no profile below MIN_SHARE (entropy is no rule)."""
        return self.converged and self.replicated and self.smallest_share >= MIN_SHARE

    def as_row(self) -> dict:
        entropy = self.entropy
        return {
            "structure": self.structure,
            "k": self.k,
            "log_likelihood": round(self.log_likelihood, 3),
            "parameters": self.parameters,
            "aic": round(self.aic, 2),
            "bic": round(self.bic, 2),
            "abic": round(self.abic, 2),
            "icl": round(self.icl, 2),
            "entropy": None if entropy is None else round(entropy, 4),
            "sizes": self.sizes,
            "average_posterior": [
                None if p is None else round(p, 3) for p in self.average_posterior
            ],
            "smallest_share": round(self.smallest_share, 4),
            "replications": self.replications,
            "final_runs": self.final_runs,
            "replicated": self.replicated,
            "converged": self.converged,
            "passes": self.passes,
        }


def relative_entropy(posterior: np.ndarray) -> float | None:
    """1 - classification entropy / (n log k): 1 is a perfectly clear assignment."""
    n, k = posterior.shape
    if k < 2:
        return None
    p = np.clip(posterior, 1e-300, 1.0)
    entropy = float(-(posterior * np.log(p)).sum())
    return 1.0 - entropy / (n * math.log(k))


def _random_partitions(filled: np.ndarray, k: int, runs: int, rng) -> np.ndarray:
    """One-hot responsibilities (runs, k, n): k random organisations as centres, nearest."""
    n = len(filled)
    resp = np.zeros((runs, k, n))
    for run in range(runs):
        centres = filled[rng.choice(n, size=k, replace=False)]
        nearest = ((filled[:, None, :] - centres[None]) ** 2).sum(axis=2).argmin(axis=1)
        resp[run, nearest, np.arange(n)] = 1.0
    return resp


def fit_model(
    x: np.ndarray,
    k: int,
    structure: str,
    *,
    starts: int = STARTS,
    final_starts: int = FINAL_STARTS,
    seed: int | Sequence[int] = RANDOM_STATE,
    patterns: list[_Pattern] | None = None,
) -> Fit | None:
    """The best of `starts` random starts (module doc, step 4); None when every run failed."""
    n, d = x.shape
    rng = np.random.default_rng(seed)
    patterns = patterns if patterns is not None else patterns_of(x)
    filled = np.where(np.isnan(x), np.nanmean(x, axis=0), x)
    whole = [_pattern(filled, np.arange(d), np.arange(n))]
    runs = 1 if k == 1 else starts
    # Runs are started and taken through the first stage in batches, so that memory stays
    # bounded (about BATCH_CELLS responsibilities at a time) whatever n and the starts.
    batch = max(1, min(runs, BATCH_CELLS // (k * n)))
    parts, lls = [], []
    for first in range(0, runs, batch):
        resp = _random_partitions(filled, k, min(batch, runs - first), rng)
        # The first M-step treats the missing values as the column means; EM takes over.
        part = [np.array(a) for a in _m_step(filled, whole, resp, None, None, structure)]
        if runs > final_starts:
            *part, ll, _ok = _em(x, patterns, *part, structure, INITIAL_ITERATIONS, CONVERGENCE)
            lls.append(ll)
        parts.append(part)
    weights, means, covariances = (np.concatenate(arrays) for arrays in zip(*parts, strict=True))
    if runs > final_starts:
        ll = np.concatenate(lls)
        best = np.argsort(-ll, kind="stable")[:final_starts]
        best = best[np.isfinite(ll[best])]
        weights, means, covariances = weights[best], means[best], covariances[best]
    if len(weights) == 0:
        return None
    weights, means, covariances, ll, converged = _em(
        x, patterns, weights, means, covariances, structure, MAX_ITER, CONVERGENCE
    )
    if not np.isfinite(ll).any():
        return None
    top = int(np.argmax(ll))
    replications = int((ll >= ll[top] - REPLICATION_TOLERANCE * n).sum())
    if k == 1:
        # One profile has one maximum: every start would reach it.
        replications = final_runs = min(final_starts, starts)
    else:
        final_runs = len(ll)
    w, mu, cov = weights[[top]], means[[top]], covariances[[top]]
    posterior, total = e_step(x, patterns, w, mu, cov)
    return Fit(
        structure=structure,
        k=k,
        log_likelihood=float(total[0]),
        parameters=parameter_count(structure, k, d),
        replications=replications,
        final_runs=final_runs,
        converged=bool(converged[top]),
        weights=w[0],
        means=mu[0],
        covariances=cov[0],
        posterior=posterior[0].T,
    )
