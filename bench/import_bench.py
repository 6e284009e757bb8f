"""Benchmark the staff import against django-import-export, on SQLite and PostgreSQL.

One command (see bench/README.md)::

    python bench/import_bench.py [--rows 100000] [--large 1400000] [--databases sqlite,pg]
        [--pg-url postgres://postgres@127.0.0.1:5432/postgres] [--out bench/results/import.json]

For each database it makes a fresh one (a temporary SQLite file; a PostgreSQL database
``xt_import_bench`` created and dropped), migrates it, registers 200 schools of 三河市 and
writes a staff roster xlsx of ``--rows`` rows in the template's shape. Then, each in its own
subprocess on its own fresh copy of the registry:

* **ours**: ``xietong.transfer`` as a user meets it — the file is read (streaming), every
  row checked as the services check a form (ID checksum, codes, dates, scope, duplicates in
  the file and against the registry), the rows written through ``core.bulk`` in one
  transaction, the error report written; the check (dry run) and the write are timed
  apart;
* **django-import-export** in its fastest documented mode (``use_bulk``, ``skip_diff``,
  ``force_init_instance``, no model validation): tablib loads the xlsx, a resource maps the
  same columns, seals the personal data and writes with bulk_create.

``--large`` rows (the province, scale 1.0) are imported by ours alone. Each run reports
rows/s, peak RSS (``ru_maxrss`` of its subprocess) and correctness: the rows in the table
afterwards and a sample of 100 rows compared field by field with the file. It is a
measurement, not a test: it asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import datetime as dt
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

SCHOOLS = 200
REGION = "131082"
PG_DB = "xt_import_bench"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xietong.settings")
    import django

    django.setup()


def school_code(i: int) -> str:
    return f"21130{i:05d}"


def person(i: int) -> list[Any]:
    from xietong.institutions.validators import id_check_char

    born = dt.date(1962, 1, 1) + dt.timedelta(days=i % 9000)
    body = f"{REGION}{born:%Y%m%d}{(i // 9000) % 1000:03d}"
    return [
        f"教师{i}",
        body + id_check_char(body),
        "",
        "",
        f"139{i:08d}",
        school_code(i % SCHOOLS),
        "",
        "教师",
        "小学",
        "数学、语文" if i % 2 else "语文",
        "一级教师",
        "",
        dt.date(2010, 9, 1),
    ]


def write_roster(rows: int, path: Path) -> None:
    from xietong.core import tables
    from xietong.institutions.staff_roster import FIELDS

    columns = [
        tables.Column(f.column.header, "date" if f.column.kind == "date" else "text")
        for f in FIELDS
    ]
    with path.open("wb") as out:
        tables.write_xlsx(columns, (person(i) for i in range(rows)), out)


def prepare() -> None:
    """Migrate and register the schools (in the worker's fresh database)."""
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from xietong.institutions.models import Institution
    from xietong.regions.models import Region

    region = Region.objects.get(code=REGION)
    Institution.objects.bulk_create(
        Institution(
            name=f"三河市第{i + 1}小学",
            kind="primary",
            stages=",primary,",
            school_code=school_code(i),
            region=region,
            region_path=region.path,
        )
        for i in range(SCHOOLS)
    )


def run_ours(path: Path) -> dict[str, Any]:
    _setup_django()
    from django.core.files import File

    from xietong.accounts.access import Actor, Grant
    from xietong.accounts.models import Role
    from xietong.regions.models import Region
    from xietong.transfer import services

    region = Region.objects.get(code=REGION)
    actor = Actor(
        user_id=None,
        name="bench",
        grants=(Grant(Role.AUTHORITY_ADMIN, region_path=region.path),),
    )
    start = time.perf_counter()
    with path.open("rb") as handle:
        imp = services.start_import(actor, "staff", File(handle, name=path.name), dispatch=False)
    checked = services.run(actor, imp, "check")
    check_s = time.perf_counter() - start
    imp.refresh_from_db()
    written_start = time.perf_counter()
    services.run(actor, imp, "valid")
    write_s = time.perf_counter() - written_start
    return {
        "check_s": check_s,
        "write_s": write_s,
        "seconds": check_s + write_s,
        "failed": checked.counts["failed"],
    }


def run_peer(path: Path) -> dict[str, Any]:
    _setup_django()
    import tablib
    from import_export import fields, resources

    from xietong.core.codes import STAGES, SUBJECTS, TITLES, parse_codes
    from xietong.core.delimited import pack
    from xietong.institutions import personal_data
    from xietong.institutions.models import Institution, Staff
    from xietong.institutions.validators import birth_date_from_id, gender_from_id

    schools = dict(Institution.objects.values_list("school_code", "pk"))

    class StaffResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")

        class Meta:
            model = Staff
            fields = ("name",)
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = True
            skip_unchanged = False
            report_skipped = False

        def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            number = str(row["身份证号"])
            for key, value in personal_data.sealed_fields(number, str(row["手机号"])).items():
                setattr(instance, key, value)
            instance.birth_date = birth_date_from_id(number)
            instance.gender = gender_from_id(number)
            instance.institution_id = schools[str(row["单位标识码"])]
            instance.position = "teacher"
            instance.stages = pack(parse_codes(STAGES, row["任教学段"]))
            instance.subjects = pack(parse_codes(SUBJECTS, row["任教学科"]))
            instance.title = parse_codes(TITLES, row["职称"])[0]
            joined = row["到本单位时间"]
            instance.joined_on = joined.date() if isinstance(joined, dt.datetime) else joined

        def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            super().import_instance(instance, row, **kwargs)
            self.before_save_instance(instance, row)

    start = time.perf_counter()
    with path.open("rb") as handle:
        dataset = tablib.Dataset().load(handle.read(), format="xlsx")
    result = StaffResource().import_data(dataset, dry_run=False, use_transactions=True)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "failed": int(result.has_errors())}


def correctness(rows: int) -> dict[str, Any]:
    """Rows in the table, and 100 sampled rows compared with what the file says."""
    from xietong.institutions import personal_data
    from xietong.institutions.models import Staff

    count = Staff.objects.count()
    wrong = 0
    step = max(1, rows // 100)
    for i in range(0, rows, step):
        expected = person(i)
        staff = Staff.objects.filter(personal_data.id_number_q(expected[1])).first()
        if staff is None:
            wrong += 1
            continue
        clear = personal_data.unsealed(staff)
        same = (
            staff.name == expected[0]
            and clear.phone == expected[4]
            and staff.institution.school_code == expected[5]
            and staff.title == "first"
            and staff.joined_on == expected[12]
        )
        wrong += 0 if same else 1
    return {"rows_in_table": count, "sample": len(range(0, rows, step)), "sample_wrong": wrong}


def worker(tool: str, path: Path, rows: int) -> None:
    if tool == "prepare":
        prepare()
        return
    outcome = run_ours(path) if tool == "ours" else run_peer(path)
    outcome.update(correctness(rows))
    outcome["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    outcome["rows"] = rows
    print("RESULT " + json.dumps(outcome, default=str))


def _fresh_database(kind: str, pg_url: str, tmp: Path, tag: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / f'{tag}.sqlite3'}"
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return pg_url.rsplit("/", 1)[0] + f"/{PG_DB}"


def _run(tool: str, kind: str, pg_url: str, path: Path, rows: int, tmp: Path) -> dict[str, Any]:
    url = _fresh_database(kind, pg_url, tmp, f"{tool}-{rows}")
    var = tmp / f"var-{tool}-{kind}-{rows}"
    var.mkdir(exist_ok=True)
    env = {**os.environ, "DATABASE_URL": url, "XIETONG_VAR_DIR": str(var)}
    subprocess.run(  # the registry, in a process of its own: its memory is not the tool's
        [sys.executable, __file__, "--worker", "prepare", "--file", "", "--rows", "0"],
        check=True,
        env=env,
        timeout=600,
    )
    done = subprocess.run(
        [sys.executable, __file__, "--worker", tool, "--file", str(path), "--rows", str(rows)],
        capture_output=True,
        text=True,
        env=env,
        timeout=3600,
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return {"tool": tool, "database": kind, **json.loads(line[7:])}
    return {"tool": tool, "database": kind, "rows": rows, "error": done.stderr[-2000:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_400_000, help="ours alone; 0 skips")
    parser.add_argument("--databases", default="sqlite,pg")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "import.json"))
    parser.add_argument("--worker", default="")
    parser.add_argument("--file", default="")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, Path(args.file), args.rows)
        return

    _setup_django()
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        sizes = [args.rows] + ([args.large] if args.large else [])
        files = {}
        for n in sizes:
            files[n] = tmp / f"staff-{n}.xlsx"
            write_roster(n, files[n])
        for kind in args.databases.split(","):
            runs.append(_run("ours", kind, args.pg_url, files[args.rows], args.rows, tmp))
            runs.append(_run("peer", kind, args.pg_url, files[args.rows], args.rows, tmp))
            if args.large:
                runs.append(_run("ours", kind, args.pg_url, files[args.large], args.large, tmp))
            print(json.dumps(runs[-1], default=str)[:300], file=sys.stderr)
    table = []
    for r in runs:
        if "error" in r:
            error = "error: " + r["error"][-200:]
            table.append([r["tool"], r["database"], f"{r['rows']:,}", error])
            continue
        table.append(
            [
                "xietong" if r["tool"] == "ours" else "django-import-export",
                r["database"],
                f"{r['rows']:,}",
                f"{r['seconds']:.1f}",
                f"{r['rows'] / r['seconds']:,.0f}",
                f"{r['rss_mb']:.0f}",
                f"{r['rows_in_table']:,}",
                f"{r['sample'] - r['sample_wrong']}/{r['sample']}",
            ]
        )
    print(
        text_table(
            ["tool", "db", "rows", "seconds", "rows/s", "peak MB", "in table", "sample ok"],
            table,
            left=2,
        )
    )
    write_json(args.out, {"when": now(), "machine": machine(), "runs": runs})


if __name__ == "__main__":
    main()
