from django.db import models


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Envoyé"


class ResponseEventKind(models.TextChoices):
    STARTED = "started", "Commencé"
    SUBMITTED = "submitted", "Envoyé"
    REOPENED = "reopened", "Rouvert"
    ATTACHMENT_ADDED = "attachment_added", "Pièce jointe ajoutée"
    ATTACHMENT_REMOVED = "attachment_removed", "Pièce jointe retirée"
