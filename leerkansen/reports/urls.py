"""The report pages under /rapport/, and the round page's report button under
/organisatie/rondes/<code>/rapport/ (the round pages themselves: survey/urls_rounds.py)."""

from django.urls import include, path

from . import views, views_comments, views_ratings

app_name = "reports"

report_patterns = [
    # Before "<code>/": the demo report is public, every other report is its organisation's.
    path("demo/", views.demo_report, name="demo_report"),
    path("demo/rapport.pdf", views.demo_report_pdf, name="demo_report_pdf"),
    path("<str:code>/", views.report, name="report"),
    path("<str:code>/rapport.pdf", views.report_pdf, name="report_pdf"),
    path("<str:code>/beoordelen/", views_ratings.rate_actions, name="rate_actions"),
    path("<str:code>/opmerkingen/", views_comments.comments, name="comments"),
    # "<code>/voortgang/", the progress since the previous round, is the plans app's.
]

urlpatterns = [
    path("rapport/", include(report_patterns)),
    path("organisatie/rondes/<str:code>/rapport/", views.round_report, name="round_report"),
]
