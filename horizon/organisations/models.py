from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from horizon.utils.text import normalize

from .enums import ChangeAction, HeadcountBand, MembershipRole, StructureSource
from .identifiers import validate_rna, validate_siret


def search_text_of(name, usual_name, commune_name, postal_code, rna):
    """What the registry's word search looks into, normalised (see Structure.search_text)."""
    return normalize(" ".join([name, usual_name, commune_name, postal_code, rna or ""]))


class StructureQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_list(self):
        return self.select_related(
            "commune__departement", "commune__epci", "legal_category", "sector", "collective_agreement"
        )

    def search(self, text):
        """Every word of the text in the name, usual name, commune or postal code, or a SIRET/SIREN prefix."""
        term = normalize(text)
        if not term:
            return self
        digits = term.replace(" ", "")
        if digits.isdigit() and len(digits) >= 9:
            return self.filter(siret__startswith=digits)
        condition = Q()
        for word in term.split():
            condition &= Q(search_text__contains=word)
        return self.filter(condition)

    def filtered(
        self, *, text="", departement=None, epci=None, ess_family="", sector=None, headcount_band="", collective=None
    ):
        """The registry's list filters, each optional; every one is a plain indexed SQL condition."""
        qs = self.search(text) if text else self
        if departement:
            qs = qs.filter(commune__departement=departement)
        if epci:
            qs = qs.filter(commune__epci=epci)
        if ess_family:
            qs = qs.filter(legal_category__ess_family=ess_family)
        if sector:
            qs = qs.filter(sector=sector)
        if headcount_band:
            qs = qs.filter(headcount_band=headcount_band)
        if collective:
            qs = qs.filter(collectives=collective)
        return qs

    def administered_by(self, user):
        return self.filter(memberships__user=user, memberships__is_active=True, memberships__role=MembershipRole.ADMIN)

    def of_member(self, user):
        return self.filter(memberships__user=user, memberships__is_active=True)


class Structure(models.Model):
    """An ESS employer establishment: the unit everything in the programme is about."""

    name = models.CharField("raison sociale", max_length=255)
    usual_name = models.CharField("nom d'usage", max_length=255, blank=True)
    siret = models.CharField("SIRET", max_length=14, null=True, blank=True, validators=[validate_siret])
    siren = models.CharField("SIREN", max_length=9, blank=True, db_index=True, editable=False)
    rna = models.CharField("numéro RNA", max_length=10, null=True, blank=True, validators=[validate_rna])
    legal_category = models.ForeignKey(
        "referentials.LegalCategory",
        verbose_name="catégorie juridique",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    naf = models.ForeignKey(
        "referentials.NafCode",
        verbose_name="activité principale (NAF)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    headcount_band = models.CharField("tranche d'effectif", max_length=2, choices=HeadcountBand.choices, blank=True)
    headcount_year = models.PositiveSmallIntegerField("année de l'effectif", null=True, blank=True)
    headcount_fte = models.DecimalField("effectif (ETP)", max_digits=8, decimal_places=2, null=True, blank=True)
    collective_agreement = models.ForeignKey(
        "referentials.CollectiveAgreement",
        verbose_name="convention collective (IDCC)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    opco = models.CharField("OPCO", max_length=100, blank=True)
    sector = models.ForeignKey(
        "referentials.ProgrammeSector",
        verbose_name="secteur du programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    address = models.CharField("adresse", max_length=255, blank=True)
    address_complement = models.CharField("complément d'adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        "territories.Commune", verbose_name="commune", on_delete=models.PROTECT, null=True, blank=True
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    website = models.URLField("site internet", blank=True)
    is_head_office = models.BooleanField("siège", default=False)
    is_active = models.BooleanField("en activité", default=True)
    collectives = models.ManyToManyField("Collective", verbose_name="collectifs", related_name="structures", blank=True)
    source = models.CharField("origine", max_length=10, choices=StructureSource.choices, default=StructureSource.MANUAL)
    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        verbose_name_plural = "structures"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"],
                condition=Q(siret__isnull=False),
                name="structure_siret_unique",
                violation_error_message="Une structure avec ce SIRET est déjà inscrite dans le registre.",
            ),
            models.UniqueConstraint(
                fields=["rna"],
                condition=Q(rna__isnull=False),
                name="structure_rna_unique",
                violation_error_message="Une structure avec ce numéro RNA est déjà inscrite dans le registre.",
            ),
            models.CheckConstraint(
                condition=Q(siret__isnull=False) | Q(rna__isnull=False),
                name="structure_has_identifier",
                violation_error_message="Indiquez le SIRET de l'établissement ou, à défaut, le numéro RNA de l'association.",
            ),
            models.CheckConstraint(
                condition=Q(headcount_fte__isnull=True) | Q(headcount_fte__gte=0), name="structure_fte_positive"
            ),
        ]
        indexes = [
            # The list's sort orders, with the primary key as tie-breaker, so that a page is an index walk.
            models.Index(fields=["name", "id"], name="structure_name_idx"),
            models.Index(fields=["-updated_at", "id"], name="structure_updated_idx"),
            models.Index(fields=["sector", "headcount_band"], name="structure_sector_band_idx"),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.siret = self.siret or None
        self.rna = (self.rna or "").upper() or None
        self.siren = self.siret[:9] if self.siret else ""
        self.search_text = self.compute_search_text()
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        return self.usual_name or self.name

    @property
    def ess_family(self):
        return self.legal_category.get_ess_family_display() if self.legal_category_id else ""

    def compute_search_text(self):
        commune_name = self.commune.name if self.commune_id else ""
        return search_text_of(self.name, self.usual_name, commune_name, self.postal_code, self.rna)

    def has_admin(self):
        return self.memberships.filter(is_active=True, role=MembershipRole.ADMIN).exists()


class Collective(models.Model):
    """A group of structures: federation, network, groupement d'employeurs…"""

    name = models.CharField("nom", max_length=200, unique=True)
    kind = models.CharField(
        "nature", max_length=100, blank=True, help_text="Fédération, réseau, groupement d'employeurs…"
    )
    description = models.TextField("description", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "collectif"
        verbose_name_plural = "collectifs"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Contact(models.Model):
    """A person to reach at a structure. Stored only with their consent, whose date is kept."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    job_title = models.CharField("fonction", max_length=150, blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    consent_date = models.DateField("date du consentement")
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "contact"
        verbose_name_plural = "contacts"
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Membership(models.Model):
    """A person's role in a structure: administrator (manages members and the profile) or member."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    is_active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "membre d'une structure"
        verbose_name_plural = "membres des structures"
        constraints = [models.UniqueConstraint(fields=["user", "structure"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} — {self.structure} ({self.get_role_display()})"


class Invitation(models.Model):
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("adresse e-mail")
    role = models.CharField("rôle", max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="invité par"
    )
    created_at = models.DateTimeField("envoyée le", default=timezone.now)
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        verbose_name_plural = "invitations"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.structure}"

    @property
    def expires_at(self):
        return self.created_at + timezone.timedelta(days=settings.INVITATION_VALIDITY_DAYS)

    @property
    def is_usable(self):
        return self.accepted_at is None and timezone.now() < self.expires_at


class StructureChange(models.Model):
    """The structure's history: who changed what, and when (field → [before, after])."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="changes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField("action", max_length=30, choices=ChangeAction.choices)
    changes = models.JSONField("modifications", default=dict, blank=True)
    note = models.CharField("détail", max_length=255, blank=True)
    created_at = models.DateTimeField("date", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "historique d'une structure"
        verbose_name_plural = "historique des structures"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.structure} — {self.get_action_display()} ({self.created_at:%d/%m/%Y})"

    def readable_changes(self):
        """[(field label, before, after)] with the French labels of the structure's fields."""
        labels = {
            field.name: field.verbose_name for field in Structure._meta.get_fields() if hasattr(field, "verbose_name")
        }
        return [(labels.get(name, name), before, after) for name, (before, after) in self.changes.items()]
