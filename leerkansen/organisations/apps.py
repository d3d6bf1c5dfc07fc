from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "leerkansen.organisations"
    verbose_name = "Organisaties"

    def ready(self) -> None:
        from . import throttle
        from .security import connect_receivers

        connect_receivers()
        throttle.connect_receivers()
