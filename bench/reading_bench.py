"""Benchmark reading a staff roster xlsx: python-calamine against our streaming reader.

One command (see bench/README.md)::

    python bench/reading_bench.py [--sizes 300000,1400000] [--dir /tmp/xietong-reading-bench] \
        [--out bench/results/reading.json]

Generates, when absent, staff-like workbooks of 12 columns with ``core.tables.write_xlsx``
(inline strings, dates, numbers) in ``--dir``, then reads each in a fresh subprocess, so
that the peak resident size (``VmHWM``) is that reader's alone: ``calamine`` (the whole
sheet loaded, then iterated; only up to ``--calamine-max`` rows, as a 1.4 M-row sheet would
not fit the import's memory), ``cells`` (our streaming reader alone: the first pass over the
sheet, then every row's cell values, as calamine gives them) and ``open_table`` (the same
with the header matched and every value converted and checked, as an import reads it).
"growth" is the peak minus the resident size once Django, the reader and numba's kernel
are loaded. It asserts nothing: it is a measurement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._report import machine, now, text_table, write_json  # noqa: E402

HEADERS = [
    ("姓名", "text"),
    ("身份证号", "text"),
    ("性别", "text"),
    ("出生日期", "date"),
    ("学校标识码", "text"),
    ("学校名称", "text"),
    ("学段", "text"),
    ("任教学科", "text"),
    ("职称", "text"),
    ("教龄", "int"),
    ("参加工作日期", "date"),
    ("手机号码", "text"),
]


def staff_rows(n: int):
    """n staff-like rows of the 12 columns of :data:`HEADERS`."""
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    given = "芳伟娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
    subjects = ["语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理", "体育", "音乐"]
    titles = ["二级教师", "一级教师", "高级教师", "正高级教师", "未定级"]
    stages = ["小学", "初中", "高中"]

    for i in range(n):
        school = 1113000000 + i % 40_000
        birth = dt.date(1965 + i % 35, 1 + i % 12, 1 + i % 28)
        yield [
            surnames[i % 20] + given[i % 23] + given[(i // 23) % 23],
            f"13{i % 100:02d}{birth:%Y%m%d}{i % 10000:04d}",
            "女" if i % 3 else "男",
            birth,
            str(school),
            f"第{school % 997}中学",
            stages[i % 3],
            subjects[i % 10],
            titles[i % 5],
            i % 40,
            dt.date(1990 + i % 30, 9, 1),
            f"1{3 + i % 6}{i:09d}"[:11],
        ]


def generate(path: Path, n: int) -> None:
    """Our writer's workbook: every text an inline string."""
    from xietong.core import tables

    columns = [tables.Column(h, k) for h, k in HEADERS]
    tmp = path.with_suffix(".part")
    with open(tmp, "wb") as out:
        tables.write_xlsx(columns, staff_rows(n), out, "教职工")
    tmp.rename(path)


def generate_shared(path: Path, n: int) -> None:
    """The same rows as Excel saves them: every text a shared string (the ID and phone
    numbers unique, so the table holds ~3 strings a row), dates as styled serials."""
    import zipfile
    from xml.sax.saxutils import escape

    from xietong.core import tables

    index: dict[str, int] = {}
    kinds = [k for _, k in HEADERS]
    tmp = path.with_suffix(".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
            part.write(f"{head}<sheetData>".encode())
            for r, row in enumerate([[h for h, _ in HEADERS], *staff_rows(n)], start=1):
                cells = []
                for c, value in enumerate(row):
                    ref = f"{tables.column_letter(c)}{r}"
                    if isinstance(value, dt.date):
                        days = (value - dt.date(1899, 12, 30)).days
                        cells.append(f'<c r="{ref}" s="4"><v>{days}</v></c>')
                    elif isinstance(value, int) and kinds[c] == "int":
                        cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                    else:
                        i = index.setdefault(str(value), len(index))
                        cells.append(f'<c r="{ref}" t="s"><v>{i}</v></c>')
                part.write(f'<row r="{r}">{"".join(cells)}</row>'.encode())
            part.write(b"</sheetData></worksheet>")
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<sst xmlns="{MAIN}" uniqueCount="{len(index)}">'.encode())
            for text in index:
                part.write(f"<si><t>{escape(text)}</t></si>".encode())
            part.write(b"</sst>")
        z.writestr("xl/styles.xml", tables._STYLES_XML)
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="教职工" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
    tmp.rename(path)


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


WORKER = r"""
import json, sys, time


def hwm():  # this process's peak RSS in KiB (ru_maxrss would carry the parent's over exec)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


path, reader = sys.argv[1], sys.argv[2]
import django
django.setup()
from xietong.transfer.reading import Column, open_table
from xietong.transfer import xlsx, xlsx_tokens  # numba's compiled kernel: in the base
COLUMNS = [
    Column("name", "姓名", required=True), Column("id_number", "身份证号", kind="code"),
    Column("sex", "性别"), Column("birth", "出生日期", kind="date"),
    Column("school_code", "学校标识码", kind="code"), Column("school", "学校名称"),
    Column("stage", "学段"), Column("subject", "任教学科"), Column("title", "职称"),
    Column("years", "教龄", kind="int"), Column("work_date", "参加工作日期", kind="date"),
    Column("phone", "手机号码", kind="code"),
]
base = hwm()
start, cpu = time.perf_counter(), time.process_time()
rows = problems = 0
if reader == "calamine":
    import python_calamine
    book = python_calamine.CalamineWorkbook.from_path(path)
    sheet = book.get_sheet_by_index(0)
    for row in sheet.iter_rows():
        rows += 1
    rows -= 1
elif reader == "cells":  # the streaming reader alone: scan, then the cells of every row
    import zipfile
    with zipfile.ZipFile(path) as z:
        book = xlsx.read_workbook(z)
        strings = xlsx.read_strings(z, book.strings_part)
        styles = xlsx.read_styles(z, book.styles_part)
        part = book.sheets[0].part
        xlsx.scan_sheet(z, part)
        for number, values in xlsx.sheet_rows(z, part, strings, styles):
            rows += 1
    rows -= 1
else:
    with open(path, "rb") as f:
        table = open_table(f, "bench.xlsx", COLUMNS)
        for row in table.rows:
            rows += 1
            problems += bool(row.problems)
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = hwm()
print(json.dumps({"rows": rows, "problems": problems, "wall_s": wall, "cpu_s": cpu,
                  "peak_rss_mib": peak / 1024, "base_rss_mib": base / 1024,
                  "growth_mib": (peak - base) / 1024}))
"""


def run(path: Path, reader: str) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="xietong.settings", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(path), reader],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="300000,1400000", help="rows, inline strings")
    parser.add_argument(
        "--shared-sizes", default="1400000", help="rows, shared strings (as Excel saves)"
    )
    parser.add_argument("--dir", default="/tmp/xietong-reading-bench")
    parser.add_argument("--calamine-max", type=int, default=300_000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "reading.json"))
    parser.add_argument("--generate", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xietong.settings")
    import django

    django.setup()
    if args.generate:
        path, n, strings = args.generate
        (generate if strings == "inline" else generate_shared)(Path(path), int(n))
        return
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    table = []
    jobs = [(int(s), "inline") for s in args.sizes.split(",")]
    jobs += [(int(s), "shared") for s in args.shared_sizes.split(",") if s]
    for n, strings in jobs:
        path = folder / (f"staff_{n}.xlsx" if strings == "inline" else f"staff_{n}_sst.xlsx")
        if not path.exists():
            started = time.perf_counter()
            # In a subprocess, so that this one stays small for the readers it starts.
            subprocess.run(
                [sys.executable, __file__, "--generate", str(path), str(n), strings], check=True
            )
            print(f"generated {path} in {time.perf_counter() - started:.0f} s", flush=True)
        readers = ["cells", "open_table"]
        if n <= args.calamine_max:
            readers.insert(0, "calamine")
        for reader in readers:
            result = run(path, reader)
            result.update(
                size=n, strings=strings, reader=reader, file_mib=path.stat().st_size / 2**20
            )
            results.append(result)
            if "error" in result:
                table.append([f"{n:,}", strings, reader, result["error"]])
                continue
            table.append(
                [
                    f"{n:,}",
                    strings,
                    reader,
                    f"{result['file_mib']:.0f}",
                    f"{result['wall_s']:.1f}",
                    f"{result['cpu_s']:.1f}",
                    f"{result['rows'] / result['wall_s']:,.0f}",
                    f"{result['rows'] / result['cpu_s']:,.0f}",
                    f"{result['peak_rss_mib']:.0f}",
                    f"{result['growth_mib']:.0f}",
                ]
            )
            print(table[-1], flush=True)
    header = [
        "rows",
        "strings",
        "reader",
        "file MiB",
        "wall s",
        "cpu s",
        "rows/s",
        "rows/cpu s",
        "peak MiB",
        "growth MiB",
    ]
    print(text_table(header, table, left=3))
    write_json(
        args.out,
        {
            "command": " ".join(["python", "bench/reading_bench.py", *sys.argv[1:]]),
            "when": now(),
            "machine": machine(),
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
