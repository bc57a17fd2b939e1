from django.db import models

from horizon.utils.text import normalize

from .geo import bounding_box, haversine_km


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
    kind = models.CharField("nature", max_length=10)
    population = models.PositiveIntegerField("population", null=True, blank=True)
    departement_codes = models.CharField("départements", max_length=100, blank=True)
    region_codes = models.CharField("régions", max_length=50, blank=True)

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["name"]

    def __str__(self):
        return self.name


class CommuneQuerySet(models.QuerySet):
    def search(self, query, limit=10):
        """Communes whose name starts with (then contains) the query, or whose postal code starts with it.

        Accents, case, hyphens and apostrophes are ignored; larger communes come first.
        """
        query = (query or "").strip()
        if not query:
            return self.none()
        if query.isdigit():
            return self.filter(postal_codes__code__startswith=query).distinct().order_by("-population")[:limit]
        term = normalize(query)
        if not term:
            return self.none()
        starts = list(self.filter(search_name__startswith=term).order_by("-population")[:limit])
        if len(starts) < limit:
            starts += list(
                self.filter(search_name__contains=f" {term}")
                .exclude(code__in=[c.code for c in starts])
                .order_by("-population")[: limit - len(starts)]
            )
        return starts

    def within_km(self, commune, km):
        """Communes whose point lies within `km` of `commune`'s point: a box in SQL, the exact distance in Python,
        then a plain `code IN (...)` filter so that the result composes with any other filter."""
        if commune.latitude is None or commune.longitude is None:
            return self.filter(code=commune.code)
        min_lat, max_lat, min_lon, max_lon = bounding_box(commune.latitude, commune.longitude, km)
        candidates = self.filter(latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon)).values_list(
            "code", "latitude", "longitude"
        )
        codes = [
            code for code, lat, lon in candidates if haversine_km(commune.latitude, commune.longitude, lat, lon) <= km
        ]
        return self.filter(code__in=codes)


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
        self.search_name = normalize(self.name)
        super().save(*args, **kwargs)

    def distance_km(self, other):
        if None in (self.latitude, self.longitude, other.latitude, other.longitude):
            return None
        return haversine_km(self.latitude, self.longitude, other.latitude, other.longitude)


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
