"""The researchers' area, under /onderzoek/ (researchers only: organisations.auth)."""

from django.urls import include, path

from . import views_second_factor

app_name = "research"

urlpatterns = [
    path("", include("leerkansen.research.urls_dashboard")),
    path("export/", include("leerkansen.research.urls_exports")),
    path("modellen/", include("leerkansen.research.urls_models")),
    path("tweede-factor/", views_second_factor.second_factor, name="second_factor"),
]
