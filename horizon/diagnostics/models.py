from django.conf import settings
from django.db import models
from django.db.models import Q

from horizon.programmes.enums import ProgrammeTheme

from .enums import ActionStatus


class NeedQuerySet(models.QuerySet):
    def current(self):
        """The needs of each structure's latest submitted diagnostic: what the structure needs today."""
        return self.filter(response__is_latest=True)

    def in_territory(self, departement=None, epci=None):
        if departement is not None:
            self = self.filter(structure__commune__departement=departement)
        if epci is not None:
            self = self.filter(structure__commune__epci=epci)
        return self


class Need(models.Model):
    """A structure's need on one programme theme, found by a submitted diagnostic (one row per theme)."""

    response = models.ForeignKey("questionnaires.Response", on_delete=models.CASCADE, related_name="needs")
    structure = models.ForeignKey("organisations.Structure", on_delete=models.CASCADE, related_name="needs")
    theme = models.CharField("thème", max_length=40, choices=ProgrammeTheme.choices)
    dimensions = models.JSONField("thèmes du diagnostic en cause", default=list)
    created_at = models.DateTimeField("relevé le", auto_now_add=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = "besoin"
        verbose_name_plural = "besoins"
        ordering = ["structure", "theme"]
        constraints = [models.UniqueConstraint(fields=["response", "theme"], name="need_unique_theme")]
        indexes = [models.Index(fields=["theme", "structure"], name="need_theme_structure_idx")]

    def __str__(self):
        return f"{self.structure} — {self.get_theme_display()}"


class ActionPlan(models.Model):
    """The actions a structure decides after its diagnostic, agreed by its direction and a staff representative."""

    response = models.OneToOneField(
        "questionnaires.Response", on_delete=models.RESTRICT, related_name="action_plan", verbose_name="diagnostic"
    )
    structure = models.ForeignKey("organisations.Structure", on_delete=models.CASCADE, related_name="action_plans")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    direction_name = models.CharField("pour la direction", max_length=150, blank=True)
    staff_representative_name = models.CharField("pour les salarié·es", max_length=150, blank=True)
    agreed_on = models.DateField("validé le", null=True, blank=True)
    agreement_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreement_recorded_at = models.DateTimeField("validation enregistrée le", null=True, blank=True)

    class Meta:
        verbose_name = "plan d'action"
        verbose_name_plural = "plans d'action"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreed_on__isnull=True) | (~Q(direction_name="") & ~Q(staff_representative_name="")),
                name="action_plan_agreement_names",
            ),
            models.CheckConstraint(
                condition=Q(agreed_on__isnull=True) | Q(agreement_recorded_at__isnull=False),
                name="action_plan_agreement_recorded",
            ),
        ]

    def __str__(self):
        return f"Plan d'action — {self.structure}"

    @property
    def is_agreed(self):
        return self.agreed_on is not None


class ActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=ActionStatus.open_values())

    def overdue(self, today):
        return self.open().filter(due_date__lt=today)


class Action(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    dimension = models.CharField("thème du diagnostic", max_length=60, blank=True)
    title = models.CharField("action", max_length=255)
    description = models.TextField("précisions", blank=True)
    owner = models.CharField("responsable", max_length=150, blank=True)
    due_date = models.DateField("échéance", null=True, blank=True)
    status = models.CharField("état", max_length=20, choices=ActionStatus.choices, default=ActionStatus.TODO)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = "action"
        verbose_name_plural = "actions"
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["plan", "status", "due_date"], name="action_plan_status_due_idx")]

    def __str__(self):
        return self.title

    def is_overdue(self, today):
        return self.status in ActionStatus.open_values() and self.due_date is not None and self.due_date < today
