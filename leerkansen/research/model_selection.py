"""Choosing the latent profile model: the grid of structures x k, the rule, its checks.

Continues research/mixtures.py's procedure (MEASUREMENT.md, docs/scoring.md "Re-estimation"):

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

Progress (a job's bar, research/jobs_estimation.py): the functions take an optional `tally`
that counts every model fitted, the grid's, the bootstrap samples' and the LRT's; without
one they behave the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from .mixtures import (
    FINAL_STARTS,
    RANDOM_STATE,
    STARTS,
    STRUCTURES,
    EstimationError,
    Fit,
    e_step,
    fit_model,
    parameter_count,
    patterns_of,
)

MAX_K = 8
EXTEND = 2
MAX_GRID_K = 12
# BICs closer than this are a tie; the tie goes to the smaller k.
BIC_TIE = 0.01
BOOTSTRAPS = 20
BOOTSTRAP_STARTS = 10


class ProgressCallback(Protocol):
    """What a Tally reports to (jobs.progress.Progress fits): the total, then the count done."""

    def set_total(self, total: int) -> None: ...

    def __call__(self, done: int) -> None: ...


class Tally:
    """Counts the fits of an estimation for a progress callback: each step of work announces
    how many fits it will make (`plan`, which raises the total), then counts each (`step`)."""

    def __init__(self, progress: ProgressCallback) -> None:
        self.progress = progress
        self.total = 0
        self.done = 0

    def plan(self, fits: int) -> None:
        self.total += fits
        self.progress.set_total(self.total)

    def step(self) -> None:
        self.done += 1
        self.progress(self.done)


def _grid_cells(n: int, d: int, ks: Iterable[int], structures: Sequence[str]):
    """The (index, structure, k) that fit_mixtures fits: not one with as many parameters as rows."""
    return [
        (index, structure, k)
        for index, structure in enumerate(structures)
        for k in ks
        if k <= n and parameter_count(structure, k, d) < n
    ]


def fit_mixtures(
    z: np.ndarray,
    ks: Iterable[int] = range(1, MAX_K + 1),
    *,
    structures: Sequence[str] = STRUCTURES,
    n_init: int = STARTS,
    final_starts: int = FINAL_STARTS,
    random_state: int = RANDOM_STATE,
    tally: Tally | None = None,
) -> list[Fit]:
    """Every structure x k (skipping one with as many parameters as rows), by structure."""
    n, d = z.shape
    patterns = patterns_of(z)
    cells = _grid_cells(n, d, ks, structures)
    if tally is not None:
        tally.plan(len(cells))
    fits = []
    with threadpool_limits(limits=1):
        for index, structure, k in cells:
            fit = fit_model(
                z,
                k,
                structure,
                starts=n_init,
                final_starts=min(final_starts, n_init),
                seed=(random_state, index, k),
                patterns=patterns,
            )
            if tally is not None:
                tally.step()
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
    tally: Tally | None = None,
) -> Selection:
    """Fit the grid, choose, and extend the grid while the choice sits at its edge."""
    options = dict(
        structures=structures,
        n_init=starts,
        final_starts=final_starts,
        random_state=random_state,
        tally=tally,
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
    posterior, _ll = e_step(
        x, patterns_of(x), fit.weights[None], fit.means[None], fit.covariances[None]
    )
    return posterior[0].T


def diagonal_agreement(fit: Fit, x: np.ndarray) -> float:
    """Share of rows the app's diagonal assignment puts in the fitted model's profile."""
    diagonal = np.eye(fit.means.shape[1]) * fit.covariances
    posterior, _ll = e_step(x, patterns_of(x), fit.weights[None], fit.means[None], diagonal[None])
    return float((posterior[0].argmax(axis=0) == fit.labels).mean())


def stability(
    fit: Fit,
    x: np.ndarray,
    *,
    bootstraps: int = BOOTSTRAPS,
    starts: int = BOOTSTRAP_STARTS,
    random_state: int = RANDOM_STATE,
    tally: Tally | None = None,
) -> dict:
    """ARI between the solution's classification and that of refits on bootstrap samples."""
    rng = np.random.default_rng((random_state, 7))
    aris = []
    if tally is not None:
        tally.plan(bootstraps)
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
            if tally is not None:
                tally.step()
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
    tally: Tally | None = None,
) -> list[dict]:
    """Parametric bootstrap LRT of k - 1 against k profiles for the chosen structure.

    For each k from 2 to one above the chosen k (where fitted): `replicates` samples of n
    complete rows drawn from the fitted k - 1 model, both models fitted on each; p is the
    share of sampled likelihood ratios at least the observed one, (1 + #) / (1 + replicates).
    """
    by_k = {fit.k: fit for fit in fits if fit.structure == chosen.structure}
    rng = np.random.default_rng((random_state, 9))
    rows = []
    tested = [k for k in range(2, chosen.k + 2) if k in by_k and k - 1 in by_k]
    if tally is not None:
        tally.plan(2 * replicates * len(tested))
    with threadpool_limits(limits=1):
        for k in tested:
            null, alternative = by_k[k - 1], by_k[k]
            observed = 2 * (alternative.log_likelihood - null.log_likelihood)
            exceed = done = 0
            for b in range(replicates):
                sample = _sample(null, null.n, rng)
                fitted = []
                for j in (k - 1, k):
                    fitted.append(
                        fit_model(
                            sample, j, chosen.structure, starts=starts, seed=(random_state, b, j)
                        )
                    )
                    if tally is not None:
                        tally.step()
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
