from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "leerkansen.catalogue"

    def ready(self) -> None:
        # A bad catalogue file must stop the process at start-up, not fail on a first request.
        from leerkansen.content.catalogue import get_catalogue

        get_catalogue()
