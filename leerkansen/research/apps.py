from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    """The researchers' area: aggregate views, exports, model re-estimation and versions."""

    name = "leerkansen.research"
    verbose_name = _("Research")

    def ready(self) -> None:
        from . import jobs, jobs_estimation  # noqa: F401 (register the research job kinds)
