from django.apps import AppConfig


class ReferentialsConfig(AppConfig):
    name = "horizon.referentials"
    verbose_name = "Référentiels"
