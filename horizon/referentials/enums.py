from django.db import models


class EssFamily(models.TextChoices):
    ASSOCIATION = "association", "Association"
    COOPERATIVE = "cooperative", "Coopérative"
    MUTUELLE = "mutuelle", "Mutuelle"
    FONDATION = "fondation", "Fondation"
    OTHER = "other", "Autre forme"


class RomeSkillKind(models.TextChoices):
    KNOW_HOW = "savoir_faire", "Savoir-faire"
    SOFT_SKILL = "savoir_etre", "Savoir-être professionnel"
    KNOWLEDGE = "savoir", "Savoir"
