from django.urls import path

from . import views, views_progress, views_ratings

app_name = "reports"

urlpatterns = [
    # Before "<code>/": the demo report is public, every other report is its organisation's.
    path("demo/", views.demo_report, name="demo_report"),
    path("demo/rapport.pdf", views.demo_report_pdf, name="demo_report_pdf"),
    path("<str:code>/", views.report, name="report"),
    path("<str:code>/rapport.pdf", views.report_pdf, name="report_pdf"),
    path("<str:code>/beoordelen/", views_ratings.rate_actions, name="rate_actions"),
    path("<str:code>/voortgang/", views_progress.progress, name="progress"),
]
