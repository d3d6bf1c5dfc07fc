from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModelVersionsConfig(AppConfig):
    """The profile model versions: which model a report uses, and the life of a version.

    Below reports (which ask it for the model) and research (which estimates new versions and
    shows them to researchers); it imports only scoring and organisations.
    """

    name = "leerkansen.modelversions"
    verbose_name = _("Model versions")
