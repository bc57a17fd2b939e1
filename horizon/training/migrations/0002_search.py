"""The full-text index of formations (see horizon/training/search.py): an FTS5 virtual table on SQLite, a table of
tsvectors with a GIN index on PostgreSQL, under the same name. Neither is a Django model: only the search module
reads and writes them. Triggers delete a formation's row when the formation is deleted (and, on PostgreSQL, empty
the table when the formation table is truncated, as Django's flush does).

On SQLite, a later migration that rebuilds training_formation (Django copies the table to alter it) drops the
trigger with the old table: such a migration must create it again.
"""

from django.db import migrations

TABLE = "training_formation_search"

SQLITE_SCHEMA = [
    # The stored terms are already folded and stemmed: the default unicode61 tokenizer only splits them at spaces.
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(title, provider, body)",
    f"CREATE TRIGGER {TABLE}_forget AFTER DELETE ON training_formation "
    f"BEGIN DELETE FROM {TABLE} WHERE rowid = OLD.id; END",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_forget", f"DROP TABLE IF EXISTS {TABLE}"]

POSTGRESQL_SCHEMA = [
    # No foreign key: Django's flush truncates the formation table alone, which a referencing table would forbid.
    f"CREATE TABLE {TABLE} (formation_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    f"CREATE INDEX {TABLE}_document ON {TABLE} USING gin (document)",
    f"""CREATE FUNCTION {TABLE}_forget() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN DELETE FROM {TABLE} WHERE formation_id = OLD.id; RETURN OLD; END $$""",
    f"""CREATE TRIGGER {TABLE}_forget AFTER DELETE ON training_formation
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_forget()""",
    f"""CREATE FUNCTION {TABLE}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN TRUNCATE {TABLE}; RETURN NULL; END $$""",
    f"""CREATE TRIGGER {TABLE}_truncate AFTER TRUNCATE ON training_formation
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_truncate()""",
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_truncate ON training_formation",
    f"DROP TRIGGER IF EXISTS {TABLE}_forget ON training_formation",
    f"DROP FUNCTION IF EXISTS {TABLE}_truncate()",
    f"DROP FUNCTION IF EXISTS {TABLE}_forget()",
    f"DROP TABLE IF EXISTS {TABLE}",
]

INDEXED_FIELDS = ("pk", "title", "objective", "content", "expected_results", "certifications", "provider__name", "closed_at")


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_SCHEMA)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_SCHEMA)
    else:
        return
    # Index the formations already there (none on a new database).
    from horizon.training.search import BATCH_SIZE, write_rows

    formations = apps.get_model("training", "Formation").objects.using(schema_editor.connection.alias)
    ids = list(formations.filter(closed_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        write_rows(schema_editor.connection, batch, formations.filter(pk__in=batch).values_list(*INDEXED_FIELDS))


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("training", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
