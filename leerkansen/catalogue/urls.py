from django.urls import path

from . import views, views_printing

app_name = "catalogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("acties/", views.action_list, name="action_list"),
    # Before "acties/<action_id>/": these names are not action ids.
    path("acties/menukaart.pdf", views_printing.menu_card_pdf, name="menu_card_pdf"),
    path("acties/menukaart.png", views_printing.menu_card_png, name="menu_card_png"),
    path("acties/<str:action_id>/fiche.pdf", views_printing.action_sheet, name="action_sheet"),
    path("acties/<str:action_id>/", views.action_detail, name="action_detail"),
]
