from django.db import models

DIAGNOSTIC_CODE = "diagnostic-rh"


class ActionStatus(models.TextChoices):
    TODO = "todo", "À faire"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Fait"
    ABANDONED = "abandoned", "Abandonné"

    @classmethod
    def open_values(cls):
        return [cls.TODO, cls.IN_PROGRESS]
