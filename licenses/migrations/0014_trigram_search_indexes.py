"""Trigram indexes for the officials' queue search, on PostgreSQL only.

The search is ``icontains``, which Django writes as ``UPPER(column::text) LIKE UPPER('%q%')``; a
GIN index of ``gin_trgm_ops`` over that same expression lets PostgreSQL answer it from the index
instead of reading every application. SQLite, the quick start's database, keeps scanning: it is
never asked to hold 100,000 cases. ``CREATE EXTENSION`` needs a role allowed to create it (or the
extension created once by the database owner): docs/operations.md says so.
"""

from django.db import migrations

INDEXES = [
    ("licenses_licenceapplication", "reference", "licenses_application_reference_trgm"),
    ("licenses_party", "name", "licenses_party_name_trgm"),
    ("licenses_vendor", "name", "licenses_vendor_name_trgm"),
    ("licenses_vendor", "registration_number", "licenses_vendor_registration_trgm"),
    ("licenses_product", "name", "licenses_product_name_trgm"),
    ("licenses_product", "reference", "licenses_product_reference_trgm"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column, name in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, _column, name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("licenses", "0013_information_request_response_documents")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
