from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "horizon.training"
    verbose_name = "Offre de formation"
