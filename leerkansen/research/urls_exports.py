"""Research exports (included by research.urls under export/, in the "research" namespace)."""

from django.urls import path

from . import views_exports

urlpatterns = [
    path("", views_exports.export_list, name="exports"),
    path("codeboek/<slug:file_format>/", views_exports.export_codebook, name="export_codebook"),
    path(
        "<slug:dataset>/<slug:file_format>/",
        views_exports.export_download,
        name="export_download",
    ),
]
