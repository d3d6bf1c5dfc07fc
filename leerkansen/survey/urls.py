from django.urls import path

from . import views

app_name = "survey"

urlpatterns = [
    path("", views.start, name="start"),
    path("uitnodiging/<str:token>/", views.invitation, name="invitation"),
    path("hervat/<str:token>/", views.resume, name="resume"),
    path("stap/<str:section_id>/", views.section, name="section"),
    path("overzicht/", views.review, name="review"),
    path("bedankt/", views.thanks, name="thanks"),
    path("opnieuw/", views.again, name="again"),
]
