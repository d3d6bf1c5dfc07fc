"""The researchers' dashboard (included by research.urls in the "research" namespace)."""

from django.urls import path

from . import views_benchmarks, views_dashboard

urlpatterns = [
    path("", views_dashboard.overview, name="dashboard"),
    path("organisaties/", views_dashboard.organisation_list, name="organisation_list"),
    path("vergelijking/", views_benchmarks.benchmark_table, name="benchmarks"),
    path("vergelijking/tabel.csv", views_benchmarks.benchmark_csv, name="benchmarks_csv"),
]
