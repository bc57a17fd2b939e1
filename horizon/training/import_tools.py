"""What the offer imports need from the database side: finding a place's commune, and writing rows in bulk.

`CommuneResolver` is pure once its lookups are loaded; `Table` writes {attname: value} rows to a model's table
without building model instances (COPY on PostgreSQL, executemany on SQLite).
"""

import json
from operator import itemgetter

from django.db import connections, models, router

from horizon.territories.models import Commune, PostalCode
from horizon.utils.text import normalize

CLOSE_CHUNK = 500  # ids per UPDATE … WHERE id IN (…)
# INSEE codes of the municipal arrondissements of Paris, Lyon and Marseille → their commune.
ARRONDISSEMENTS = (("751", "75056"), ("6938", "69123"), ("132", "13055"))


# ---------------------------------------------------------------------------------------------------------------
# Communes


def town_key(name):
    """A town name as the commune index knows it: 'ST MEDARD EN JALLES CEDEX 2' → 'saint medard en jalles'."""
    words = normalize(name).split()
    while words and (words[-1] == "cedex" or (words[-1].isdigit() and len(words) > 1 and "cedex" in words)):
        words.pop()
    if words and words[0] in ("st", "ste"):
        words[0] = "saint" if words[0] == "st" else "sainte"
    return " ".join(words)


class CommuneResolver:
    """Finds a place's commune: its INSEE code (an arrondissement counts as its city), else its postal code and
    town name; coordinates from the place, else from the commune.

    `points` maps INSEE codes to (latitude, longitude); `postal_index` maps (postal code, town_key) to INSEE codes,
    or is a callable that returns that mapping (`from_database` loads it only if an INSEE code is missing)."""

    def __init__(self, points, postal_index):
        self.points = points
        self._postal_index = postal_index
        self._cache = {}

    @classmethod
    def from_database(cls):
        points = {
            code: (lat, lon)
            for code, lat, lon in Commune.objects.order_by().values_list("code", "latitude", "longitude")
        }
        return cls(points, cls.load_postal_index)

    @staticmethod
    def load_postal_index():
        postal_index = {}
        rows = PostalCode.objects.order_by().values_list("code", "commune_id", "commune__search_name", "label")
        for postal_code, commune_code, search_name, label in rows.iterator(chunk_size=5000):
            postal_index.setdefault((postal_code, town_key(search_name)), commune_code)
            if label:
                postal_index.setdefault((postal_code, town_key(label)), commune_code)
        return postal_index

    @property
    def postal_index(self):
        if callable(self._postal_index):
            self._postal_index = self._postal_index()
        return self._postal_index

    def commune_code(self, place):
        """(INSEE code or None, whether the place named a commune at all)."""
        key = (place.commune_code, place.postal_code, place.city)
        if key in self._cache:
            return self._cache[key]
        code = place.commune_code
        for prefix, city in ARRONDISSEMENTS:
            if code.startswith(prefix) and len(code) == 5 and code != city:
                code = city
                break
        if code not in self.points:
            code = None
            if place.postal_code and place.city:
                code = self.postal_index.get((place.postal_code, town_key(place.city)))
        result = code, bool(place.commune_code or place.postal_code or place.city)
        self._cache[key] = result
        return result

    def resolve(self, place, report=None):
        """(commune code, latitude, longitude) of a Place (None for each part unknown)."""
        if place is None:
            return None, None, None
        code, named = self.commune_code(place)
        if code is None and named and report is not None:
            report.warn("commune", " ".join(filter(None, (place.commune_code, place.postal_code, place.city))))
        if place.latitude is not None:
            return code, place.latitude, place.longitude
        if code is not None:
            latitude, longitude = self.points[code]
            return code, latitude, longitude
        return None, None, None


# ---------------------------------------------------------------------------------------------------------------
# Writing rows


def _json_text(value):
    return "[]" if value == [] else json.dumps(value)


class Table:
    """Writes rows given as {attname: value} to one model's table without building model instances: inserts (COPY
    on PostgreSQL, one executemany elsewhere), updates of given fields (one executemany) and closings.

    Fields not given take their default; created_at/updated_at take `now`. Dates, decimals, datetimes and JSON go
    through their field's get_db_prep_save, as a save would; other values are passed as they are."""

    CONVERTED = (models.DateField, models.DecimalField, models.JSONField)  # DateTimeField is a DateField

    def __init__(self, model):
        self.model = model
        self.connection = connections[router.db_for_write(model)]
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.by_attname = {f.attname: f for f in self.fields}
        self.attnames = [f.attname for f in self.fields]
        self.default_row = {f.attname: f.get_default() for f in self.fields}
        self.values_of = itemgetter(*self.attnames)
        self.timestamp_indexes = [
            index
            for index, f in enumerate(self.fields)
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
        ]
        self.converters = [
            (index, self._converter(f))
            for index, f in enumerate(self.fields)
            if isinstance(f, self.CONVERTED) and index not in self.timestamp_indexes
        ]
        quote = self.connection.ops.quote_name
        self.quote = quote
        self.table = quote(model._meta.db_table)
        self.columns = ", ".join(quote(f.column) for f in self.fields)

    def _converter(self, model_field):
        connection = self.connection
        if type(model_field) is models.DateField:  # the hot one (sessions): straight to the backend's adapter
            return connection.ops.adapt_datefield_value
        if isinstance(model_field, models.JSONField) and model_field.encoder is None and connection.vendor == "sqlite":
            return _json_text  # what Django writes there (json.dumps), without its per-value indirections
        return lambda value: model_field.get_db_prep_save(value, connection)

    def _convert(self, name, value):
        if value is None:
            return None
        field = self.by_attname[name]
        if isinstance(field, self.CONVERTED):
            return field.get_db_prep_save(value, self.connection)
        return value

    def stamp(self, now):
        return self.connection.ops.adapt_datetimefield_value(now)

    def insert(self, rows, now):
        if not rows:
            return
        stamp = self.stamp(now)
        default_row, values_of, converters = self.default_row, self.values_of, self.converters
        stamps = {self.attnames[index]: stamp for index in self.timestamp_indexes}
        values = []
        for row in rows:
            value = list(values_of({**default_row, **row, **stamps}))
            for index, convert in converters:
                if value[index] is not None:
                    value[index] = convert(value[index])
            values.append(value)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            else:
                placeholders = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(f"INSERT INTO {self.table} ({self.columns}) VALUES ({placeholders})", values)

    def update(self, rows, attnames, now):
        """rows: [(id, {attname: value})]; every attname of `attnames` is set, and updated_at."""
        if not rows:
            return
        attnames = list(attnames)
        assignments = ", ".join(f"{self.quote(self.by_attname[name].column)} = %s" for name in attnames)
        stamp = self.stamp(now)
        sql = f"UPDATE {self.table} SET {assignments}, updated_at = %s WHERE id = %s"
        params = [[*(self._convert(name, row[name]) for name in attnames), stamp, pk] for pk, row in rows]
        with self.connection.cursor() as cursor:
            cursor.executemany(sql, params)

    def close(self, column, ids, now):
        """Sets closed_at on the open rows whose `column` is in ids; returns how many were closed."""
        closed = 0
        ids = list(ids)
        stamp = self.stamp(now)
        with self.connection.cursor() as cursor:
            for start in range(0, len(ids), CLOSE_CHUNK):
                chunk = ids[start : start + CLOSE_CHUNK]
                placeholders = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"UPDATE {self.table} SET closed_at = %s, updated_at = %s "
                    f"WHERE {self.quote(column)} IN ({placeholders}) AND closed_at IS NULL",
                    [stamp, stamp, *chunk],
                )
                closed += cursor.rowcount
        return closed
