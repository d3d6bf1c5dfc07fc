from django.urls import path

from . import language, views, views_sent

app_name = "survey"

urlpatterns = [
    path("", views.start, name="start"),
    path("uitnodiging/<str:token>/", views.invitation, name="invitation"),
    path("hervat/<str:token>/", views.resume, name="resume"),
    path("stap/<str:section_id>/", views.section, name="section"),
    path("overzicht/", views.review, name="review"),
    path("bedankt/", views_sent.thanks, name="thanks"),
    path("opnieuw/", views.again, name="again"),
    path("taal/", language.choose_language, name="language"),
]
