"""Server time of the registry's and exchanges' pages, per viewer, on the configured database.

One command (see bench/README.md)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xt_perf \\
        python bench/pages_bench.py [--repeat 20] [--viewers hebei,langfang,sanhe,beijing] \\
        [--pages home,staff,...] [--out bench/results/pages.json]

The database must hold the demo data (``xietong demo --scale 1.0`` then ``xietong
demo_users``). Each viewer is signed in with Django's test client (``force_login``), each page
is requested once untimed (warm-up; its SQL queries are counted then) and ``--repeat`` times
timed. The time is the in-process WSGI call — middleware, view, queries and template
rendering, without a network or a web server: the server time of the page. Every answer must
be 200; another status is reported in the table and the JSON.

This is a measurement script, not a test: it asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._report import machine, now, text_table, write_json  # noqa: E402

# The page definitions: a key, a label and the address for a viewer (its region code).
SCHOOL_YEAR = "2025-2026"


@dataclass(frozen=True)
class PageSpec:
    key: str
    label: str
    address: Callable[[str], str]


PAGES: list[PageSpec] = [
    PageSpec("home", "home", lambda r: "/"),
    PageSpec("regions", "region browser (root)", lambda r: "/regions/"),
    PageSpec("regions_city", "region browser (廊坊市)", lambda r: "/regions/131000/"),
    PageSpec("institutions", "institution list", lambda r: "/institutions/"),
    PageSpec("institutions_q", "institution list ?q=中学", lambda r: "/institutions/?q=中学"),
    PageSpec(
        "institutions_area", "institution list ?area=own", lambda r: f"/institutions/?area={r}"
    ),
    PageSpec("staff", "staff list", lambda r: "/institutions/staff/"),
    PageSpec("staff_q", "staff list ?q=王", lambda r: "/institutions/staff/?q=王"),
    PageSpec("staff_q3", "staff list ?q=王建国", lambda r: "/institutions/staff/?q=王建国"),
    PageSpec("staff_area", "staff list ?area=own", lambda r: f"/institutions/staff/?area={r}"),
    PageSpec(
        "staff_filtered",
        "staff list ?area=own&title=senior",
        lambda r: f"/institutions/staff/?area={r}&title=senior",
    ),
    PageSpec("programs", "exchange programs", lambda r: "/exchanges/"),
    PageSpec("review", "review queue", lambda r: "/exchanges/review/"),
    PageSpec("placements", "placements", lambda r: "/exchanges/placements/"),
    PageSpec("coverage", "coverage (default)", lambda r: "/exchanges/coverage/"),
    PageSpec(
        "coverage_year",
        f"coverage {SCHOOL_YEAR}",
        lambda r: f"/exchanges/coverage/?school_year={SCHOOL_YEAR}",
    ),
    PageSpec(
        "coverage_group",
        f"coverage {SCHOOL_YEAR} 北三县",
        lambda r: f"/exchanges/coverage/?school_year={SCHOOL_YEAR}&area=beisanxian",
    ),
]

# Demo users: a province, a city and a county authority, and Beijing's.
VIEWERS = {
    "hebei": "130000",
    "langfang": "131000",
    "sanhe": "131082",
    "beijing": "110000",
}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xietong.settings")
    import django

    django.setup()


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.4999)))
    return ordered[rank - 1]


class _QueryCounter:
    """Counts SQL statements (Django's query log is reset when each request starts)."""

    def __init__(self) -> None:
        self.n = 0
        self.seconds = 0.0
        self.slowest: tuple[float, str] = (0.0, "")

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            self.seconds += took
            if took > self.slowest[0]:
                self.slowest = (took, sql)


def _passed_second_factor(client: Any) -> None:
    """Mark the session as having given the second factor, as signing in with it does."""
    try:
        from xietong.accounts.second_factor_views import VERIFIED
    except ImportError:  # a version without second factors
        return
    from django.utils import timezone

    session = client.session
    session[VERIFIED] = timezone.now().isoformat()
    session.save()


def measure(viewer: str, pages: list[PageSpec], repeat: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test import Client

    from xietong.accounts.models import User

    user = User.objects.filter(username=viewer).first()
    if user is None:
        raise SystemExit(f"No user {viewer!r}: run `xietong demo_users` on this database first.")
    client = Client()
    client.force_login(user)
    _passed_second_factor(client)
    region = VIEWERS.get(viewer, "")
    out = []
    for page in pages:
        address = page.address(region)
        counter = _QueryCounter()
        with connection.execute_wrapper(counter):
            first = client.get(address)
        times = []
        statuses = {first.status_code}
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(address)
            times.append((time.perf_counter() - started) * 1000)
            statuses.add(response.status_code)
        out.append(
            {
                "page": page.key,
                "label": page.label,
                "viewer": viewer,
                "address": address,
                "status": sorted(statuses),
                "queries": counter.n,
                "warmup_db_ms": round(counter.seconds * 1000, 1),
                "warmup_slowest_query_ms": round(counter.slowest[0] * 1000, 1),
                "warmup_slowest_query": counter.slowest[1][:2000],
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(_percentile(times, 95), 1),
                "max_ms": round(max(times), 1),
                "runs_ms": [round(t, 1) for t in times],
            }
        )
        print(
            f"  {viewer:<9} {page.label:<36} p50 {out[-1]['p50_ms']:>8.1f} ms",
            file=sys.stderr,
            flush=True,
        )
    return out


def table(rows: list[dict[str, Any]], limit_ms: float) -> str:
    """Pages down, viewers across: p50/p95 ms (queries), ``!`` where p95 is over the limit."""
    viewers = list(dict.fromkeys(r["viewer"] for r in rows))
    pages = list(dict.fromkeys((r["page"], r["label"]) for r in rows))
    cell = {(r["page"], r["viewer"]): r for r in rows}

    def text(r: dict[str, Any] | None) -> str:
        if r is None:
            return "-"
        flag = "" if r["p95_ms"] <= limit_ms else " !"
        status = "" if r["status"] == [200] else f" [{','.join(map(str, r['status']))}]"
        return f"{r['p50_ms']:.0f}/{r['p95_ms']:.0f} ({r['queries']}){status}{flag}"

    body = [[label, *(text(cell.get((key, v))) for v in viewers)] for key, label in pages]
    header = ["page", *(f"{v} p50/p95 ms (q)" for v in viewers)]
    over = sum(1 for r in rows if r["p95_ms"] > limit_ms)
    bad = sum(1 for r in rows if r["status"] != [200])
    return (
        text_table(header, body, left=1)
        + f"\n\n{len(rows)} measurements; {over} with p95 over {limit_ms:.0f} ms (marked !); "
        + f"{bad} not answering 200."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument("--viewers", default=",".join(VIEWERS), help="comma-separated usernames")
    parser.add_argument(
        "--pages",
        default="",
        help="comma-separated page keys (default: all): " + ", ".join(p.key for p in PAGES),
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "pages.json"))
    parser.add_argument("--label", default="", help="a note stored in the JSON (e.g. before)")
    parser.add_argument("--limit-ms", type=float, default=200.0, help="the p95 target")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    wanted = [k for k in args.pages.split(",") if k]
    unknown = set(wanted) - {p.key for p in PAGES}
    if unknown:
        parser.error(f"unknown page keys: {', '.join(sorted(unknown))}")
    pages = [p for p in PAGES if not wanted or p.key in wanted]

    _setup_django()
    from django.db import connection

    from xietong.institutions.models import Staff

    vendor = connection.vendor
    staff = Staff.objects.count()
    print(
        f"database: {vendor} {connection.settings_dict['NAME']}, {staff:,} staff", file=sys.stderr
    )
    rows: list[dict[str, Any]] = []
    for viewer in [v for v in args.viewers.split(",") if v]:
        rows.extend(measure(viewer, pages, args.repeat))
    print(table(rows, args.limit_ms))
    result = {
        "label": args.label,
        "command": " ".join(["bench/pages_bench.py", *(argv or sys.argv[1:])]),
        "database": vendor,
        "staff": staff,
        "repeat": args.repeat,
        "limit_ms": args.limit_ms,
        "machine": machine(),
        "when": now(),
        "rows": rows,
    }
    print(f"written {write_json(args.out, result)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
