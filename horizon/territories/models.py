from django.db import connections, models, transaction
from django.db.models import Q

from horizon.utils.text import normalize

from .enums import EpciKind
from .geo import bounding_box, haversine_km
from .search import commune_label, inner_keys, parse_place


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    chef_lieu_code = models.CharField("chef-lieu", max_length=5, blank=True)

    class Meta:
        verbose_name = "région"
        verbose_name_plural = "régions"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, verbose_name="région", on_delete=models.PROTECT, related_name="departements")
    chef_lieu_code = models.CharField("chef-lieu", max_length=5, blank=True)

    class Meta:
        verbose_name = "département"
        verbose_name_plural = "départements"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    siren = models.CharField("SIREN", max_length=9, primary_key=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=10, choices=EpciKind.choices)
    population = models.PositiveIntegerField("population totale", null=True, blank=True)
    departement_codes = models.CharField("départements", max_length=100, blank=True)
    region_codes = models.CharField("régions", max_length=50, blank=True)

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["name"]

    def __str__(self):
        return self.name


def starts_with(field, prefix, using):
    """A prefix filter that an index serves on both databases. PostgreSQL's LIKE 'x%' uses the pattern index
    that Django adds to indexed CharFields; SQLite's LIKE ignores case and so skips a plain index, but a range on
    its binary order uses it (search keys are lower-case ASCII)."""
    if connections[using].vendor == "postgresql":
        return Q(**{f"{field}__startswith": prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})


class CommuneQuerySet(models.QuerySet):
    def search(self, query, limit=10):
        """Autocomplete: the communes whose name starts with the typed words, then those where a later word does
        ("emilion" finds Saint-Émilion), larger communes first; or, for digits, those with a postal code that
        starts with them. "(33)" or a full postal code narrow a name. Accents, case, hyphens and apostrophes are
        ignored. Returns a list; every query uses an index (see CommuneSearchKey).
        """
        place = parse_place(query)
        if not place:
            return []
        communes = self._in_departement_and_postal_code(place, postal_code_prefix=True).order_by("-population", "code")
        if not place.name:
            return list(communes[:limit])
        found = list(communes.filter(starts_with("search_name", place.name, self.db))[:limit])
        if len(found) < limit:
            found += (
                communes.filter(starts_with("search_keys__key", place.name, self.db))
                .exclude(code__in=[commune.code for commune in found])
                .distinct()[: limit - len(found)]
            )
        return found

    def named(self, text):
        """Communes that the text names exactly: "Bordeaux", "Bordeaux (33)", "33000", "33000 Bordeaux", or a
        label of the autocomplete typed back."""
        place = parse_place(text)
        if not place:
            return self.none()
        communes = self._in_departement_and_postal_code(place, postal_code_prefix=False)
        return communes.filter(search_name=place.name) if place.name else communes

    def _in_departement_and_postal_code(self, place, postal_code_prefix):
        communes = self
        if place.departement:
            communes = communes.filter(departement_id=place.departement)
        if place.postal_code:
            postal_codes = PostalCode.objects.using(self.db)
            if postal_code_prefix:
                postal_codes = postal_codes.filter(starts_with("code", place.postal_code, self.db))
            else:
                postal_codes = postal_codes.filter(code=place.postal_code)
            communes = communes.filter(code__in=postal_codes.values("commune_id"))
        return communes

    def within_km(self, commune, km):
        """Communes whose point lies within `km` of `commune`'s point, the same on every database.

        SQL keeps the bounding box (indexed ranges); Python computes the exact distances of the box's
        candidates; the few that fall in the box's corners are excluded by code. The result is a plain queryset
        that composes with any other filter.
        """
        if commune.latitude is None or commune.longitude is None:
            return self.filter(code=commune.code)
        min_lat, max_lat, min_lon, max_lon = bounding_box(commune.latitude, commune.longitude, km)
        in_box = self.filter(latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon))
        corners = [
            code
            for code, lat, lon in in_box.order_by().values_list("code", "latitude", "longitude")
            if haversine_km(commune.latitude, commune.longitude, lat, lon) > km
        ]
        return in_box.exclude(code__in=corners)


class Commune(models.Model):
    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100)
    search_name = models.CharField(max_length=100, db_index=True, editable=False)
    departement = models.ForeignKey(
        Departement, verbose_name="département", on_delete=models.PROTECT, related_name="communes"
    )
    epci = models.ForeignKey(
        Epci, verbose_name="EPCI", on_delete=models.SET_NULL, null=True, blank=True, related_name="communes"
    )
    population = models.PositiveIntegerField("population", default=0)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["name"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="commune_lat_lon_idx")]

    def __str__(self):
        return f"{self.name} ({self.departement_id})"

    def save(self, *args, **kwargs):
        """Keeps search_name and the search keys in step with the name (the loader writes both in bulk)."""
        self.search_name = normalize(self.name)
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            self.search_keys.all().delete()
            CommuneSearchKey.objects.bulk_create(
                CommuneSearchKey(commune=self, key=key) for key in inner_keys(self.search_name)
            )

    @property
    def label(self):
        """ "Bordeaux (33) — 33000, 33100…", as the autocomplete shows it (prefetch `postal_codes` for lists)."""
        return self.label_for()

    def label_for(self, postal_code_prefix=""):
        """The label, listing first the postal codes that start with what was typed."""
        codes = sorted(postal.code for postal in self.postal_codes.all())
        if postal_code_prefix:
            codes.sort(key=lambda code: not code.startswith(postal_code_prefix))
        return commune_label(self.name, self.departement_id, codes)

    def distance_km(self, other):
        if None in (self.latitude, self.longitude, other.latitude, other.longitude):
            return None
        return haversine_km(self.latitude, self.longitude, other.latitude, other.longitude)


class CommuneSearchKey(models.Model):
    """The commune's search name from one of its later words on: "germain en laye", "en laye" and "laye" for
    Saint-Germain-en-Laye. An index on these finds a name by an inner word as fast as the index on search_name
    finds it by its first one."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="search_keys")
    key = models.CharField("clé", max_length=100, db_index=True)

    class Meta:
        verbose_name = "clé de recherche de commune"
        verbose_name_plural = "clés de recherche de communes"
        constraints = [models.UniqueConstraint(fields=["commune", "key"], name="commune_search_key_unique")]

    def __str__(self):
        return self.key


class PostalCode(models.Model):
    code = models.CharField("code postal", max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="postal_codes")
    label = models.CharField("libellé d'acheminement", max_length=100, blank=True)

    class Meta:
        verbose_name = "code postal"
        verbose_name_plural = "codes postaux"
        constraints = [models.UniqueConstraint(fields=["code", "commune"], name="postal_code_commune_unique")]

    def __str__(self):
        return f"{self.code} {self.commune.name}"
