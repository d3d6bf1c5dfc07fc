"""A person's prepared files and other long work (the jobs app), under /bestanden/."""

from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<uuid:job_id>/", views.job_page, name="job"),
    path("<uuid:job_id>/stand/", views.job_state, name="state"),
    path("<uuid:job_id>/download/", views.job_download, name="download"),
    path("<uuid:job_id>/opnieuw/", views.job_retry, name="retry"),
]
