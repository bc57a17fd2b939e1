from django.conf import settings
from django.db import models

from .enums import ProgrammeRole


class Programme(models.Model):
    """One edition of the programme (e.g. Horizon ESS 2021-2023 in Nouvelle-Aquitaine): the scope of roles."""

    name = models.CharField("nom", max_length=200)
    slug = models.SlugField("identifiant", unique=True)
    region = models.ForeignKey(
        "territories.Region", verbose_name="région", on_delete=models.PROTECT, null=True, blank=True
    )
    start_date = models.DateField("début", null=True, blank=True)
    end_date = models.DateField("fin", null=True, blank=True)
    description = models.TextField("description", blank=True)

    class Meta:
        verbose_name = "programme"
        verbose_name_plural = "programmes"
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="programme_dates_ordered",
            )
        ]

    def __str__(self):
        return self.name


class ProgrammeMembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ProgrammeMembership(models.Model):
    """A person's role in a programme: coordinator, consultant, facilitator, provider, committee member, funder."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="personne",
        on_delete=models.CASCADE,
        related_name="programme_memberships",
    )
    programme = models.ForeignKey(
        Programme, verbose_name="programme", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("rôle", max_length=30, choices=ProgrammeRole.choices)
    organisation_name = models.CharField(
        "organisme", max_length=200, blank=True, help_text="Cabinet, OPCO, collectivité, organisme de formation…"
    )
    is_active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = ProgrammeMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "rôle dans un programme"
        verbose_name_plural = "rôles dans les programmes"
        constraints = [
            models.UniqueConstraint(fields=["user", "programme", "role"], name="programme_membership_unique")
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.programme})"
