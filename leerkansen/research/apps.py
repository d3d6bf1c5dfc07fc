from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    """The researchers' area: aggregate views, exports, model re-estimation and versions."""

    name = "leerkansen.research"
    verbose_name = _("Research")

    def ready(self) -> None:
        from . import jobs  # noqa: F401 (registers the research export job)
