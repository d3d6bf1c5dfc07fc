from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "leerkansen.organisations"
    verbose_name = "Organisaties"

    def ready(self) -> None:
        from .security import connect_receivers

        connect_receivers()
