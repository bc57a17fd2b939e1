"""The training offer, as LHEO shapes it: a provider's formations, their actions (how, where, at what price), and
the actions' sessions (when). Codes (Formacode, NSF, ROME, RNCP, LHEO lists) are kept verbatim as strings.

Imported records are keyed by (source, source_id): the name of the feed and the record's LHEO id. A record that
disappears from its source is closed (`closed_at`), never deleted, so that requests and history keep pointing at it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from horizon.programmes.enums import ProgrammeTheme

from .enums import (
    DatePrecision,
    EntryMode,
    Modality,
    OfferChangeAction,
    RecruitmentState,
    RequestStatus,
    ThemeOrigin,
)

MANUAL_SOURCE = "plateforme"  # offers entered on the platform by providers and coordinators


class Provider(models.Model):
    """An organisme de formation: the body responsible for formations."""

    name = models.CharField("nom", max_length=255)
    legal_name = models.CharField("raison sociale", max_length=255, blank=True)
    siret = models.CharField("SIRET", max_length=14, unique=True, null=True, blank=True)
    nda = models.CharField("numéro de déclaration d'activité", max_length=11, blank=True)
    qualiopi = models.BooleanField("certifié Qualiopi", default=False)
    address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        "territories.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    website = models.URLField("site web", max_length=255, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "organisme de formation"
        verbose_name_plural = "organismes de formation"
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProviderMembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ProviderMembership(models.Model):
    """A person who manages a provider's offers on the platform (role "Organisme de formation")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_memberships")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="memberships")
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProviderMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "membre d'un organisme de formation"
        verbose_name_plural = "membres des organismes de formation"
        constraints = [models.UniqueConstraint(fields=["user", "provider"], name="provider_membership_unique")]

    def __str__(self):
        return f"{self.user} — {self.provider}"


class FormationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class Formation(models.Model):
    """What is taught (LHEO `formation`): title, objective, content, certification, subject codes."""

    source = models.CharField("source", max_length=50)
    source_id = models.CharField("identifiant dans la source", max_length=100)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="formations")
    title = models.CharField("intitulé", max_length=255)
    objective = models.TextField("objectif", blank=True)
    expected_results = models.TextField("résultats attendus", blank=True)
    content = models.TextField("contenu", blank=True)
    certifying = models.BooleanField("certifiante", default=False)
    certifications = models.JSONField("certifications", default=list, blank=True)  # [{"type": "RNCP", "code": …}]
    formacodes = models.JSONField("codes Formacode", default=list, blank=True)  # the first is the main one
    nsf_codes = models.JSONField("codes NSF", default=list, blank=True)
    rome_codes = models.JSONField("codes ROME", default=list, blank=True)
    entry_level = models.CharField("niveau d'entrée", max_length=3, blank=True)  # dict-niveaux
    exit_level = models.CharField("niveau de sortie", max_length=3, blank=True)  # dict-niveaux
    general_objective = models.CharField("objectif général", max_length=3, blank=True)  # dict-AIS
    course_type = models.CharField("type de parcours", max_length=3, blank=True)  # dict-type-parcours
    url = models.URLField("page de la formation", max_length=500, blank=True)
    # Themes chosen by a coordinator are kept as they are: the derivation rules no longer touch them.
    themes_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    themes_edited_at = models.DateTimeField("thèmes choisis le", null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)  # of the imported record
    closed_at = models.DateTimeField("retirée de la source le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FormationQuerySet.as_manager()

    class Meta:
        verbose_name = "formation"
        verbose_name_plural = "formations"
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="formation_source_unique")]
        # The closed ones, that the catalogue leaves out without joining every session to its formation.
        indexes = [models.Index(fields=["id"], condition=Q(closed_at__isnull=False), name="formation_closed_idx")]

    def __str__(self):
        return self.title


class FormationTheme(models.Model):
    """A programme theme an offer answers (derived from codes and words by rules, or chosen by a coordinator)."""

    formation = models.ForeignKey(Formation, on_delete=models.CASCADE, related_name="themes")
    theme = models.CharField("thème", max_length=40, choices=ProgrammeTheme.choices)
    origin = models.CharField("origine", max_length=10, choices=ThemeOrigin.choices, default=ThemeOrigin.DERIVED)

    class Meta:
        verbose_name = "thème d'une formation"
        verbose_name_plural = "thèmes des formations"
        constraints = [models.UniqueConstraint(fields=["formation", "theme"], name="formation_theme_unique")]
        indexes = [models.Index(fields=["theme", "formation"], name="formation_theme_idx")]

    def __str__(self):
        return f"{self.formation} — {self.get_theme_display()}"


class Located(models.Model):
    """Where an action or a session is held: a commune and coordinates (a session's are its action's, copied for
    distance search). No index of its own on the commune: nothing looks actions up by commune, and sessions have
    theirs with the start date (Session.Meta.indexes)."""

    commune = models.ForeignKey(
        "territories.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        abstract = True


class Action(Located):
    """How and where a formation is delivered (LHEO `action`). Its formation is looked up through the unique
    (formation, source_id) index."""

    formation = models.ForeignKey(Formation, on_delete=models.CASCADE, related_name="actions", db_index=False)
    source_id = models.CharField("identifiant dans la source", max_length=100)
    modality = models.CharField("modalité", max_length=1, choices=Modality.choices, default=Modality.ON_SITE)
    entry_mode = models.CharField(
        "entrées et sorties", max_length=1, choices=EntryMode.choices, default=EntryMode.FIXED_DATES
    )
    rhythm = models.TextField("rythme", blank=True)
    conditions = models.TextField("conditions spécifiques", blank=True)
    price_total = models.DecimalField("prix total TTC", max_digits=10, decimal_places=2, null=True, blank=True)
    price_hourly = models.DecimalField("prix horaire TTC", max_digits=8, decimal_places=2, null=True, blank=True)
    hours_total = models.PositiveIntegerField("durée totale (heures)", null=True, blank=True)
    hours_centre = models.PositiveIntegerField("heures en centre", null=True, blank=True)
    hours_company = models.PositiveIntegerField("heures en entreprise", null=True, blank=True)
    funders = models.JSONField("financeurs", default=list, blank=True)  # dict-financeurs codes
    cpf_eligible = models.BooleanField("éligible au CPF", default=False)
    trainer_name = models.CharField("organisme formateur", max_length=255, blank=True)
    trainer_siret = models.CharField("SIRET du formateur", max_length=14, blank=True)
    place_name = models.CharField("lieu", max_length=255, blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    closed_at = models.DateTimeField("retirée de la source le", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "action de formation"
        verbose_name_plural = "actions de formation"
        constraints = [models.UniqueConstraint(fields=["formation", "source_id"], name="action_source_unique")]
        # What the joinable rule (horizon.training.availability) asks of a session's action, without a join.
        indexes = [
            models.Index(fields=["id"], condition=Q(closed_at__isnull=False), name="action_closed_idx"),
            models.Index(fields=["id"], condition=Q(entry_mode=EntryMode.PERMANENT), name="action_permanent_idx"),
        ]

    def __str__(self):
        return f"{self.formation} ({self.get_modality_display()})"


class SessionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def upcoming(self, today):
        """Open sessions that have not ended (or whose end is unknown)."""
        return self.open().filter(Q(end_date__gte=today) | Q(end_date__isnull=True, start_date__gte=today))


class Session(Located):
    """When an action takes place (LHEO `session`). Its place is its action's, copied for distance search.

    Sessions are the biggest table an import writes: each index costs on every row, so the foreign keys have
    none of their own when another index starts with them: the unique (action, source_id), and those of Meta with
    the start date for the formation and the commune."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="sessions", db_index=False)
    formation = models.ForeignKey(
        Formation, on_delete=models.CASCADE, related_name="sessions", editable=False, db_index=False
    )
    source_id = models.CharField("identifiant dans la source", max_length=100)
    start_date = models.DateField("début", null=True, blank=True)
    start_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    end_date = models.DateField("fin", null=True, blank=True)
    end_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    recruitment_state = models.CharField(
        "inscriptions", max_length=1, choices=RecruitmentState.choices, default=RecruitmentState.OPEN
    )
    registration_address = models.CharField("adresse d'inscription", max_length=255, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    closed_at = models.DateTimeField("retirée de la source le", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = "session"
        verbose_name_plural = "sessions"
        ordering = ["start_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "source_id"], name="session_source_unique"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="session_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["formation", "start_date"], name="session_formation_start_idx"),
            models.Index(fields=["commune", "start_date"], name="session_commune_start_idx"),
            models.Index(fields=["start_date"], name="session_start_idx"),
        ]

    def __str__(self):
        return f"{self.formation} — {self.start_date or 'dates à venir'}"

    def save(self, *args, **kwargs):
        self.formation_id = self.action.formation_id
        super().save(*args, **kwargs)


class OfferChange(models.Model):
    """Who changed what in an offer, and when (field → [before, after] as people read them)."""

    formation = models.ForeignKey(Formation, on_delete=models.CASCADE, related_name="changes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField("action", max_length=30, choices=OfferChangeAction.choices)
    changes = models.JSONField("modifications", default=dict, blank=True)
    note = models.CharField("détail", max_length=255, blank=True)
    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "historique d'une offre"
        verbose_name_plural = "historique des offres"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.formation} — {self.get_action_display()}"


# Training requests (demandes) -------------------------------------------------------------------------------------

REFUSAL_REASON_REQUIRED = "Indiquez le motif du refus : il est transmis à l'employeur."


class TransitionNotAllowed(ValidationError):
    """A change of status that the life cycle of a request does not allow (French message)."""


class TrainingRequestQuerySet(models.QuerySet):
    def addressed_to(self, provider_ids):
        return self.filter(formation__provider_id__in=provider_ids)

    def of_structures(self, structure_ids):
        return self.filter(structure_id__in=structure_ids)

    def for_people(self, structure_ids, provider_ids):
        """The requests of these structures, and those addressed to these providers."""
        return self.filter(Q(structure_id__in=structure_ids) | Q(formation__provider_id__in=provider_ids))


class TrainingRequest(models.Model):
    """An employer (a structure) asks a provider for a formation, possibly for one of its sessions.

    Its status only moves along TRANSITIONS, through `transition()`, which records a RequestEvent (who, when, why).
    Who may make which move is decided in perms.py; the services in requests.py lock the row and notify people.
    """

    TRANSITIONS = {
        RequestStatus.SENT: (RequestStatus.ACCEPTED, RequestStatus.REFUSED, RequestStatus.CANCELLED),
        RequestStatus.ACCEPTED: (RequestStatus.ENROLLED, RequestStatus.CANCELLED),
        RequestStatus.ENROLLED: (RequestStatus.COMPLETED, RequestStatus.CANCELLED),
        RequestStatus.REFUSED: (),
        RequestStatus.COMPLETED: (),
        RequestStatus.CANCELLED: (),
    }
    FINAL = (RequestStatus.REFUSED, RequestStatus.COMPLETED, RequestStatus.CANCELLED)

    structure = models.ForeignKey(
        "organisations.Structure", verbose_name="structure", on_delete=models.PROTECT, related_name="training_requests"
    )
    formation = models.ForeignKey(
        Formation, verbose_name="formation", on_delete=models.PROTECT, related_name="requests"
    )
    session = models.ForeignKey(
        Session, verbose_name="session", on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_requests",
    )
    people = models.PositiveSmallIntegerField("nombre de personnes", default=1)
    preferred_period = models.CharField("période souhaitée", max_length=255, blank=True)
    comment = models.TextField("commentaire", blank=True)
    status = models.CharField(
        "état", max_length=10, choices=RequestStatus.choices, default=RequestStatus.SENT, db_index=True
    )
    created_at = models.DateTimeField("envoyée le", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = TrainingRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de formation"
        verbose_name_plural = "demandes de formation"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(people__gte=1), name="training_request_people_positive"),
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="training_request_status_valid"),
        ]

    def __str__(self):
        return f"{self.formation} — {self.structure}"

    @property
    def is_final(self):
        return self.status in self.FINAL

    def next_statuses(self):
        """The statuses this request may move to from where it stands."""
        return self.TRANSITIONS.get(self.status, ())

    def transition(self, to, user, note=""):
        """Move to status `to` on behalf of `user`, and record the event. Raises TransitionNotAllowed for a move the
        life cycle forbids, ValidationError (on "note") for a refusal without a reason. Who may make the move is
        the caller's business (perms.can_transition_request)."""
        note = (note or "").strip()
        if to not in self.next_statuses():
            raise TransitionNotAllowed(
                f"Une demande « {self.get_status_display().lower()} » ne peut pas passer à l'état "
                f"« {RequestStatus(to).label.lower() if to in RequestStatus.values else to} »."
            )
        if to == RequestStatus.REFUSED and not note:
            raise ValidationError({"note": REFUSAL_REASON_REQUIRED})
        previous = self.status
        self.status = to
        self.save(update_fields=["status", "updated_at"])
        return RequestEvent.objects.create(
            request=self,
            from_status=previous,
            to_status=to,
            user=user if user and user.is_authenticated else None,
            note=note,
        )


class RequestEvent(models.Model):
    """One step in a request's life: its sending (from "" to envoyée) or a change of status, with who and why."""

    request = models.ForeignKey(TrainingRequest, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("état précédent", max_length=10, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField("nouvel état", max_length=10, choices=RequestStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField("motif ou commentaire", blank=True)
    created_at = models.DateTimeField("date", auto_now_add=True)

    class Meta:
        verbose_name = "étape d'une demande de formation"
        verbose_name_plural = "étapes des demandes de formation"
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.request} : {self.get_from_status_display() or '—'} → {self.get_to_status_display()}"
