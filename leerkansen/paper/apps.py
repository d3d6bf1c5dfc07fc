from django.apps import AppConfig


class PaperConfig(AppConfig):
    name = "leerkansen.paper"
    label = "paper"
    verbose_name = "Paper questionnaires"
    default_auto_field = "django.db.models.BigAutoField"
