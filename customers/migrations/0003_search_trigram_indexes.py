"""Trigram indexes that make the Customers search ("contains", any case) fast on PostgreSQL.

Django's ``icontains`` on PostgreSQL compares ``UPPER(column::text) LIKE UPPER(%s)``; these
GIN indexes cover exactly that expression. Other databases skip this migration: SQLite
scans, which is fine at the sizes it is meant for.
"""

from django.db import migrations

INDEXES = [
    ("customers_name_trgm", "customers_customer", "name"),
    ("customers_domain_trgm", "customers_customerdomain", "domain"),
    ("contacts_address_trgm", "contacts_contactemail", "address"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_list_indexes"),
        ("contacts", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
