from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "leerkansen.organisations"
    verbose_name = "Organisaties"
