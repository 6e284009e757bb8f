"""Benchmark ``xietong.core.bulk.insert`` against Django's ``bulk_create`` on the same rows.

One command (see bench/README.md)::

    DATABASE_URL=postgres://… python bench/bulk_bench.py [--scale 0.05] [--repeat 2] \
        [--out bench/results/bulk.json]

It plans the demo's synthetic population at ``--scale`` (the same generator as ``xietong
demo``), writes its institutions once, then writes the staff rows with ``core.bulk`` (COPY
on PostgreSQL, executemany on SQLite) and with ``Staff.objects.bulk_create`` alternately
(ours, peer, peer, ours, …) so both see the same machine load, each inside a savepoint that
is rolled back. Nothing stays in the database. It is a measurement, not a test: it asserts
nothing about timings. Generating the rows is not timed: both writers get the same list.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._report import machine, now, text_table, write_json  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="0.05", help="demo scale of the rows (default 0.05)")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per writer")
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "bulk.json"))
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xietong.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from xietong.core import bulk
    from xietong.demo import synthetic
    from xietong.demo.synthetic.loading import taken_names
    from xietong.demo.synthetic.writing import (
        INSTITUTION_COLUMNS,
        STAFF_DB_COLUMNS,
        region_ids,
        staff_db_row,
    )
    from xietong.institutions import personal_data
    from xietong.institutions.models import Institution, Staff

    scale = synthetic.parse_scale(args.scale)
    insts = synthetic.plan(scale, 1, taken_names())
    taken = personal_data.RegisteredIdNumbers()
    runs: list[dict[str, Any]] = []
    with transaction.atomic():
        inst_ids = list(bulk.reserve_ids(Institution, len(insts)))
        regions = region_ids(insts)
        bulk.insert(
            Institution,
            INSTITUTION_COLUMNS,
            [
                (i, p.name, p.kind, p.stages, p.ownership, p.locality, r, p.county.path,
                 p.address, p.latitude, p.longitude)
                for i, p, r in zip(inst_ids, insts, regions, strict=True)
            ],
        )  # fmt: skip
        version = personal_data.keyring().current_version()
        # Sealed before the timing: both writers get the same ready rows.
        rows = [
            staff_db_row(0, row, inst_ids[index], version)[1:]
            for index, row in synthetic.staff_rows(insts, 1, taken)
        ]
        columns = STAFF_DB_COLUMNS[1:]

        def ours() -> None:
            bulk.insert(Staff, columns, rows, batch_size=args.batch_size)

        def peer() -> None:
            now = timezone.now()
            objs = [
                Staff(**dict(zip(columns, r, strict=True)), created_at=now, updated_at=now)
                for r in rows
            ]
            Staff.objects.bulk_create(objs, batch_size=args.batch_size)

        order = [("core.bulk", ours), ("bulk_create", peer)]
        for k in range(args.repeat * 2):
            name, fn = order[(k + k // 2) % 2]  # ours, peer, peer, ours, …
            sid = transaction.savepoint()
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            transaction.savepoint_rollback(sid)
            runs.append({"writer": name, "rows": len(rows), "wall_s": wall, "cpu_s": cpu})
        transaction.set_rollback(True)

    best = {
        name: min((r for r in runs if r["writer"] == name), key=lambda r: r["wall_s"])
        for name, _ in order
    }
    print(f"{connection.vendor}, {len(rows):,} staff rows, batch {args.batch_size:,}")
    body = [
        [name, f"{r['wall_s']:.2f}", f"{r['cpu_s']:.2f}", f"{r['rows'] / r['wall_s']:,.0f}"]
        for name, r in best.items()
    ]
    print(text_table(["writer", "wall s", "cpu s", "rows/s"], body, left=1))
    ratio = best["bulk_create"]["wall_s"] / best["core.bulk"]["wall_s"]
    print(f"bulk_create takes {ratio:.1f}x the time of core.bulk")
    out = {
        "database": connection.vendor,
        "scale": str(scale),
        "batch_size": args.batch_size,
        "runs": runs,
        "machine": machine(),
        "when": now(),
    }
    write_json(args.out, out)


if __name__ == "__main__":
    main()
