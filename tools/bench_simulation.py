"""Simulated organisations at scale (issue 15), for `make bench`: seconds and peak memory.

In a throw-away SQLite database (or BENCH_DATABASE_URL), each step in a fresh process so that
its peak resident memory (VmHWM) is its own:
1. `simulate_organisations --n 100000` (one HR respondent, 6 ratings each): target ≤ 2 min,
   ≤ 1 GB (issue 15; it took 14 min and 4.3 GB before);
2. reading what estimation reads: research.estimation.organisation_scores(simulated=True);
3. `estimate_profiles --simulated --dry-run` on them with a small grid (ESTIMATE_OPTIONS: one
   covariance structure, few starts, no bootstrap), printing its "ARI against planted" line;
   the full grid at this size belongs to tools/bench_research.py.

Run alone: .venv/bin/python tools/bench_simulation.py [n]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"seconds": 120.0, "mb": 1024.0}
ESTIMATE_OPTIONS = (
    *("--structures", "diag", "--max-k", "6", "--starts", "4", "--final-starts", "2"),
    *("--bootstraps", "0"),
)


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(step: str, n: int) -> None:
    """One step in this (fresh) process; prints one line with its seconds and peak memory."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    start = time.perf_counter()
    if step == "simulate":
        call_command("simulate_organisations", "--n", str(n), stdout=StringIO())
        seconds, peak = time.perf_counter() - start, peak_rss_mb()
        ok = seconds <= TARGETS["seconds"] and peak <= TARGETS["mb"]
        print(
            f"simulate_organisations, {n:,} organisations: {seconds:.1f} s, peak RSS "
            f"{peak:.0f} MB  (target ≤ {TARGETS['seconds']:.0f} s and ≤ {TARGETS['mb']:.0f} MB: "
            f"{'met' if ok else 'NOT met'})",
            flush=True,
        )
    elif step == "read":
        from leerkansen.research.estimation import organisation_scores

        table = organisation_scores(simulated=True)
        print(
            f"  what estimation reads ({len(table.organisation_ids):,} score vectors): "
            f"{time.perf_counter() - start:.1f} s, peak RSS {peak_rss_mb():.0f} MB",
            flush=True,
        )
    else:
        out = StringIO()
        call_command("estimate_profiles", "--simulated", "--dry-run", *ESTIMATE_OPTIONS, stdout=out)
        found = [line for line in out.getvalue().splitlines() if "ARI" in line or "chosen" in line]
        print(
            f"  estimate_profiles --simulated ({' '.join(ESTIMATE_OPTIONS)}): "
            f"{time.perf_counter() - start:.1f} s, peak RSS {peak_rss_mb():.0f} MB; "
            + "; ".join(found[-2:]),
            flush=True,
        )


def main(n: int) -> None:
    var = tempfile.mkdtemp(prefix="leerkansen-bench-simulation-")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="leerkansen.settings")
    env["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{var}/bench.db"
    env["LEERKANSEN_VAR_DIR"] = var
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )
    for step in ("simulate", "read", "estimate"):
        result = subprocess.run(
            [sys.executable, __file__, "--child", step, str(n)], cwd=ROOT, env=env
        )
        if result.returncode:
            print(f"  ({step} failed with exit status {result.returncode})", flush=True)
            break


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main(int(sys.argv[1].replace("_", "")) if len(sys.argv) > 1 else 100_000)
