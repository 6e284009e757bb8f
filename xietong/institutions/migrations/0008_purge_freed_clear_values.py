"""Rewrite the storage the clear values lay in: until then the old row versions (PostgreSQL)
or freed pages (SQLite) still hold them on disk. SQLite: ``VACUUM`` and a WAL checkpoint;
PostgreSQL: ``VACUUM FULL`` of the staff table. Backups and WAL archives made before keep
the clear values: see docs/decisions/0002."""

from django.db import migrations


def purge(apps, schema_editor):
    conn = schema_editor.connection
    if conn.in_atomic_block:  # inside a caller's transaction (a test): nothing can vacuum
        return
    table = conn.ops.quote_name(apps.get_model("institutions", "Staff")._meta.db_table)
    with conn.cursor() as cur:
        if conn.vendor == "sqlite":
            cur.execute("VACUUM")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif conn.vendor == "postgresql":
            cur.execute(f"VACUUM FULL {table}")


class Migration(migrations.Migration):
    atomic = False  # VACUUM runs outside a transaction

    dependencies = [("institutions", "0007_drop_clear_personal_data")]

    operations = [migrations.RunPython(purge, migrations.RunPython.noop)]
