from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("<str:code>/", views.report, name="report"),
    path("<str:code>/rapport.pdf", views.report_pdf, name="report_pdf"),
]
