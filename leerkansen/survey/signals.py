"""Signals by which the survey tells the apps above it what happened, without importing them.

round_closed: sent once, by the call of rounds.close_round that closed the round, with
`assessment`. The reports app publishes the round's final report on it, so a round closed
from any place (the round page, the retention command) gets its final state.

response_completed: sent by the questionnaire's review page (views.review) when a respondent's
send completed their response, with `assessment`: after the completion's transaction has
committed, in the respondent's request. The reports app refreshes the round's report on it
(reports/receivers.py). It is sent robustly: the answers are in, so a receiver that fails is
logged and neither undoes them nor fails the respondent's send.
"""

from django.dispatch import Signal

round_closed = Signal()
response_completed = Signal()
