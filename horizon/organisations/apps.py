from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "horizon.organisations"
    verbose_name = "Structures"
