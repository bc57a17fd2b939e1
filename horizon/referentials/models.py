"""Reference tables loaded from the files in `data/` by `manage.py load_referentials`."""

from django.db import models

from .enums import EssFamily, RomeSkillKind


class ProgrammeSector(models.Model):
    """A sector the programme works with (centres sociaux, petite enfance…): data, so that editions may differ."""

    code = models.CharField("code", max_length=40, primary_key=True)
    label = models.CharField("libellé", max_length=100)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "secteur du programme"
        verbose_name_plural = "secteurs du programme"
        ordering = ["position", "label"]

    def __str__(self):
        return self.label


class NafCode(models.Model):
    code = models.CharField("code", max_length=8, primary_key=True)
    label = models.CharField("libellé", max_length=255)
    nomenclature = models.CharField("nomenclature", max_length=10, default="NAFRev2")
    division_code = models.CharField("division", max_length=2)
    division_label = models.CharField("libellé de la division", max_length=255)
    section_code = models.CharField("section", max_length=1)
    section_label = models.CharField("libellé de la section", max_length=255)

    class Meta:
        verbose_name = "code NAF"
        verbose_name_plural = "codes NAF"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.label}"


class LegalCategory(models.Model):
    code = models.CharField("code", max_length=4, primary_key=True)
    label = models.CharField("libellé", max_length=255)
    ess_family = models.CharField("famille ESS", max_length=20, choices=EssFamily.choices)

    class Meta:
        verbose_name = "catégorie juridique"
        verbose_name_plural = "catégories juridiques"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.label}"


class CollectiveAgreement(models.Model):
    idcc = models.CharField("IDCC", max_length=4, primary_key=True)
    short_name = models.CharField("nom court", max_length=100)
    title = models.TextField("intitulé")
    opco = models.CharField("OPCO", max_length=100, blank=True)
    sector = models.ForeignKey(
        ProgrammeSector, verbose_name="secteur du programme", on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = "convention collective"
        verbose_name_plural = "conventions collectives"
        ordering = ["idcc"]

    def __str__(self):
        return f"{self.idcc} — {self.short_name}"


class Nsf(models.Model):
    code = models.CharField("code", max_length=4, primary_key=True)
    label = models.CharField("libellé", max_length=255)

    class Meta:
        verbose_name = "spécialité de formation (NSF)"
        verbose_name_plural = "spécialités de formation (NSF)"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.label}"


class LheoCode(models.Model):
    dictionary = models.CharField("dictionnaire", max_length=50)
    code = models.CharField("code", max_length=10)
    label = models.TextField("libellé")  # the dict-niveaux labels run to 400 characters

    class Meta:
        verbose_name = "code LHEO"
        verbose_name_plural = "codes LHEO"
        ordering = ["dictionary", "code"]
        constraints = [models.UniqueConstraint(fields=["dictionary", "code"], name="lheo_code_unique")]

    def __str__(self):
        return f"{self.dictionary} {self.code} — {self.label}"


class RomeFiche(models.Model):
    code = models.CharField("code ROME", max_length=5, primary_key=True)
    label = models.CharField("intitulé", max_length=255)
    domain_code = models.CharField("domaine professionnel", max_length=3, blank=True)
    domain_label = models.CharField("libellé du domaine", max_length=255, blank=True)
    skills = models.ManyToManyField("RomeSkill", through="RomeFicheSkill", related_name="fiches")

    class Meta:
        verbose_name = "fiche ROME"
        verbose_name_plural = "fiches ROME"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.label}"


class RomeAppellation(models.Model):
    code = models.CharField("code OGR", max_length=10, primary_key=True)
    label = models.CharField("appellation", max_length=255)
    short_label = models.CharField("appellation courte", max_length=255, blank=True)
    fiche = models.ForeignKey(RomeFiche, on_delete=models.CASCADE, related_name="appellations")

    class Meta:
        verbose_name = "appellation ROME"
        verbose_name_plural = "appellations ROME"
        ordering = ["label"]

    def __str__(self):
        return self.label


class RomeSkill(models.Model):
    """A ROME skill (savoir-faire, savoir-être) or knowledge (savoir), keyed by its OGR code."""

    code = models.CharField("code OGR", max_length=10, primary_key=True)
    label = models.CharField("libellé", max_length=500)
    kind = models.CharField("nature", max_length=20, choices=RomeSkillKind.choices)
    category = models.CharField("catégorie", max_length=255, blank=True)

    class Meta:
        verbose_name = "compétence ROME"
        verbose_name_plural = "compétences ROME"
        ordering = ["label"]

    def __str__(self):
        return self.label


class RomeFicheSkill(models.Model):
    fiche = models.ForeignKey(RomeFiche, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey(RomeSkill, on_delete=models.CASCADE, related_name="fiche_links")
    is_core = models.BooleanField("cœur de métier", default=False)

    class Meta:
        verbose_name = "compétence d'une fiche ROME"
        verbose_name_plural = "compétences des fiches ROME"
        constraints = [models.UniqueConstraint(fields=["fiche", "skill"], name="rome_fiche_skill_unique")]

    def __str__(self):
        return f"{self.fiche_id} — {self.skill_id}"


class DataLoad(models.Model):
    """The checksum of the files a loader last loaded, so that re-running it is instant when nothing changed."""

    name = models.CharField("jeu de données", max_length=50, unique=True)
    checksum = models.CharField("empreinte", max_length=64)
    loaded_at = models.DateTimeField("chargé le", auto_now=True)
    summary = models.CharField("résumé", max_length=255, blank=True)

    class Meta:
        verbose_name = "chargement de données de référence"
        verbose_name_plural = "chargements de données de référence"

    def __str__(self):
        return self.name
