from django.db import models


class ProgrammeRole(models.TextChoices):
    """Roles held within a programme. Employers belong to structures instead (organisations.Membership)."""

    COORDINATOR = "coordinator", "Coordinateur·rice"
    CONSULTANT = "consultant", "Consultant·e"
    FACILITATOR = "facilitator", "Animateur·rice"
    PROVIDER = "provider", "Organisme de formation"
    COMMITTEE_MEMBER = "committee_member", "Membre de comité"
    FUNDER = "funder", "Financeur / partenaire"
