from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("acties/", views.action_list, name="action_list"),
    path("acties/<str:action_id>/", views.action_detail, name="action_detail"),
]
