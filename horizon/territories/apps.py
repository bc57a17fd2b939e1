from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "horizon.territories"
    verbose_name = "Territoires"
