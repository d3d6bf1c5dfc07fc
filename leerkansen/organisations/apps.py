from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "leerkansen.organisations"
    verbose_name = "Organisaties"

    def ready(self) -> None:
        from . import jobs, throttle  # noqa: F401 (jobs registers the data download)
        from .security import connect_receivers

        connect_receivers()
        throttle.connect_receivers()
