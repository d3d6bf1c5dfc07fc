"""The paper pages of a round, under /organisatie/rondes/<code>/papier/ (leerkansen/urls.py)."""

from django.urls import path

from . import views

app_name = "paper"

urlpatterns = [
    path("<str:code>/papier/", views.index, name="index"),
    path("<str:code>/papier/vragenlijst.pdf", views.form_pdf_view, name="form_pdf"),
    path("<str:code>/papier/invoeren/", views.entry, name="entry"),
    path("<str:code>/papier/sjabloon.csv", views.template_csv, name="template_csv"),
    path("<str:code>/papier/sjabloon.xlsx", views.template_xlsx, name="template_xlsx"),
    path("<str:code>/papier/importeren/", views.import_file, name="import"),
]
