from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "leerkansen.reports"
    verbose_name = "Rapporten"
