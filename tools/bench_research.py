"""Profile re-estimation at scale (issue 6), for `make bench`: seconds and peak memory.

`bench_estimation(sizes)` draws organisations' 0-100 scores from the simulation's generator
(research/simulation.py, four planted profiles, without the database) and times what
`estimate_profiles` does with them: standardise, fit k = 1..7 and choose k. Peak memory is
measured with tracemalloc (numpy reports its arrays to it), per size, around the fit only.
Fewer starts per k at 100k keep the run bounded (N_INIT_BY_SIZE); the adjusted Rand index
against the planted profiles is printed as a check that the fit is meaningful at that size.

Run alone: .venv/bin/python tools/bench_research.py [n ...]
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Starts per k: the default of estimate_profiles up to 10k organisations, two beyond.
N_INIT_BY_SIZE = ((10_000, 5), (float("inf"), 2))


def _setup() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leerkansen.settings")
    import django

    django.setup()


def n_init_for(n: int) -> int:
    return next(n_init for limit, n_init in N_INIT_BY_SIZE if n <= limit)


def bench_estimation(sizes: tuple[int, ...] = (10_000, 100_000)) -> list[str]:
    """Fit k = 1..7 on `sizes` simulated organisations; one printed line per size."""
    _setup()
    from sklearn.metrics import adjusted_rand_score

    from leerkansen.research.estimation import choose, fit_mixtures, standardisation
    from leerkansen.research.simulation import simulated_scores

    lines = []
    for n in sizes:
        scores, planted = simulated_scores(n, profiles=4, seed=1)
        n_init = n_init_for(n)
        tracemalloc.start()
        start = time.perf_counter()
        mean, sd = standardisation(scores)
        fits = fit_mixtures((scores - mean) / sd, n_init=n_init)
        chosen = choose(fits)
        seconds = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        ari = adjusted_rand_score(planted, chosen.labels)
        line = (
            f"re-estimation, {n:,} organisations (k = 1..7, {n_init} start(s) per k): "
            f"{seconds:.1f} s, peak {peak / 2**20:.0f} MB; chosen k = {chosen.k}, ARI {ari:.3f}"
        )
        print(line, flush=True)
        lines.append(line)
    return lines


if __name__ == "__main__":
    requested = tuple(int(arg.replace("_", "")) for arg in sys.argv[1:])
    bench_estimation(requested or (10_000, 100_000))
