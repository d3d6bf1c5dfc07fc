from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "leerkansen.reports"
    verbose_name = "Rapporten"

    def ready(self) -> None:
        # The signals of the survey and of the organisation's page, and what the reports app
        # does on them: receivers.py.
        from leerkansen.benchmarks.signals import round_results_wanted
        from leerkansen.organisations.signals import dashboard_shown
        from leerkansen.survey.signals import response_completed, round_closed

        from .receivers import dashboard_report, refresh_round_report, round_results
        from .services import publish_final_report

        round_closed.connect(publish_final_report, dispatch_uid="reports.publish_final_report")
        response_completed.connect(
            refresh_round_report, dispatch_uid="reports.refresh_round_report"
        )
        dashboard_shown.connect(dashboard_report, dispatch_uid="reports.dashboard_report")
        round_results_wanted.connect(round_results, dispatch_uid="reports.round_results")
