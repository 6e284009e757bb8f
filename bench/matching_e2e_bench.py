"""A matching run end to end on PostgreSQL: stored applications to published results.

One command (see bench/README.md)::

    python bench/matching_e2e_bench.py [--sizes 10000,100000] [--mode stable] \\
        [--db postgres://postgres@127.0.0.1:5432/xt_perf_e2e] [--timeout 900] \\
        [--out bench/results/matching_e2e.json]

The database named by ``--db`` is the benchmark's own: it is created if missing, migrated,
and its registry and exchanges tables are emptied before each size. Each size runs in its own
subprocess (so a run that exceeds ``--timeout`` is stopped and reported) which

1. sets up the data with COPY: n/10 host institutions on a grid, one offer each with one
   primary-maths slot (Poisson capacity, ~1.2 places per applicant), n/10 home institutions,
   n teachers with sign-ins, n approved applications with 5 ranked offers near home;
2. runs the exchanges services' public functions — ``start_matching_run``,
   ``execute_matching_run``, ``publish_run`` — timing the phases: **load** (building the
   instance from the database), **solve** (the matching algorithm), **explain** (the
   applicants' explanations), **write** (the rest of the execution: storing results, inputs
   and statistics) and **publish** (taking places, updating applications, notifying).

Phases are timed by wrapping the services' internal steps (``build_instance``, the solver,
``explain_all`` or the older ``_explain``); a step that no longer exists under that name is
reported as "-" and its time falls into **write**. This is a measurement script, not a
test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._report import machine, now, text_table, write_json  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/xt_perf_e2e"
CHOICES = 5
MATHS = "14"  # the national subject code of mathematics (xietong/core/data/subjects.tsv)
APPLICANTS_PER_HOST = 10
PLACES_PER_APPLICANT = 1.2
PHASES = ("start", "load", "solve", "explain", "write", "publish")

# --------------------------------------------------------------------------- the database


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xietong.settings")
    import django

    django.setup()


# --------------------------------------------------------------------------- the data


def _copy(table: str, columns: list[str], rows: Any) -> int:
    from django.db import connection

    n = 0
    cols = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _reset_sequences(tables: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        for t in tables:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{t}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{t}"), 1))'
            )


def empty_tables() -> None:
    from django.db import connection

    tables = [
        "exchanges_matchresult",
        "exchanges_matchingrun",
        "exchanges_notification",
        "exchanges_applicationchoice",
        "exchanges_application",
        "exchanges_offerslot",
        "exchanges_hostoffer",
        "exchanges_programarea",
        "exchanges_program",
        "institutions_staff",
        "institutions_institution",
        "accounts_user",
    ]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cur:
        cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables if t in existing) + " CASCADE")


def set_up(n: int, seed: int) -> dict[str, Any]:
    """Write the instance of size ``n`` with COPY; returns the ids the run needs."""
    import datetime as dt

    import numpy as np
    from django.db import transaction
    from django.utils import timezone

    from xietong.institutions import personal_data
    from xietong.regions.models import Region

    def sealed(number: str) -> tuple[object, ...]:
        return personal_data.sealed_columns(number)

    rng = np.random.default_rng(seed)
    g = max(3, round(float(np.sqrt(max(1.0, n / APPLICANTS_PER_HOST)))))
    n_hosts = g * g
    n_homes = n_hosts
    now = timezone.now()
    beijing = Region.objects.get(code="110000")
    county = Region.objects.get(code="110112")
    hebei = Region.objects.get(code="131082")

    def coords(x: float, y: float) -> tuple[str, str]:
        # The grid spread over ~2° around Beijing: distances of tens of kilometres.
        return f"{39.0 + 2 * y / g:.5f}", f"{115.5 + 2 * x / g:.5f}"

    host_xy = np.stack(np.divmod(np.arange(n_hosts), g), axis=1) + rng.random((n_hosts, 2))
    home_xy = rng.random((n_homes, 2)) * g
    inst_cols = [
        "id", "name", "name_en", "kind", "stages", "ownership", "locality", "region_id",
        "region_path", "address", "latitude", "longitude", "created_at", "updated_at",
    ]  # fmt: skip

    def institutions() -> Any:
        yield (1, "通州区教委（基准）", "", "authority", "", "public", "urban", beijing.id,
               beijing.path, "", None, None, now, now)  # fmt: skip
        for h in range(n_hosts):
            lat, lon = coords(*host_xy[h])
            yield (2 + h, f"接收校{h:06d}", "", "primary", ",primary,", "public", "urban",
                   county.id, county.path, "", lat, lon, now, now)  # fmt: skip
        for k in range(n_homes):
            lat, lon = coords(*home_xy[k])
            yield (2 + n_hosts + k, f"派出校{k:06d}", "", "primary", ",primary,", "public",
                   "rural", hebei.id, hebei.path, "", lat, lon, now, now)  # fmt: skip

    home_of = rng.integers(0, n_homes, n)
    app_xy = home_xy[home_of]
    backbone = rng.random(n) < 0.2
    years = rng.integers(0, 25, n)
    scores = np.round(rng.normal(80, 8, n), 1)
    cell = np.floor(app_xy).astype(np.int64)
    offsets = np.array([(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)])
    around = (cell[:, None, :] + offsets[None, :, :]) % g
    candidates = around[:, :, 0] * g + around[:, :, 1]
    delta = np.abs(app_xy[:, None, :] - host_xy[candidates])
    delta = np.minimum(delta, g - delta)
    utility = -np.sqrt((delta**2).sum(axis=2)) + rng.gumbel(0.0, 0.3, delta.shape[:2])
    top = np.take_along_axis(candidates, np.argsort(-utility, axis=1)[:, :CHOICES], axis=1)
    capacities = np.clip(rng.poisson(PLACES_PER_APPLICANT * n / n_hosts, n_hosts), 1, 30000)

    user_cols = [
        "id", "password", "is_superuser", "username", "first_name", "last_name", "email",
        "is_staff", "is_active", "date_joined", "display_name", "failed_logins",
        "must_change_password",
    ]  # fmt: skip
    staff_cols = [
        "id", "name", "gender", "birth_date", *personal_data.SEALED_COLUMNS, "institution_id",
        "position", "stages", "subjects", "title", "honours", "joined_on", "user_id",
        "created_at", "updated_at",
    ]  # fmt: skip
    started = time.perf_counter()
    with transaction.atomic():
        _copy("institutions_institution", inst_cols, institutions())
        _copy(
            "accounts_user",
            user_cols,
            (
                (1 + a, "!", False, f"bench{a:07d}", "", "", "", False, True, now, "", 0, False)
                for a in range(n)
            ),
        )
        _copy(
            "institutions_staff",
            staff_cols,
            (
                (1 + a, f"教师{a:07d}", "M", dt.date(1980, 1, 1), *sealed(f"B{a:017d}"),
                 2 + n_hosts + int(home_of[a]), "teacher", ",primary,", "," + MATHS + ",", "first",
                 ",backbone," if backbone[a] else "",
                 dt.date(2025 - int(years[a]), 9, 1), 1 + a, now, now)
                for a in range(n)
            ),
        )  # fmt: skip
        program_cols = [
            "id", "kind", "organiser_id", "region_id", "title", "school_year", "term",
            "starts_on", "ends_on", "elig_stages", "elig_subjects", "elig_titles",
            "elig_positions", "max_choices", "opens_at", "closes_at", "status", "created_at",
            "updated_at",
        ]  # fmt: skip
        _copy(
            "exchanges_program",
            program_cols,
            [
                (1, "secondment", 1, beijing.id, f"基准交流项目 {n}", "2026-2027", 1,
                 dt.date(2026, 9, 1), dt.date(2027, 1, 15), "", "", "", "", CHOICES,
                 now - dt.timedelta(days=30), now - dt.timedelta(days=1), "closed", now, now)
            ],
        )  # fmt: skip
        _copy(
            "exchanges_hostoffer",
            ["id", "program_id", "host_id", "requirements", "created_at"],
            ((1 + h, 1, 2 + h, "", now) for h in range(n_hosts)),
        )
        _copy(
            "exchanges_offerslot",
            ["id", "offer_id", "stage", "subject", "capacity", "taken"],
            ((1 + h, 1 + h, "primary", MATHS, int(capacities[h]), 0) for h in range(n_hosts)),
        )
        _copy(
            "exchanges_application",
            [
                "id", "program_id", "applicant_id", "home_id", "statement", "status", "score",
                "submitted_at", "approved_at", "reject_reason", "recommend_comment",
                "approve_comment", "created_at", "updated_at",
            ],
            (
                (1 + a, 1, 1 + a, 2 + n_hosts + int(home_of[a]), "", "approved",
                 float(scores[a]), now, now, "", "", "", now, now)
                for a in range(n)
            ),
        )  # fmt: skip
        _copy(
            "exchanges_applicationchoice",
            ["id", "application_id", "rank", "offer_id"],
            (
                (1 + a * CHOICES + r, 1 + a, 1 + r, 1 + int(top[a, r]))
                for a in range(n)
                for r in range(CHOICES)
            ),
        )
        _reset_sequences(
            [
                "institutions_institution", "accounts_user", "institutions_staff",
                "exchanges_program", "exchanges_hostoffer", "exchanges_offerslot",
                "exchanges_application", "exchanges_applicationchoice",
            ]
        )  # fmt: skip
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "applicants": n,
        "hosts": n_hosts,
        "places": int(capacities.sum()),
        "choices": n * CHOICES,
        "setup_s": round(time.perf_counter() - started, 2),
        "region_path": beijing.path,
    }


# --------------------------------------------------------------------------- the run


class _Phases:
    """Accumulates wall time per phase; wraps callables so each call is timed."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.hooked: set[str] = set()

    def wrap(self, phase: str, fn: Any) -> Any:
        self.hooked.add(phase)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - started

        return timed


class _SolverProxy:
    """The ``matching`` package as the runs service sees it, with the solvers timed."""

    def __init__(self, module: Any, phases: _Phases) -> None:
        self._module = module
        self.stable_match = phases.wrap("solve", module.stable_match)
        self.min_cost_assign = phases.wrap("solve", module.min_cost_assign)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


def run_once(mode: str, info: dict[str, Any]) -> dict[str, Any]:
    from xietong.accounts.access import Actor, Grant
    from xietong.accounts.models import Role
    from xietong.exchanges.models import MatchResult
    from xietong.exchanges.services import runs
    from xietong.notifications.models import Notification

    phases = _Phases()
    if hasattr(runs, "build_instance"):
        runs.build_instance = phases.wrap("load", runs.build_instance)  # type: ignore[attr-defined]
    if hasattr(runs, "matching"):
        runs.matching = _SolverProxy(runs.matching, phases)  # type: ignore[attr-defined]
    if hasattr(runs, "_explain"):
        runs._explain = phases.wrap("explain", runs._explain)  # type: ignore[attr-defined]
    if hasattr(runs, "explain_all"):  # one pass over all applicants (exchanges.explanations)
        runs.explain_all = phases.wrap("explain", runs.explain_all)  # type: ignore[attr-defined]

    actor = Actor(
        user_id=None,
        name="bench",
        grants=(Grant(Role.AUTHORITY_ADMIN, region_path=info["region_path"]),),
    )
    t0 = time.perf_counter()
    run = runs.start_matching_run(actor, 1, mode, enqueue=False)
    t1 = time.perf_counter()
    run = runs.execute_matching_run(run.pk)
    t2 = time.perf_counter()
    if run.status != "done":
        return {"error": f"run {run.state}: {run.job.message if run.job else ''}"}
    runs.publish_run(actor, run.pk)
    t3 = time.perf_counter()
    inner = sum(phases.seconds.get(p, 0.0) for p in ("load", "solve", "explain"))
    out: dict[str, Any] = {
        "start": t1 - t0,
        "load": phases.seconds.get("load") if "load" in phases.hooked else None,
        "solve": phases.seconds.get("solve") if "solve" in phases.hooked else None,
        "explain": phases.seconds.get("explain") if "explain" in phases.hooked else None,
        "write": (t2 - t1) - inner,
        "publish": t3 - t2,
        "total": t3 - t0,
        "matched": run.statistics.get("matched"),
        "results": MatchResult.objects.filter(run=run).count(),
        "notifications": Notification.objects.count(),
    }
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in out.items()}


def worker(url: str, n: int, mode: str, seed: int) -> None:
    _setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    empty_tables()
    info = set_up(n, seed)
    print(f"  set up {n:,} applicants in {info['setup_s']} s", file=sys.stderr, flush=True)
    result = {**info, **run_once(mode, info)}
    print("RESULT " + json.dumps(result), flush=True)


# --------------------------------------------------------------------------- the table


def table(rows: list[dict[str, Any]]) -> str:
    def cell(v: Any) -> str:
        return f"{v:.2f}" if isinstance(v, int | float) else "-"

    header = ["applicants", "hosts", "setup s", *(f"{p} s" for p in PHASES), "total s", "matched"]
    body = [
        [f"{r['applicants']:,}", r["error"]]
        if "error" in r
        else [
            f"{r['applicants']:,}",
            f"{r['hosts']:,}",
            f"{r['setup_s']:.1f}",
            *(cell(r.get(p)) for p in PHASES),
            f"{r['total']:.2f}",
            f"{r['matched']:,}",
        ]
        for r in rows
    ]
    lines = [text_table(header, body)]
    done = [r for r in rows if "total" in r]
    if len(done) >= 2:
        a, b = done[0], done[-1]
        lines.append(
            f"\ngrowth {a['applicants']:,} → {b['applicants']:,}: "
            f"{b['total'] / a['total']:.1f}× end to end "
            f"(sizes {b['applicants'] / a['applicants']:.0f}× apart)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--mode", default="stable", choices=["stable", "min_cost"])
    parser.add_argument("--db", default=DEFAULT_DB, help="the benchmark's own database")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per size")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "matching_e2e.json"))
    parser.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.db.startswith(("postgres://", "postgresql://")):
        parser.error("--db must be a PostgreSQL address")
    if args.worker:
        worker(args.db, args.worker, args.mode, args.seed)
        return 0
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s]
    except ValueError:
        parser.error("--sizes is a comma-separated list of whole numbers")
    ensure_database(args.db)
    rows: list[dict[str, Any]] = []
    for n in sizes:
        print(f"size {n:,} …", file=sys.stderr, flush=True)
        cmd = [sys.executable, __file__, "--worker", str(n), "--db", args.db,
               "--mode", args.mode, "--seed", str(args.seed)]  # fmt: skip
        try:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=args.timeout, cwd=ROOT
            )
        except subprocess.TimeoutExpired:
            rows.append({"applicants": n, "error": f"timeout > {args.timeout:.0f} s"})
            continue
        sys.stderr.write(done.stderr[-3000:])
        found = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
        if done.returncode or not found:
            rows.append({"applicants": n, "error": f"failed (exit {done.returncode})"})
            continue
        rows.append(json.loads(found[-1][len("RESULT ") :]))
    print(table(rows))
    result = {
        "command": " ".join(["bench/matching_e2e_bench.py", *(argv or sys.argv[1:])]),
        "mode": args.mode,
        "seed": args.seed,
        "machine": machine(),
        "when": now(),
        "rows": rows,
    }
    print(f"written {write_json(args.out, result)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
