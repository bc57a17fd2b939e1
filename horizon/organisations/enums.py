from django.db import models


class HeadcountBand(models.TextChoices):
    """INSEE `trancheEffectifs` codes (SIRENE)."""

    NN = "NN", "Non employeuse"
    ZERO = "00", "0 salarié"
    B01 = "01", "1 ou 2 salariés"
    B02 = "02", "3 à 5 salariés"
    B03 = "03", "6 à 9 salariés"
    B11 = "11", "10 à 19 salariés"
    B12 = "12", "20 à 49 salariés"
    B21 = "21", "50 à 99 salariés"
    B22 = "22", "100 à 199 salariés"
    B31 = "31", "200 à 249 salariés"
    B32 = "32", "250 à 499 salariés"
    B41 = "41", "500 à 999 salariés"
    B42 = "42", "1 000 à 1 999 salariés"
    B51 = "51", "2 000 à 4 999 salariés"
    B52 = "52", "5 000 à 9 999 salariés"
    B53 = "53", "10 000 salariés et plus"


class MembershipRole(models.TextChoices):
    ADMIN = "admin", "Administrateur·rice"
    MEMBER = "member", "Membre"


class StructureSource(models.TextChoices):
    MANUAL = "manual", "Déclarée sur la plateforme"
    SIRENE = "sirene", "Import SIRENE"
    DEMO = "demo", "Démonstration"


class ChangeAction(models.TextChoices):
    CREATED = "created", "Création"
    UPDATED = "updated", "Modification"
    IMPORTED = "imported", "Mise à jour par l'import SIRENE"
    MEMBER_ADDED = "member_added", "Membre ajouté"
    MEMBER_REMOVED = "member_removed", "Membre retiré"
    INVITATION_SENT = "invitation_sent", "Invitation envoyée"
    CONTACT_ADDED = "contact_added", "Contact ajouté"
    CONTACT_REMOVED = "contact_removed", "Contact retiré"
    COLLECTIVE_ADDED = "collective_added", "Ajout à un collectif"
    COLLECTIVE_REMOVED = "collective_removed", "Retrait d'un collectif"
    DIAGNOSTIC_SUBMITTED = "diagnostic_submitted", "Diagnostic envoyé"
    ACTION_PLAN_CHANGED = "action_plan_changed", "Plan d'action modifié"
    ACTION_PLAN_AGREED = "action_plan_agreed", "Plan d'action validé"
