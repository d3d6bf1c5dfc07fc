from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("", include("leerkansen.catalogue.urls")),
    path("organisatie/rondes/", include("leerkansen.survey.urls_rounds")),
    # /organisatie/plan/… and the progress page under /rapport/<code>/voortgang/.
    path("", include("leerkansen.plans.urls")),
    path("onderzoek/", include("leerkansen.research.urls")),
    path("", include("leerkansen.organisations.urls")),
    path("vragenlijst/", include("leerkansen.survey.urls")),
    # /rapport/… and the round page's report button under /organisatie/rondes/.
    path("", include("leerkansen.reports.urls")),
    path("bestanden/", include("leerkansen.jobs.urls")),
    path("api/v1/", api.urls),
    path("beheer/", admin.site.urls),
]

# A database outage outside a view is a 503 too (lib/middleware.py); other errors stay 500.
handler500 = "leerkansen.lib.middleware.server_error"
