from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "horizon.questionnaires"
    verbose_name = "Questionnaires"
