"""Benchmark the staff export (``xietong.jobs.exports``) against django-import-export.

One command (see bench/README.md)::

    python bench/export_bench.py [--rows 100000] [--out bench/results/export.json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xt_list_exports python bench/export_bench.py

Without ``DATABASE_URL`` it migrates a SQLite database in a temporary directory; either way
it writes ``--rows`` staff rows of the demo's synthetic population (the ``xietong demo``
generator, through ``core.bulk``), then exports them as xlsx and as CSV, four ways, each in
its own fresh Python subprocess (so peak RSS, ``ru_maxrss``, is that writer's alone):

* ``xietong``: ``exports.export_to(actor, "staff", {}, fmt, file)`` — the staff list's
  selector, ``values_list`` in chunks of 2,000, our streaming writer, one audit event;
* ``import-export``: a ``ModelResource`` of the same twelve columns over the same scoped
  queryset, ``resource.export(queryset)`` then ``dataset.export(fmt)`` (tablib, openpyxl).

Time is the export call, to the file on disk, after ``django.setup()`` (measured, not
included). The actor is the system admin, who reads every record (masked). It asserts
nothing; targets are 100k rows in ≤ 5 s and ≤ 100 MB for ours.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._report import machine, now, text_table, write_json  # noqa: E402

WRITERS = ("xietong", "import-export")
FORMATS = ("xlsx", "csv")
COLUMNS = (
    "name",
    "gender",
    "institution__name",
    "institution__region__name",
    "position",
    "title",
    "stages",
    "subjects",
    "honours",
    "masked_id_number",
    "masked_phone",
    "joined_on",
)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xietong.settings")
    import django

    django.setup()


def _actor() -> Any:
    from xietong.accounts.access import Actor, Grant
    from xietong.accounts.models import Role

    return Actor(user_id=None, name="bench (export)", grants=(Grant(Role.SYSTEM_ADMIN),))


def populate(rows: int) -> int:
    """Write ``rows`` staff (and their institutions) unless the database holds them."""
    from decimal import Decimal

    from django.db import transaction

    from xietong.demo import synthetic
    from xietong.demo.synthetic.loading import taken_names
    from xietong.demo.synthetic.writing import write
    from xietong.institutions import personal_data, tallies
    from xietong.institutions.models import Staff

    have = Staff.objects.count()
    if have >= rows:
        return have
    scale = Decimal(rows - have) / Decimal(1_200_000)  # ~1.4 M staff at scale 1
    insts = synthetic.plan(synthetic.parse_scale(str(round(scale, 4))), 1, taken_names())
    while sum(i.staff for i in insts) < rows - have:  # a larger plan, if short
        scale *= Decimal("1.2")
        insts = synthetic.plan(synthetic.parse_scale(str(round(scale, 4))), 1, taken_names())
    kept, n = [], 0
    for inst in insts:  # just enough institutions for the rows
        if n >= rows - have:
            break
        kept.append(inst)
        n += inst.staff
    with transaction.atomic():
        written = write(kept, 1, personal_data.RegisteredIdNumbers(), lambda *a: None, 10_000)
        extra = Staff.objects.count() - rows
        if extra > 0:  # the last institution's surplus
            Staff.objects.filter(pk__in=Staff.objects.order_by("-pk").values("pk")[:extra]).delete()
        tallies.refresh(list(written.institution_ids))
    return Staff.objects.count()


def _peer(fmt: str, path: Path) -> int:
    from import_export import fields, resources

    from xietong.institutions import selectors
    from xietong.institutions.models import Staff

    class StaffResource(resources.ModelResource):
        institution_name = fields.Field(attribute="institution__name", column_name="institution")
        region = fields.Field(attribute="institution__region__name", column_name="region")

        class Meta:
            model = Staff
            fields = (
                "name", "gender", "institution_name", "region", "position", "title", "stages",
                "subjects", "honours", "masked_id_number", "masked_phone", "joined_on",
            )  # fmt: skip
            export_order = fields

    qs = selectors.staff_for(_actor()).order_by(*selectors.STAFF_KEYSET)
    dataset = StaffResource().export(queryset=qs)
    data = dataset.export(fmt)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8-sig"))
    return len(dataset)


def _ours(fmt: str, path: Path) -> int:
    from xietong.jobs import exports

    with path.open("wb") as out:
        return exports.export_to(_actor(), "staff", {}, fmt, out)


def _status_mb(key: str) -> float:
    """A line of /proc/self/status (VmRSS, VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def worker(writer: str, fmt: str, path: Path) -> dict[str, Any]:
    _setup()
    if writer == "import-export":
        import import_export.resources  # noqa: F401  (its import is setup, not export)
    setup_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM: the export's own peak
    before = _status_mb("VmRSS")
    wall, cpu = time.perf_counter(), time.process_time()
    rows = (_ours if writer == "xietong" else _peer)(fmt, path)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "writer": writer,
        "format": fmt,
        "rows": rows,
        "wall_s": wall,
        "cpu_s": cpu,
        # ru_maxrss: the whole process (Django and the project loaded: ~180 MB);
        # export_peak_mb: VmHWM during the export minus the resident size before it.
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "setup_rss_mb": setup_peak,
        "export_peak_mb": _status_mb("VmHWM") - before,
        "bytes": path.stat().st_size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "export.json"))
    parser.add_argument("--worker", nargs=3, metavar=("WRITER", "FORMAT", "FILE"))
    args = parser.parse_args()
    if args.worker:
        writer, fmt, file = args.worker
        print(json.dumps(worker(writer, fmt, Path(file))))
        return

    with tempfile.TemporaryDirectory(prefix="xt-export-bench-") as tmp:
        env = dict(os.environ)
        env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
        os.environ.update(env)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "xietong.cli", "migrate", "-v", "0"], env=env, check=True
        )
        _setup()
        from django.db import connection

        total = populate(args.rows)
        connection.close()
        print(
            f"{connection.vendor}: {total:,} staff rows ready"
            f" in {time.perf_counter() - started:.0f} s"
        )
        runs: list[dict[str, Any]] = []
        for fmt in FORMATS:
            for writer in WRITERS:
                path = Path(tmp) / f"{writer}.{fmt}"
                done = subprocess.run(
                    [sys.executable, __file__, "--worker", writer, fmt, str(path)],
                    env=env,
                    capture_output=True,
                    text=True,
                )
                if done.returncode != 0:
                    runs.append({"writer": writer, "format": fmt, "error": done.stderr[-2000:]})
                    continue
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    body = [
        [r["writer"], r["format"], "error", r["error"].strip().splitlines()[-1]]
        if "error" in r
        else [
            r["writer"],
            r["format"],
            f"{r['rows']:,}",
            f"{r['wall_s']:.2f}",
            f"{r['cpu_s']:.2f}",
            f"{r['peak_rss_mb']:.0f}",
            f"{r['export_peak_mb']:.0f}",
            f"{r['bytes'] / 1e6:.1f}",
        ]
        for r in runs
    ]
    print(
        text_table(
            ["writer", "format", "rows", "wall s", "cpu s", "peak RSS MB", "export MB", "file MB"],
            body,
            left=2,
        )
    )
    write_json(
        args.out,
        {
            "database": connection.vendor,
            "rows": total,
            "runs": runs,
            "targets": {"seconds": 5, "peak_rss_mb": 100},
            "machine": machine(),
            "when": now(),
        },
    )


if __name__ == "__main__":
    main()
