import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from .enums import ResponseEventKind, ResponseStatus


class QuestionnaireVersionQuerySet(models.QuerySet):
    def latest_of(self, code):
        return self.filter(code=code).order_by("-number").first()


class QuestionnaireVersion(models.Model):
    """A published definition, frozen: responses point to it and its content never changes."""

    code = models.SlugField("questionnaire", max_length=60)
    number = models.PositiveIntegerField("version")
    title = models.CharField("titre", max_length=255)
    content = models.JSONField("définition")
    content_hash = models.CharField("empreinte", max_length=64)
    published_at = models.DateTimeField("publiée le", auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="publiée par", on_delete=models.SET_NULL, null=True, blank=True
    )

    objects = QuestionnaireVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "version de questionnaire"
        verbose_name_plural = "versions de questionnaires"
        ordering = ["code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["code", "number"], name="questionnaire_version_unique"),
            models.UniqueConstraint(fields=["code", "content_hash"], name="questionnaire_content_unique"),
        ]

    def __str__(self):
        return f"{self.title} — version {self.number}"


class ResponseQuerySet(models.QuerySet):
    def of(self, code):
        return self.filter(version__code=code)

    def submitted(self):
        return self.filter(status=ResponseStatus.SUBMITTED)

    def latest_submitted(self):
        """Each structure's latest submitted response (one per structure and questionnaire)."""
        return self.filter(is_latest=True)


class Response(models.Model):
    """One structure's answers to one version: a draft saved as people go, then submitted and read-only.

    `answers` maps question names to stored values (see answers.py); `revision` grows with every save and
    `answer_revisions` records, per question, the revision that last changed it, so that a save made from a
    stale page is merged when it touches other questions and refused when it would overwrite a colleague.
    """

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses")
    structure = models.ForeignKey(
        "organisations.Structure", on_delete=models.CASCADE, related_name="responses", null=True, blank=True
    )
    variant = models.CharField("variante", max_length=30, blank=True)
    status = models.CharField("état", max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT)
    answers = models.JSONField("réponses", default=dict, blank=True)
    answer_revisions = models.JSONField(default=dict, blank=True, editable=False)
    answer_authors = models.JSONField(default=dict, blank=True, editable=False)
    revision = models.PositiveIntegerField("révision", default=0)
    created_at = models.DateTimeField("commencé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    submitted_at = models.DateTimeField("envoyé le", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The structure's latest submitted response to this questionnaire: what its current profile and needs are.
    is_latest = models.BooleanField("dernière réponse envoyée", default=False, editable=False)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = "réponse à un questionnaire"
        verbose_name_plural = "réponses aux questionnaires"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ResponseStatus.DRAFT, submitted_at__isnull=True)
                | Q(status=ResponseStatus.SUBMITTED, submitted_at__isnull=False),
                name="response_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=Q(is_latest=False) | Q(status=ResponseStatus.SUBMITTED), name="response_latest_is_submitted"
            ),
        ]
        indexes = [models.Index(fields=["structure", "is_latest"], name="response_structure_latest_idx")]

    def __str__(self):
        return f"{self.version} — {self.structure or 'anonyme'} ({self.get_status_display()})"

    @property
    def is_draft(self):
        return self.status == ResponseStatus.DRAFT


class DimensionResult(models.Model):
    """A submitted response's level on one dimension, stored with the version it was computed from."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="results")
    dimension = models.CharField("dimension", max_length=60)
    level = models.SmallIntegerField("niveau", null=True, blank=True)
    ratio = models.FloatField(null=True, blank=True)
    need_support = models.BooleanField("besoin d'accompagnement", default=False)
    scored = models.PositiveSmallIntegerField(default=0)
    unknown = models.PositiveSmallIntegerField(default=0)
    not_applicable = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "résultat par dimension"
        verbose_name_plural = "résultats par dimension"
        constraints = [models.UniqueConstraint(fields=["response", "dimension"], name="dimension_result_unique")]

    def __str__(self):
        return f"{self.response_id} {self.dimension} : {self.level}"


class ResponseEvent(models.Model):
    """The life of a response: started, submitted, reopened (by whom, when, why)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("événement", max_length=20, choices=ResponseEventKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField("motif", max_length=255, blank=True)
    created_at = models.DateTimeField("date", auto_now_add=True)

    class Meta:
        verbose_name = "événement d'une réponse"
        verbose_name_plural = "événements des réponses"
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.created_at:%d/%m/%Y}"


def attachment_path(attachment, filename):
    return f"pieces-jointes/{attachment.response_id}/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    """A document attached to an answer as evidence (a question with `evidence: true`)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="attachments")
    question = models.CharField("question", max_length=60)
    file = models.FileField("fichier", upload_to=attachment_path, max_length=255)
    original_name = models.CharField("nom du fichier", max_length=255)
    size = models.PositiveIntegerField("taille (octets)")
    content_type = models.CharField("type", max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name
