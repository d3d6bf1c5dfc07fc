"""Signals by which the benchmarks app asks the app above it for what it needs, without
importing it.

round_results_wanted: sent by services.counted_rounds with `assessment_ids`; a receiver returns
{assessment id: {"final": bool, "response_count": int, "scores": {"1": float|None, ...},
"profile": {"id", "name"}}} for the rounds that have a report. The reports app answers from
its report snapshots (reports/receivers.py), so a benchmark uses the very scores a report
showed, never a second computation of them.
"""

from django.dispatch import Signal

round_results_wanted = Signal()
