"""Re-estimating the profiles: latent profile models over covariance structures and k = 1..8.

The procedure (MEASUREMENT.md, docs/scoring.md "Re-estimation"):

1. One score vector per organisation: the nine 0-100 challenge scores of its latest round
   with a score on at least one challenge (the stored report's scores, else computed from the
   round's completed responses). A challenge without a score (fewer than 75% of its items
   answered) stays missing: it is not imputed and the organisation is not dropped.
   Organisations without any score are left out and counted. Real research data leaves out
   demo and simulated organisations (population.py); `simulated=True` takes only those.
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
5. Per solution: log-likelihood, number of parameters, AIC, BIC, aBIC (sample-size adjusted,
   n* = (n + 2) / 24), ICL (BIC + 2 x classification entropy), relative entropy
   E = 1 - sum(-p log p) / (n log k) (none for k = 1), class sizes and average posterior
   per class (by most probable profile), the smallest share and the replication count.
6. Choose the lowest BIC among solutions whose best log-likelihood replicated and whose
   smallest profile holds at least MIN_SHARE of the organisations. BIC, not ICL: ICL adds twice
   the classification entropy to BIC, so it penalises overlapping profiles, the way the old
   entropy gate did when four profiles 20 points apart came back as k = 1 or 2 (issue 15);
   BIC targets the number of components of the density, and once the covariance structures
   include correlated challenges it no longer over-extracts on them (both tested).
   Entropy is shown, not a gate (Spurk et al. 2020). BICs equal to BIC_TIE go to the
   smaller k, then to the structure with fewer parameters. k = 1 always qualifies.
7. A chosen k at the edge of the grid is flagged and the grid extended by EXTEND profiles
   (up to MAX_GRID_K); the flag stays when it is still at the edge there.
8. Optional bootstrap likelihood-ratio test (McLachlan 1987; Nylund et al. 2007) of k - 1
   against k for the chosen structure, and always the stability of the chosen solution: the
   adjusted Rand index between its classification and that of the same model fitted on
   bootstrap samples (Hennig 2007), mean and minimum.
9. The chosen solution becomes a draft model version: profile means and variances in the new
   z-scores, weights from the mixture, largest profile first. The app's assignment
   (scoring/profiles.py) uses a diagonal likelihood: a tied or full solution is stored with
   its profiles' variances (the diagonal) and its full covariance matrices are kept in the
   fit's specification, with the share of organisations that the diagonal assignment puts
   in the same profile as the fitted model. Each profile is named after the closest prior
   profile (the active model's): prototypes are compared as 0-100 scores put on the prior's
   z-scale, and matched one to one with the least total Euclidean distance (Hungarian
   algorithm), so that two profiles never get the same name. A profile beyond the number of
   prior profiles takes its nearest prior's name with a number. It inherits the prior
   profile's description and evidence row; names are renamable while it is a draft.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Exists, OuterRef
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.modelversions.models import ModelVersion
from leerkansen.modelversions.services import active_version, create_draft, get_model
from leerkansen.reports.models import Report
from leerkansen.scoring.model import ProfileModel
from leerkansen.scoring.scales import scale_items, scores_of
from leerkansen.survey.models import Answer, Assessment, Response

from .population import eligible_organisations

STRUCTURES = ("diag_equal", "diag", "tied", "full")
MAX_K = 8
EXTEND = 2
MAX_GRID_K = 12
MIN_ORGANISATIONS = 150
MIN_SHARE = 0.05
# BICs closer than this are a tie; the tie goes to the smaller k.
BIC_TIE = 0.01
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
BOOTSTRAPS = 20
BOOTSTRAP_STARTS = 10
RANDOM_STATE = 0
# The old name of STARTS, for callers that still pass n_init.
N_INIT = STARTS
LOG_2PI = math.log(2 * math.pi)


class TooFewOrganisations(Exception):
    def __init__(self, found: int, needed: int) -> None:
        self.found, self.needed = found, needed
        super().__init__(
            f"Too few organisations to estimate profiles: {found} with a score on at least "
            f"one challenge, at least {needed} needed. Nothing was written; the current model "
            "stays."
        )


class EstimationError(Exception):
    """The data cannot be standardised or fitted (e.g. a challenge without spread)."""


# Data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreTable:
    """One row of 0-100 scores per organisation, challenges in order; NaN = no score."""

    organisation_ids: tuple[int, ...]
    assessment_ids: tuple[int, ...]
    challenges: tuple[int, ...]
    scores: np.ndarray
    # Organisations with completed responses but no round with a score on any challenge.
    left_out: int

    @property
    def missing(self) -> int:
        return int(np.isnan(self.scores).sum())

    @property
    def incomplete(self) -> int:
        """Organisations with at least one challenge without a score."""
        return int(np.isnan(self.scores).any(axis=1).sum())


def _scores_from_answers(assessment_ids: list[int]) -> dict[int, dict[int, float | None]]:
    """Challenge scores of rounds without a report, from their completed responses."""
    items = scale_items(get_questionnaire())
    rows = (
        Answer.objects.filter(
            response__assessment_id__in=assessment_ids,
            response__completed_on__isnull=False,
            item_id__in=[item.id for item in items],
        )
        .order_by("response_id")
        .values_list("response__assessment_id", "response_id", "item_id", "number")
        .iterator(chunk_size=10_000)
    )
    responses: dict[int, dict[int, dict[str, float | None]]] = {}
    for assessment_id, response_id, item_id, number in rows:
        responses.setdefault(assessment_id, {}).setdefault(response_id, {})[item_id] = number
    return {
        assessment_id: scores_of(list(by_response.values()), items)
        for assessment_id, by_response in responses.items()
    }


def organisation_scores(simulated: bool = False, batch: int = 2_000) -> ScoreTable:
    """The latest score vector of every eligible organisation (see the module doc)."""
    challenges = tuple(sorted({item.challenge for item in scale_items(get_questionnaire())}))
    completed = Response.objects.filter(assessment=OuterRef("pk"), completed_on__isnull=False)
    rounds = list(
        Assessment.objects.filter(eligible_organisations(simulated), Exists(completed))
        .order_by("organisation_id", "-created_at", "-pk")
        .values_list("pk", "organisation_id")
    )
    # Filtered like the rounds, not by a list of ids: it may hold 100k of them.
    reports = Report.objects.filter(eligible_organisations(simulated, "assessment__organisation"))
    scores: dict[int, dict[int, float | None]] = {}
    for assessment_id, stored in reports.values_list("assessment_id", "scores").iterator(
        chunk_size=10_000
    ):
        scores[assessment_id] = {int(c): value for c, value in stored.items()}
    missing = [pk for pk, _org in rounds if pk not in scores]
    for start in range(0, len(missing), batch):
        scores.update(_scores_from_answers(missing[start : start + batch]))

    organisation_ids, assessment_ids, vectors = [], [], []
    seen: set[int] = set()
    organisations: set[int] = set()
    for assessment_id, organisation_id in rounds:
        organisations.add(organisation_id)
        if organisation_id in seen:
            continue
        vector = [scores.get(assessment_id, {}).get(c) for c in challenges]
        if all(value is None for value in vector):
            continue
        seen.add(organisation_id)
        organisation_ids.append(organisation_id)
        assessment_ids.append(assessment_id)
        vectors.append([math.nan if value is None else value for value in vector])
    return ScoreTable(
        organisation_ids=tuple(organisation_ids),
        assessment_ids=tuple(assessment_ids),
        challenges=challenges,
        scores=np.array(vectors, dtype=float).reshape(len(vectors), len(challenges)),
        left_out=len(organisations) - len(seen),
    )


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


def _patterns(x: np.ndarray) -> list[_Pattern]:
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


def _e_step(
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


def _parameters(structure: str, k: int, d: int) -> int:
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
            resp, new_ll = _e_step(x, patterns, weights[active], means[active], covariances[active])
        except np.linalg.LinAlgError:
            # Not positive definite in some run: find it and set it aside.
            for run in active:
                try:
                    _e_step(x, patterns, weights[[run]], means[[run]], covariances[[run]])
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
    patterns = patterns if patterns is not None else _patterns(x)
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
    posterior, total = _e_step(x, patterns, w, mu, cov)
    return Fit(
        structure=structure,
        k=k,
        log_likelihood=float(total[0]),
        parameters=_parameters(structure, k, d),
        replications=replications,
        final_runs=final_runs,
        converged=bool(converged[top]),
        weights=w[0],
        means=mu[0],
        covariances=cov[0],
        posterior=posterior[0].T,
    )


def fit_mixtures(
    z: np.ndarray,
    ks: Iterable[int] = range(1, MAX_K + 1),
    *,
    structures: Sequence[str] = STRUCTURES,
    n_init: int = STARTS,
    final_starts: int = FINAL_STARTS,
    random_state: int = RANDOM_STATE,
) -> list[Fit]:
    """Every structure x k (skipping one with as many parameters as rows), by structure."""
    n, d = z.shape
    patterns = _patterns(z)
    fits = []
    with threadpool_limits(limits=1):
        for index, structure in enumerate(structures):
            for k in ks:
                if k > n or _parameters(structure, k, d) >= n:
                    continue
                fit = fit_model(
                    z,
                    k,
                    structure,
                    starts=n_init,
                    final_starts=min(final_starts, n_init),
                    seed=(random_state, index, k),
                    patterns=patterns,
                )
                if fit is not None:
                    fits.append(fit)
    return fits


def choose(fits: list[Fit]) -> Fit:
    """The lowest BIC among qualifying fits; ties (BIC_TIE) to the smaller k, fewer parameters."""
    qualifying = [fit for fit in fits if fit.passes]
    if not qualifying:
        raise EstimationError("no solution meets the rules, not even k = 1")
    return min(qualifying, key=lambda fit: (round(fit.bic / BIC_TIE), fit.k, fit.parameters))


@dataclass(frozen=True)
class Selection:
    fits: list[Fit]
    chosen: Fit
    # The largest k fitted, and whether the chosen k is still at it.
    max_k: int
    at_edge: bool
    extended: bool


def select_model(
    z: np.ndarray,
    *,
    max_k: int = MAX_K,
    structures: Sequence[str] = STRUCTURES,
    starts: int = STARTS,
    final_starts: int = FINAL_STARTS,
    random_state: int = RANDOM_STATE,
) -> Selection:
    """Fit the grid, choose, and extend the grid while the choice sits at its edge."""
    options = dict(
        structures=structures, n_init=starts, final_starts=final_starts, random_state=random_state
    )
    top = min(max_k, len(z) - 1)
    fits = fit_mixtures(z, range(1, top + 1), **options)
    chosen = choose(fits)
    extended = False
    while chosen.k == top and top < min(MAX_GRID_K, len(z) - 1):
        new_top = min(top + EXTEND, MAX_GRID_K, len(z) - 1)
        fits += fit_mixtures(z, range(top + 1, new_top + 1), **options)
        top, extended = new_top, True
        chosen = choose(fits)
    fits.sort(key=lambda fit: (structures.index(fit.structure), fit.k))
    return Selection(fits, chosen, top, chosen.k == top and top > 1, extended)


def classify(fit: Fit, x: np.ndarray) -> np.ndarray:
    """Posterior probabilities (n, k) of new rows under a fitted solution."""
    posterior, _ll = _e_step(
        x, _patterns(x), fit.weights[None], fit.means[None], fit.covariances[None]
    )
    return posterior[0].T


def diagonal_agreement(fit: Fit, x: np.ndarray) -> float:
    """Share of rows the app's diagonal assignment puts in the fitted model's profile."""
    diagonal = np.eye(fit.means.shape[1]) * fit.covariances
    posterior, _ll = _e_step(x, _patterns(x), fit.weights[None], fit.means[None], diagonal[None])
    return float((posterior[0].argmax(axis=0) == fit.labels).mean())


def stability(
    fit: Fit,
    x: np.ndarray,
    *,
    bootstraps: int = BOOTSTRAPS,
    starts: int = BOOTSTRAP_STARTS,
    random_state: int = RANDOM_STATE,
) -> dict:
    """ARI between the solution's classification and that of refits on bootstrap samples."""
    rng = np.random.default_rng((random_state, 7))
    aris = []
    with threadpool_limits(limits=1):
        for b in range(bootstraps):
            sample = x[rng.integers(len(x), size=len(x))]
            refit = fit_model(
                sample,
                fit.k,
                fit.structure,
                starts=starts,
                final_starts=min(FINAL_STARTS, starts),
                seed=(random_state, 8, b),
            )
            if refit is None:
                continue
            aris.append(adjusted_rand_score(fit.labels, classify(refit, x).argmax(axis=1)))
    if not aris:
        return {"bootstraps": 0, "ari_mean": None, "ari_min": None}
    return {
        "bootstraps": len(aris),
        "ari_mean": round(float(np.mean(aris)), 3),
        "ari_min": round(float(np.min(aris)), 3),
    }


def _sample(fit: Fit, n: int, rng) -> np.ndarray:
    labels = rng.choice(fit.k, size=n, p=fit.weights / fit.weights.sum())
    noise = rng.standard_normal((n, fit.means.shape[1]))
    cholesky = np.linalg.cholesky(fit.covariances)
    return fit.means[labels] + np.einsum("nij,nj->ni", cholesky[labels], noise)


def bootstrap_lrt(
    fits: list[Fit],
    chosen: Fit,
    replicates: int,
    *,
    starts: int = BOOTSTRAP_STARTS,
    random_state: int = RANDOM_STATE,
) -> list[dict]:
    """Parametric bootstrap LRT of k - 1 against k profiles for the chosen structure.

    For each k from 2 to one above the chosen k (where fitted): `replicates` samples of n
    complete rows drawn from the fitted k - 1 model, both models fitted on each; p is the
    share of sampled likelihood ratios at least the observed one, (1 + #) / (1 + replicates).
    """
    by_k = {fit.k: fit for fit in fits if fit.structure == chosen.structure}
    rng = np.random.default_rng((random_state, 9))
    rows = []
    with threadpool_limits(limits=1):
        for k in range(2, chosen.k + 2):
            if k not in by_k or k - 1 not in by_k:
                continue
            null, alternative = by_k[k - 1], by_k[k]
            observed = 2 * (alternative.log_likelihood - null.log_likelihood)
            exceed = done = 0
            for b in range(replicates):
                sample = _sample(null, null.n, rng)
                fitted = [
                    fit_model(sample, j, chosen.structure, starts=starts, seed=(random_state, b, j))
                    for j in (k - 1, k)
                ]
                if any(f is None for f in fitted):
                    continue
                done += 1
                exceed += 2 * (fitted[1].log_likelihood - fitted[0].log_likelihood) >= observed
            rows.append(
                {
                    "k": k,
                    "lr": round(observed, 2),
                    "replicates": done,
                    "p": round((1 + exceed) / (1 + done), 4),
                }
            )
    return rows


# The draft --------------------------------------------------------------------------------


def _rounded_weights(weights: np.ndarray) -> list[float]:
    """Rounded to 4 decimals and adding up to exactly 1 (the largest takes the remainder)."""
    rounded = [max(round(float(w), 4), 0.0001) for w in weights]
    largest = int(np.argmax(rounded))
    rounded[largest] = round(1.0 - math.fsum(rounded[:largest] + rounded[largest + 1 :]), 4)
    return rounded


def match_prior_profiles(
    score_means: np.ndarray, prior: ProfileModel, challenges: tuple[int, ...]
) -> list[tuple[str, float, int]]:
    """For each new prototype (0-100 scores): (prior profile id, distance, number).

    One-to-one with the least total distance on the prior's z-scale; profiles beyond the
    number of prior profiles take their nearest prior profile with number 2, 3 …
    """
    prior_mean = np.array([prior.standardisation.mean[c] for c in challenges])
    prior_sd = np.array([prior.standardisation.sd[c] for c in challenges])
    on_prior_scale = (score_means - prior_mean) / prior_sd
    prototypes = np.array([[p.means[c] for c in challenges] for p in prior.profiles])
    distances = np.sqrt(((on_prior_scale[:, None, :] - prototypes[None, :, :]) ** 2).sum(axis=2))
    rows, columns = linear_sum_assignment(distances)
    matched = dict(zip(rows.tolist(), columns.tolist(), strict=True))
    used: dict[int, int] = dict.fromkeys(matched.values(), 1)
    result = []
    for index in range(len(score_means)):
        if index in matched:
            column, number = matched[index], 1
        else:
            column = int(np.argmin(distances[index]))
            used[column] = used.get(column, 0) + 1
            number = used[column]
        result.append((prior.profiles[column].id, float(distances[index, column]), number))
    return result


def profile_order(fit: Fit) -> list[int]:
    """The draft's order of the fitted profiles: largest weight first."""
    return sorted(range(fit.k), key=lambda j: (-fit.weights[j], j))


def draft_content(
    prior: ProfileModel,
    fit: Fit,
    mean: np.ndarray,
    sd: np.ndarray,
    challenges: tuple[int, ...],
    n: int,
) -> tuple[dict, list[dict]]:
    """The model-file content of a fitted solution, and how each profile was named."""
    order = profile_order(fit)
    means = fit.means[order]
    covariances = _rounded_covariances(fit.covariances[order])
    variances = np.diagonal(covariances, axis1=-2, axis2=-1)
    weights = _rounded_weights(fit.weights[order])
    matches = match_prior_profiles(mean + sd * means, prior, challenges)
    profiles, naming = [], []
    for j, (prior_id, distance, number) in enumerate(matches):
        source = prior.profile(prior_id)
        profile_id = prior_id if number == 1 else f"{prior_id}-{number}"
        name = source.name if number == 1 else f"{source.name} ({number})"
        profiles.append(
            {
                "id": profile_id,
                "name": name,
                "description": source.description,
                "weight": weights[j],
                "means": {str(c): round(float(means[j, i]), 4) for i, c in enumerate(challenges)},
                "variances": {str(c): float(variances[j, i]) for i, c in enumerate(challenges)},
            }
        )
        if fit.structure in ("tied", "full"):
            # Reports assign with the covariances the selection chose (scoring/profiles.py).
            profiles[-1]["covariances"] = {
                str(r): {str(c): float(covariances[j, a, b]) for b, c in enumerate(challenges)}
                for a, r in enumerate(challenges)
            }
        naming.append({"id": profile_id, "prior": prior_id, "distance": round(distance, 3)})
    evidence = {
        profile["id"]: dict(prior.evidence[match[0]])
        for profile, match in zip(profiles, matches, strict=True)
    }
    content = {
        "version": prior.version,
        "status": "estimated",
        "description_nl": (
            f"De profielen zijn geschat op de antwoorden van {n} organisaties. Hoe goed elke "
            "actie bij een profiel past, volgt nog de inschattingen van het vorige model."
        ),
        "standardisation": {
            "mean": {str(c): float(mean[i]) for i, c in enumerate(challenges)},
            "sd": {str(c): float(sd[i]) for i, c in enumerate(challenges)},
        },
        "profiles": profiles,
        "weights": prior.weights.model_dump(mode="json"),
        # The prior's top-3 method and its weights, so an estimated version scores as it did.
        "method": prior.method,
        "top3_weights": prior.top3_weights.model_dump(mode="json") if prior.top3_weights else None,
        "dominance_threshold": prior.dominance_threshold,
        "evidence": evidence,
    }
    return content, naming


def _rounded_covariances(covariances: np.ndarray) -> np.ndarray:
    """Covariance matrices rounded to 4 decimals as a model file states them, still symmetric
    and positive definite: a ridge of 0.0001 is added until the rounded matrix factorises."""
    rounded = np.round((covariances + np.swapaxes(covariances, -1, -2)) / 2, 4)
    for matrix in rounded:
        np.fill_diagonal(matrix, np.maximum(np.diag(matrix), 0.0001))
        while True:
            try:
                np.linalg.cholesky(matrix)
                break
            except np.linalg.LinAlgError:
                matrix[np.diag_indices_from(matrix)] += 0.0001
    return np.round(rounded, 4)


def specification(fit: Fit, table: ScoreTable, z: np.ndarray, naming: list[dict]) -> dict:
    """What was fitted, for the model page: structure, missing data, covariances per profile."""
    order = profile_order(fit)
    return {
        "structure": fit.structure,
        "k": fit.k,
        "parameters": fit.parameters,
        "estimator": "EM, full-information likelihood (missing scores not imputed)",
        "organisations_with_missing": table.incomplete,
        "missing_scores": table.missing,
        "covariances": {
            line["id"]: np.round(fit.covariances[j], 3).tolist()
            for line, j in zip(naming, order, strict=True)
        },
        "diagonal_agreement": round(diagonal_agreement(fit, z), 4),
    }


@dataclass(frozen=True)
class Estimate:
    """What estimate_profiles found and, unless it was a dry run, the draft it wrote."""

    table: ScoreTable
    selection: Selection
    draft: ModelVersion | None
    naming: list[dict]
    stability: dict
    blrt: list[dict]
    fit_stats: dict

    @property
    def fits(self) -> list[Fit]:
        return self.selection.fits

    @property
    def chosen(self) -> Fit:
        return self.selection.chosen

    def labels_by_organisation(self) -> dict[int, int]:
        """The chosen solution's most probable profile (mixture index) per organisation id."""
        return dict(zip(self.table.organisation_ids, self.chosen.labels.tolist(), strict=True))


def estimate_profiles(
    *,
    simulated: bool = False,
    min_organisations: int = MIN_ORGANISATIONS,
    starts: int = STARTS,
    final_starts: int = FINAL_STARTS,
    structures: Sequence[str] = STRUCTURES,
    max_k: int = MAX_K,
    random_state: int = RANDOM_STATE,
    bootstraps: int = BOOTSTRAPS,
    blrt: int = 0,
    write: bool = True,
    user=None,
) -> Estimate:
    """Fit the grid, choose, check stability and (when `write`) store a draft version.

    Raises TooFewOrganisations (nothing written) below `min_organisations`.
    """
    table = organisation_scores(simulated)
    n = len(table.organisation_ids)
    if n < max(min_organisations, 2):
        raise TooFewOrganisations(n, max(min_organisations, 2))
    mean, sd = standardisation(table.scores)
    z = (table.scores - mean) / sd
    selection = select_model(
        z,
        max_k=max_k,
        structures=structures,
        starts=starts,
        final_starts=final_starts,
        random_state=random_state,
    )
    chosen = selection.chosen
    steady = stability(chosen, z, bootstraps=bootstraps, random_state=random_state)
    lrt = bootstrap_lrt(selection.fits, chosen, blrt, random_state=random_state) if blrt else []
    base = active_version()
    prior = get_model(base)
    content, naming = draft_content(prior, chosen, mean, sd, table.challenges, n)
    fit_stats = {
        "kind": "profiles",
        "n": n,
        "left_out": table.left_out,
        "simulated": simulated,
        "chosen_k": chosen.k,
        "chosen_structure": chosen.structure,
        "at_edge": selection.at_edge,
        "max_k": selection.max_k,
        "extended": selection.extended,
        # The chosen structure's rows (the version list reads the chosen k from them).
        "table": [fit.as_row() for fit in selection.fits if fit.structure == chosen.structure],
        "grid": [fit.as_row() for fit in selection.fits],
        "rules": {
            "criterion": "BIC",
            "min_share": MIN_SHARE,
            "bic_tie": BIC_TIE,
            "min_replications": MIN_REPLICATIONS,
            "replication_tolerance": REPLICATION_TOLERANCE,
        },
        "starts": starts,
        "final_starts": final_starts,
        "initial_iterations": INITIAL_ITERATIONS,
        "random_state": random_state,
        "naming": naming,
        "stability": steady,
        "blrt": lrt,
        "specification": specification(chosen, table, z, naming),
    }
    draft = None
    if write:
        source = f"estimate_profiles ({n} {'simulated ' if simulated else ''}organisations)"
        draft = create_draft(content, based_on=base, source=source, fit=fit_stats, user=user)
    return Estimate(
        table=table,
        selection=selection,
        draft=draft,
        naming=naming,
        stability=steady,
        blrt=lrt,
        fit_stats=fit_stats,
    )
