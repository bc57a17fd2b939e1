from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "horizon.questionnaires"
    verbose_name = "Questionnaires"

    def ready(self):
        from . import attachments  # noqa: F401 (deletes a removed attachment's file, whoever removes it)
