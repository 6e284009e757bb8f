#!/usr/bin/env bash
# Runs the whole suite twice: on SQLite and on PostgreSQL, side by side.
# PostgreSQL comes from XIETONG_TEST_PG_URL (default: the local server on 127.0.0.1:5432).
# Without a reachable server the PostgreSQL leg is skipped with a clear line — except
# under CI=true, where it is required.
set -uo pipefail
cd "$(dirname "$0")/.."
# Each leg spreads its tests over XIETONG_TEST_WORKERS processes (pytest-xdist, one
# database and var/ folder per worker): the four processes keep both cores busy until the
# slower leg ends, where one process per leg left a core idle once the other leg ended.
# Tests go out one by one in collection order, so that each worker still runs the
# transactional tests (which empty its database) after the others; the modules that share
# a module or package fixture (a loaded demo, a made table) carry an xdist_group mark and
# run whole on one worker.
WORKERS="${XIETONG_TEST_WORKERS:-2}"
PYTEST=(.venv/bin/pytest xietong -n "$WORKERS" --dist loadgroup "$@")
PG_URL="${XIETONG_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/xietong}"

# The two legs run side by side (one per core), each with its own database and its own
# var/ folder (keys, audit anchor, media), and print their output when both are done.
LOGS="$PWD/var/test-logs"
mkdir -p "$LOGS"

pg_ready() {
  .venv/bin/python - "$PG_URL" <<'PY'
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
for name in [test_db] + [f"{test_db}_gw{i}" for i in range(16)]:
    conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
        psycopg.sql.Identifier(name)))
conn.close()
PY
}

leg() {  # leg NAME DATABASE_URL: the suite on one database, its output in var/test-logs
  local name=$1 url=$2
  XIETONG_VAR_DIR="$PWD/var/test-$name" DATABASE_URL="$url" "${PYTEST[@]}" \
    >"$LOGS/$name.log" 2>&1
}

echo "=== Test legs: SQLite and PostgreSQL ($PG_URL), side by side"
leg sqlite "sqlite:///$PWD/var/test-sqlite.sqlite3" &
sqlite_pid=$!
pg_rc=0
pg_skipped=""
if pg_ready; then
  leg pg "$PG_URL" &
  pg_pid=$!
elif [ "${CI:-}" = "true" ]; then
  pg_skipped="FAILED: CI=true requires the PostgreSQL leg, but no server answers at $PG_URL"
  pg_rc=1
else
  pg_skipped="SKIPPED: the PostgreSQL leg (no server at $PG_URL; set XIETONG_TEST_PG_URL to use another)"
fi
wait "$sqlite_pid"
sqlite_rc=$?
if [ -n "${pg_pid:-}" ]; then
  wait "$pg_pid"
  pg_rc=$?
fi

echo "=== Test leg 1/2: SQLite"
cat "$LOGS/sqlite.log"
echo "=== Test leg 2/2: PostgreSQL ($PG_URL)"
if [ -n "$pg_skipped" ]; then echo "$pg_skipped"; else cat "$LOGS/pg.log"; fi

if [ $sqlite_rc -ne 0 ] || [ $pg_rc -ne 0 ]; then
  echo "Test legs failed: SQLite rc=$sqlite_rc, PostgreSQL rc=$pg_rc"
  exit 1
fi
echo "Both test legs passed."
