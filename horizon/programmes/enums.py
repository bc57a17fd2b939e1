from django.db import models


class ProgrammeRole(models.TextChoices):
    """Roles held within a programme. Employers belong to structures instead (organisations.Membership)."""

    COORDINATOR = "coordinator", "Coordinateur·rice"
    CONSULTANT = "consultant", "Consultant·e"
    FACILITATOR = "facilitator", "Animateur·rice"
    PROVIDER = "provider", "Organisme de formation"
    COMMITTEE_MEMBER = "committee_member", "Membre de comité"
    FUNDER = "funder", "Financeur / partenaire"


class ProgrammeTheme(models.TextChoices):
    """The programme's themes of need: what a diagnostic finds, what training offers answer, what is reported."""

    FICHE_DE_POSTE = "fiche_de_poste", "Fiche de poste"
    RECRUTEMENT_APPRENTISSAGE = "recrutement_apprentissage", "Recrutement et apprentissage"
    FORMATION_COMPETENCES = "formation_competences", "Formation et compétences"
    PARCOURS_PROFESSIONNELS = "parcours_professionnels", "Parcours professionnels"
    GPEC = "gpec", "GPEC"
    POLITIQUE_RH = "politique_rh", "Politique RH"
    AFEST = "afest", "AFEST"
    MANAGEMENT = "management", "Management"
    QVCT_TELETRAVAIL = "qvct_teletravail", "QVCT et télétravail"
    DIALOGUE_SOCIAL = "dialogue_social", "Dialogue social"
    EGALITE_DIVERSITE = "egalite_diversite", "Égalité et diversité"
