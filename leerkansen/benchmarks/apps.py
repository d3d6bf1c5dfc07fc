from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "leerkansen.benchmarks"
    label = "benchmarks"
    verbose_name = "Benchmarks"
    default_auto_field = "django.db.models.BigAutoField"
