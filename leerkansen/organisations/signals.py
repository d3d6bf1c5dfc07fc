"""Signals by which the organisation's page asks the apps above it what they add, without
importing them.

dashboard_shown: sent by the organisation's page (views.dashboard) with `organisation`, before
it renders; each receiver returns a dict that is added to the page's context. The reports app
answers with `latest_report` and `has_rounds` (reports/receivers.py), so that the page leads
to the newest report in one click, or says why there is none yet.
"""

from django.dispatch import Signal

dashboard_shown = Signal()
