from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "leerkansen.survey"
    verbose_name = "Vragenlijst"

    def ready(self) -> None:
        # A bad questionnaire file must stop the process at start-up.
        from leerkansen.content.questionnaire import get_questionnaire

        get_questionnaire()
