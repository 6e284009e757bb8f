#!/usr/bin/env bash
# Runs the whole suite twice: on SQLite, then on PostgreSQL.
# PostgreSQL comes from XIETONG_TEST_PG_URL (default: the local server on 127.0.0.1:5432).
# Without a reachable server the PostgreSQL leg is skipped with a clear line — except
# under CI=true, where it is required.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=(.venv/bin/pytest xietong "$@")
PG_URL="${XIETONG_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/xietong}"

echo "=== Test leg 1/2: SQLite"
DATABASE_URL="sqlite:///$PWD/var/test-sqlite.sqlite3" "${PYTEST[@]}"
sqlite_rc=$?

echo "=== Test leg 2/2: PostgreSQL ($PG_URL)"
if .venv/bin/python - "$PG_URL" <<'PY'
import sys, dj_database_url, psycopg, psycopg.sql
cfg = dj_database_url.parse(sys.argv[1])
try:
    conn = psycopg.connect(host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"],
                           password=cfg["PASSWORD"] or None, dbname="postgres",
                           connect_timeout=5, autocommit=True)
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc}".strip())
    sys.exit(1)
# A test database left by an interrupted run (even with a session still attached) would
# make the run fail before its first test.
test_db = "test_" + cfg["NAME"]
conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
    psycopg.sql.Identifier(test_db)))
conn.close()
PY
then
  DATABASE_URL="$PG_URL" "${PYTEST[@]}"
  pg_rc=$?
elif [ "${CI:-}" = "true" ]; then
  echo "FAILED: CI=true requires the PostgreSQL leg, but no server answers at $PG_URL"
  pg_rc=1
else
  echo "SKIPPED: the PostgreSQL leg (no server at $PG_URL; set XIETONG_TEST_PG_URL to use another)"
  pg_rc=0
fi

if [ $sqlite_rc -ne 0 ] || [ $pg_rc -ne 0 ]; then
  echo "Test legs failed: SQLite rc=$sqlite_rc, PostgreSQL rc=$pg_rc"
  exit 1
fi
echo "Both test legs passed."
