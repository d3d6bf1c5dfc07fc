from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """The organisation's priority list and action plan, overview sheets and menu card."""

    name = "leerkansen.plans"
    verbose_name = _("Action plans")

    def ready(self) -> None:
        from . import jobs  # noqa: F401 (registers the overview sheets' job)
