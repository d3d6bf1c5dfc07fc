"""The organisation's action plan, under /organisatie/plan/, and the progress of a round's
report since the previous round, under /rapport/<code>/voortgang/ (next to the report's own
pages, reports/urls.py)."""

from django.urls import include, path

from . import views, views_progress

app_name = "plans"

plan_patterns = [
    path("", views.plan, name="plan"),
    path("toevoegen/", views.add, name="add"),
    path("top-3/", views.prefill, name="prefill"),
    path("actieplan.pdf", views.plan_pdf, name="plan_pdf"),
    path("actieplan.xlsx", views.plan_xlsx, name="plan_xlsx"),
    path("fiches.pdf", views.sheets_pdf, name="sheets_pdf"),
    path("menukaart.pdf", views.menu_card_pdf, name="menu_card_pdf"),
    path("menukaart.png", views.menu_card_png, name="menu_card_png"),
    # An item's code is random (22 characters): it cannot be one of the words above.
    path("<str:code>/", views.edit, name="edit"),
    path("<str:code>/verplaatsen/", views.move, name="move"),
    path("<str:code>/verwijderen/", views.remove, name="remove"),
    path("<str:code>/fiche.pdf", views.item_sheet_pdf, name="item_sheet_pdf"),
]

urlpatterns = [
    path("organisatie/plan/", include(plan_patterns)),
    path("rapport/<str:code>/voortgang/", views_progress.progress, name="progress"),
]
