"""LHEO code lists the code branches on, with the labels of `lheo_dictionaries.json` (the other lists are
reference rows: referentials.LheoCode)."""

from django.db import models


class Modality(models.TextChoices):
    """dict-modalites-enseignement."""

    ON_SITE = "0", "En présentiel"
    BLENDED = "1", "Mixte (présentiel et à distance)"
    DISTANCE = "2", "À distance"


class EntryMode(models.TextChoices):
    """dict-modalites-es."""

    FIXED_DATES = "0", "Entrées et sorties à dates fixes"
    PERMANENT = "1", "Entrées et sorties permanentes"


class RecruitmentState(models.TextChoices):
    """dict-etat-recrutement."""

    OPEN = "1", "Inscriptions ouvertes"
    CLOSED = "2", "Inscriptions fermées"
    SUSPENDED = "3", "Inscriptions suspendues"


class DatePrecision(models.TextChoices):
    """How much of an LHEO date is known: `20170900` is September 2017, `20170000` the year 2017."""

    DAY = "day", "Jour"
    MONTH = "month", "Mois"
    YEAR = "year", "Année"


class ThemeOrigin(models.TextChoices):
    DERIVED = "derived", "Déduit des codes et du texte"
    MANUAL = "manual", "Choisi par la coordination"


class OfferChangeAction(models.TextChoices):
    CREATED = "created", "Création"
    UPDATED = "updated", "Modification"
    IMPORTED = "imported", "Mise à jour par l'import"
    CLOSED = "closed", "Retirée de la source"
    REOPENED = "reopened", "Revenue dans la source"
    SESSION_ADDED = "session_added", "Session ajoutée"
    SESSION_UPDATED = "session_updated", "Session modifiée"
    THEMES = "themes", "Thèmes modifiés"


class RequestStatus(models.TextChoices):
    """Where an employer's training request stands (see TrainingRequest.TRANSITIONS)."""

    SENT = "envoyee", "Envoyée"
    ACCEPTED = "acceptee", "Acceptée"
    REFUSED = "refusee", "Refusée"
    ENROLLED = "inscrite", "Inscrite"
    COMPLETED = "realisee", "Réalisée"
    CANCELLED = "annulee", "Annulée"
