from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "leerkansen.reports"
    verbose_name = "Rapporten"

    def ready(self) -> None:
        from leerkansen.survey.signals import round_closed

        from .services import publish_final_report

        round_closed.connect(publish_final_report, dispatch_uid="reports.publish_final_report")
