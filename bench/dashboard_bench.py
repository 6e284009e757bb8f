"""Server time of the dashboard's overview and a drill-down list, per viewer.

One command (see bench/README.md)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xt_perf \\
        python bench/dashboard_bench.py [--repeat 50] [--viewers hebei,langfang,tongzhou] \\
        [--period 2025Q4] [--out bench/results/dashboard.json]

The database must hold the demo data (``xietong demo --scale 1.0`` then ``xietong
demo_users``). It measures as :mod:`bench.pages_bench` does (and with its code): each viewer
signed in with the test client, each page once untimed (its queries counted) and
``--repeat`` times timed, in-process — the server time of the page; a table of p50/p95 ms
(queries) and the JSON in ``bench/results/``. The target is p95 ≤ 200 ms.

The overview is two requests: the page (cards, task board, reporting rate) and the charts
and map it fetches from ``/api/dashboard/charts``; both are measured, apart.

This is a measurement script, not a test: it asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._report import machine, now, write_json  # noqa: E402
from bench.pages_bench import PageSpec, _setup_django, measure, table  # noqa: E402

VIEWERS = ("hebei", "langfang", "tongzhou")


def pages(period: str) -> list[PageSpec]:
    return [
        PageSpec("overview", f"dashboard {period}", lambda r: f"/dashboard/?period={period}"),
        PageSpec(
            "charts",
            "its charts (API)",
            lambda r: f"/api/dashboard/charts?period={period}",
        ),
        PageSpec(
            "cooperating",
            "list: cooperating schools",
            lambda r: f"/dashboard/records/?metric=partnerships.cooperating_hebei&period={period}",
        ),
        PageSpec(
            "partnerships",
            "list: active partnerships p.2",
            lambda r: f"/dashboard/records/?metric=partnerships.active&period={period}&page=2",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per page")
    parser.add_argument("--viewers", default=",".join(VIEWERS), help="comma-separated usernames")
    parser.add_argument("--period", default="2025Q4", help="the dashboard's period")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "dashboard.json"))
    parser.add_argument("--label", default="", help="a note stored in the JSON")
    parser.add_argument("--limit-ms", type=float, default=200.0, help="the p95 target")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    _setup_django()
    from django.db import connection

    from xietong.institutions.models import Staff
    from xietong.partnerships.models import Partnership

    vendor = connection.vendor
    staff, partnerships = Staff.objects.count(), Partnership.objects.count()
    print(
        f"database: {vendor} {connection.settings_dict['NAME']}, {staff:,} staff, "
        f"{partnerships:,} partnerships",
        file=sys.stderr,
    )
    rows: list[dict[str, Any]] = []
    for viewer in [v for v in args.viewers.split(",") if v]:
        rows.extend(measure(viewer, pages(args.period), args.repeat))
    print(table(rows, args.limit_ms))
    result = {
        "label": args.label,
        "command": " ".join(["bench/dashboard_bench.py", *(argv or sys.argv[1:])]),
        "database": vendor,
        "staff": staff,
        "partnerships": partnerships,
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
