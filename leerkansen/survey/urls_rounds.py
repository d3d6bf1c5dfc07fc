"""The admin's round pages, under /organisatie/rondes/."""

from django.urls import path

from . import views_rounds as views

app_name = "rounds"

urlpatterns = [
    path("", views.round_list, name="list"),
    path("<str:code>/", views.round_detail, name="detail"),
    path("<str:code>/uitnodigen/", views.round_invite, name="invite"),
    path("<str:code>/gedeelde-link/", views.round_shared_link, name="shared_link"),
    path(
        "<str:code>/gedeelde-link/<str:link>/uitzetten/",
        views.round_disable_link,
        name="disable_link",
    ),
    path("<str:code>/herinneren/", views.round_remind, name="remind"),
    path("<str:code>/afsluiten/", views.round_close, name="close"),
    # "<code>/rapport/" (make or update the report) is the reports app's: reports/urls.py.
    path("<str:code>/zelf-invullen/", views.round_answer, name="answer"),
]
