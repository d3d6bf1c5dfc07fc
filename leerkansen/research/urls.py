"""The researchers' area, under /onderzoek/ (researchers only: organisations.auth)."""

from django.urls import include, path

app_name = "research"

urlpatterns = [
    path("", include("leerkansen.research.urls_dashboard")),
    path("export/", include("leerkansen.research.urls_exports")),
    path("modellen/", include("leerkansen.research.urls_models")),
]
