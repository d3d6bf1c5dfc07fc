"""Model versions (included by research.urls under modellen/, in the "research" namespace)."""

from django.urls import path

from . import views_models

urlpatterns = [
    path("", views_models.model_list, name="models"),
    # Before "<version>/": a version is never called "schatten".
    path("schatten/profielen/", views_models.estimate_profiles, name="estimate_profiles"),
    path("schatten/evidentie/", views_models.estimate_evidence, name="estimate_evidence"),
    path("<str:version>/", views_models.model_detail, name="model_detail"),
    path("<str:version>/namen/", views_models.model_rename, name="model_rename"),
    path("<str:version>/activeren/", views_models.model_activate, name="model_activate"),
]
