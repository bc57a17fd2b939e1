"""On PostgreSQL, a trigram index makes the registry's word search (LIKE '%mot%') an index lookup.

Its pending list is raised to 16 MB so that the SIRENE import's thousands of creations append to it and the
merge happens later, in the background (autovacuum), instead of inside the import's transaction.

SQLite has no such index; the same query scans the table there, which is fine at development sizes.
"""

from django.db import migrations

CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS structure_search_trgm_idx ON organisations_structure "
    "USING gin (search_text gin_trgm_ops) WITH (gin_pending_list_limit = 16384)",
)
DROP = ("DROP INDEX IF EXISTS structure_search_trgm_idx",)


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("organisations", "0002_list_indexes")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]
