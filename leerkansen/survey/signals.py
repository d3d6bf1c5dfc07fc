"""Signals by which the survey tells the apps above it what happened, without importing them.

round_closed: sent once, by the call of rounds.close_round that closed the round, with
`assessment`. The reports app publishes the round's final report on it, so a round closed
from any place (the round page, the retention command) gets its final state.
"""

from django.dispatch import Signal

round_closed = Signal()
