from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    # First the patterns the busiest cheap pages resolve through: Django tries the patterns in
    # order, and walking every app's list first cost the report page 0.08 ms (issue 16, item
    # 4). No other pattern starts with api/v1/ or rapport/ or ends in /rondes/<code>/rapport/
    # (tests/test_urls.py: every named URL resolves to itself).
    path("api/v1/", api.urls),
    # /rapport/… and the round page's report button under /organisatie/rondes/.
    path("", include("leerkansen.reports.urls")),
    path("", include("leerkansen.catalogue.urls")),
    path("organisatie/rondes/", include("leerkansen.survey.urls_rounds")),
    path("organisatie/rondes/", include("leerkansen.paper.urls")),
    # /organisatie/plan/… and the progress page under /rapport/<code>/voortgang/.
    path("", include("leerkansen.plans.urls")),
    path("onderzoek/", include("leerkansen.research.urls")),
    path("", include("leerkansen.organisations.urls")),
    path("vragenlijst/", include("leerkansen.survey.urls")),
    path("bestanden/", include("leerkansen.jobs.urls")),
    path("beheer/", admin.site.urls),
]

# A database outage outside a view is a 503 too (lib/middleware.py); other errors stay 500.
handler500 = "leerkansen.lib.middleware.server_error"
