from django.db import models


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Envoyé"


class ResponseEventKind(models.TextChoices):
    STARTED = "started", "Commencé"
    SUBMITTED = "submitted", "Envoyé"
    REOPENED = "reopened", "Rouvert"
