from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "horizon.programmes"
    verbose_name = "Programmes et rôles"
