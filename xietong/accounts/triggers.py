"""The database triggers that keep the audit log append-only (SQLite and PostgreSQL).

* UPDATE is refused always.
* DELETE is refused for every event younger than 180 days (the least retention that
  等保 2.0 allows; ``audit.archive`` removes older ones after writing them to a signed
  file). On PostgreSQL a delete also needs ``xietong.audit_purge`` set in the transaction,
  which only ``audit.archive`` does.
* TRUNCATE (PostgreSQL) is refused, unless ``xietong.audit_truncate`` is set in the
  transaction — which only the test suite's flush between transactional tests does.

Shared by the migrations that install them and by the tests that lift them.
"""

from __future__ import annotations

from typing import Any

RETENTION_FLOOR_DAYS = 180

SQLITE = [
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON accounts_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    f"""CREATE TRIGGER audit_no_delete BEFORE DELETE ON accounts_auditevent
       WHEN OLD.at >= datetime('now', '-{RETENTION_FLOOR_DAYS} days')
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: only events older than the
       retention period can be archived'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'TRUNCATE' THEN
           IF current_setting('xietong.audit_truncate', true) = 'on' THEN RETURN NULL; END IF;
           RAISE EXCEPTION 'the audit log cannot be truncated';
         ELSIF TG_OP = 'DELETE' THEN
           IF current_setting('xietong.audit_purge', true) = 'on'
              AND OLD.at < now() - make_interval(days => {RETENTION_FLOOR_DAYS}) THEN
             RETURN OLD;
           END IF;
           RAISE EXCEPTION 'the audit log is append-only: only events older than the '
             'retention period can be archived';
         END IF;
         RAISE EXCEPTION 'the audit log is append-only';
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON accounts_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON accounts_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON accounts_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_no_update ON accounts_auditevent",
    "DROP TRIGGER IF EXISTS audit_no_delete ON accounts_auditevent",
    "DROP TRIGGER IF EXISTS audit_no_truncate ON accounts_auditevent",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
    # The first version (migration 0003).
    "DROP TRIGGER IF EXISTS audit_append_only ON accounts_auditevent",
    "DROP FUNCTION IF EXISTS audit_append_only()",
]


def install(schema_editor: Any) -> None:
    pg = schema_editor.connection.vendor == "postgresql"
    for sql in (POSTGRES_DROP + POSTGRES) if pg else (SQLITE_DROP + SQLITE):
        schema_editor.execute(sql)


def remove(schema_editor: Any) -> None:
    pg = schema_editor.connection.vendor == "postgresql"
    for sql in POSTGRES_DROP if pg else SQLITE_DROP:
        schema_editor.execute(sql)
