"""Profile re-estimation at scale (issues 6 and 15), for `make bench`: seconds and peak memory.

`bench_estimation(sizes)` draws organisations' 0-100 scores from the simulation's generator
(research/simulation.py, four planted profiles, within-profile correlation 0.3, without the
database) and times what `estimate_profiles` does with them: standardise, fit the grid of
covariance structures × k = 1..8 (research/estimation.py `select_model`) and choose. At
100,000 organisations the whole grid would take long, so beyond GRID_LIMIT the bench fits the
structure and k chosen at the smaller size only (one model, as a re-estimation on a known
specification does). Peak memory is measured with tracemalloc (numpy reports its arrays to
it), around the fit only. The adjusted Rand index against the planted profiles is printed as
a check that the fit is meaningful at that size.

`bench_weak_separation()` measures what measurement noise leaves of weakly separated profiles
(docs/scoring.md, "Validation"): four profiles 20 points apart at n = 2,000, answered by 1,
10 or 20 respondents per organisation (simulation_draws.simulated_scores: the scores the
reports of `simulate_organisations --separation 20 --respondents M` hold, with its default 1%
"weet niet", seed 1). Per M it prints the ARI of the chosen solution (the full grid, as
estimate_profiles fits it, with WEAK_STARTS starts) and the oracle bound: the ARI of linear
discriminant analysis trained on the planted labels and classifying the same organisations
(their few missing scores at the mean), which no method that does not know the labels is
expected to beat. research/tests/test_estimation.py checks M = 1 through the database.

Run alone: .venv/bin/python tools/bench_research.py [n ...]
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Random starts per model in the bench (estimate_profiles uses mixtures.STARTS, 50).
STARTS = 10
# Above this many organisations, only the model chosen at the smaller size is fitted.
GRID_LIMIT = 10_000
# The weak-separation figures: random starts and final runs per model (as the test).
WEAK_STARTS, WEAK_FINAL_STARTS = 6, 3


def _setup() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leerkansen.settings")
    import django

    django.setup()


def bench_estimation(sizes: tuple[int, ...] = (5_000, 100_000)) -> list[str]:
    """The grid at sizes up to GRID_LIMIT, the chosen model beyond; one line per size."""
    _setup()
    from sklearn.metrics import adjusted_rand_score

    from leerkansen.research.mixtures import fit_model, standardisation
    from leerkansen.research.model_selection import select_model
    from leerkansen.research.simulation_draws import simulated_scores

    lines = []
    chosen = None
    for n in sorted(sizes):
        scores, planted = simulated_scores(n, profiles=4, seed=1, within_correlation=0.3)
        tracemalloc.start()
        start = time.perf_counter()
        mean, sd = standardisation(scores)
        z = (scores - mean) / sd
        if n <= GRID_LIMIT or chosen is None:
            fit = select_model(z, starts=STARTS).chosen
            what = f"grid of 4 structures x k = 1..8, {STARTS} starts each"
            chosen = (fit.structure, fit.k)
        else:
            fit = fit_model(z, chosen[1], chosen[0], starts=STARTS)
            what = f"the chosen {chosen[0]} k = {chosen[1]}, {STARTS} starts"
        seconds = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        labels = fit.posterior.argmax(axis=1)
        ari = adjusted_rand_score(planted, labels)
        line = (
            f"re-estimation, {n:,} organisations ({what}): {seconds:.1f} s, peak "
            f"{peak / 2**20:.0f} MB; {fit.structure} k = {fit.k}, ARI {ari:.3f}"
        )
        print(line, flush=True)
        lines.append(line)
    return lines


def bench_weak_separation(
    respondents: tuple[int, ...] = (1, 10, 20), n: int = 2_000, separation: float = 20.0
) -> list[str]:
    """Per number of respondents: the chosen k, its ARI and the oracle bound; one line each."""
    _setup()
    import numpy as np
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.metrics import adjusted_rand_score

    from leerkansen.research.mixtures import standardisation
    from leerkansen.research.model_selection import select_model
    from leerkansen.research.simulation_draws import DONT_KNOW, simulated_scores

    lines = []
    for m in respondents:
        start = time.perf_counter()
        scores, planted = simulated_scores(
            n, profiles=4, seed=1, separation=separation, respondents=m, missing=DONT_KNOW
        )
        mean, sd = standardisation(scores)
        z = (scores - mean) / sd
        chosen = select_model(z, starts=WEAK_STARTS, final_starts=WEAK_FINAL_STARTS).chosen
        ari = adjusted_rand_score(planted, chosen.labels)
        filled = np.nan_to_num(z, nan=0.0)
        oracle = LinearDiscriminantAnalysis().fit(filled, planted).predict(filled)
        bound = adjusted_rand_score(planted, oracle)
        line = (
            f"weak separation ({separation:g} points, {n:,} organisations, {m} respondent"
            f"{'s' if m > 1 else ''} each): {chosen.structure} k = {chosen.k}, ARI {ari:.3f}, "
            f"oracle bound {bound:.3f} ({time.perf_counter() - start:.0f} s)"
        )
        print(line, flush=True)
        lines.append(line)
    return lines


if __name__ == "__main__":
    requested = tuple(int(arg.replace("_", "")) for arg in sys.argv[1:])
    bench_estimation(requested or (5_000, 100_000))
    if not requested:
        bench_weak_separation()
