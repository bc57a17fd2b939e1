from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "horizon.demo"
    verbose_name = "Données de démonstration"
