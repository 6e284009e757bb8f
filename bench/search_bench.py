"""Benchmark the catalogue's search against a plain ``LIKE '%q%'`` scan, on SQLite and PostgreSQL.

One command (see bench/README.md)::

    python bench/search_bench.py [--sizes 100000,1000000] [--databases sqlite,pg]
        [--pg-url postgres://postgres@127.0.0.1:5432/postgres] [--repeat 5]
        [--out bench/results/search.json]

For each database and size it makes a fresh database (a temporary SQLite file; a
PostgreSQL database ``xt_search_bench`` created and dropped), migrates it, registers 60
Beijing and Tianjin providers and writes the synthetic catalogue
(``xietong.resources.synthetic``: COPY on PostgreSQL, then the index in bulk). Then, in
the same process and run, for a fixed query mix — 1-, 2-, 3- and 4-character Chinese,
pinyin, initials, each alone and with filters (stage, subject, kind) — it times:

* **search**: ``search.ranked_ids(qs, q, 0, 20, facets=…)`` over the published resources
  (and the filters, handed to the index as facets), the first page of 20 ids in
  relevance-then-use order, as the catalogue page reads it (checked equal to the first
  20 of the ranked ``search(qs, q)``);
* **scan**: the same page from ``title LIKE '%q%' OR description LIKE '%q%'`` ordered by
  use, with PostgreSQL's index scans switched off (a plain scan; pg_trgm would otherwise
  answer it);

and, for the Chinese queries, the recall of the scan's full result by the search's. p50
and p95 are over ``--repeat`` runs of each query of a group. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
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

PG_DB = "xt_search_bench"
PAGE = 20
# query group → queries (each also run with the filters below)
MIX: dict[str, list[str]] = {
    "1 char": ["诗", "琴", "曾"],
    "2 chars": ["物理", "光合", "微课"],
    "3 chars": ["示范课", "勾股定", "工作室"],
    "4 chars": ["一元二次", "电磁感应", "整本书阅"],
    "pinyin": ["shuxue", "wuli", "mingshi"],
    "initials": ["mssfk", "gsc", "dcgy"],
}
CHINESE = {"1 char", "2 chars", "3 chars", "4 chars"}
# with filters, the queries of a group take one filter each, in turn
FILTERS = [{"stages__contains": ",junior,"}, {"subjects__contains": ",14,"}, {"kind": "course"}]
# the same filters as the catalogue hands them to the search (its index applies them too)
FACETS = [{"stage": "junior"}, {"subject": "14"}, {"kind": "course"}]


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xietong.settings")
    import django

    django.setup()


def _providers() -> None:
    from xietong.institutions.models import Institution
    from xietong.regions.models import Region

    regions = list(Region.objects.filter(code__in=["110101", "110108", "120116", "120101"]))
    Institution.objects.bulk_create(
        Institution(
            name=f"{r.name}第{i + 1}中学",
            kind="junior",
            stages=",junior,senior,",
            school_code=f"9{r.code}{i:03d}",
            region=r,
            region_path=r.path,
        )
        for r in regions
        for i in range(15)
    )


def _timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def worker(size: int, repeat: int) -> dict[str, Any]:
    _setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Q

    from xietong.resources import search, search_text, synthetic
    from xietong.resources.models import Resource

    t0 = time.monotonic()
    call_command("migrate", verbosity=0)
    _providers()
    migrate_s = time.monotonic() - t0
    warm_s = search_text.warm()
    loaded = synthetic.load(size, seed=2025)
    if connection.vendor == "postgresql":
        # what autovacuum does after a bulk load: the index's rewrite of every title's
        # tokens leaves a dead row version behind each resource
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE resources_resource, resources_searchentry")
    vendor = connection.vendor
    published = Resource.objects.filter(status="published")

    def scoped(filtered: bool, i: int) -> Any:
        return published.filter(**FILTERS[i % len(FILTERS)]) if filtered else published

    def scan(qs: Any, q: str) -> Any:
        return qs.filter(Q(title__contains=q) | Q(description__contains=q))

    def scan_page(qs: Any, q: str) -> list[int]:
        with transaction.atomic():
            if vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL enable_bitmapscan = off")
                    cur.execute("SET LOCAL enable_indexscan = off")
            return list(scan(qs, q).order_by("-uses", "-id").values_list("id", flat=True)[:PAGE])

    groups: dict[str, Any] = {}
    for group, queries in MIX.items():
        for filtered in (False, True):
            name = group + (" + filters" if filtered else "")
            s_times: list[float] = []
            l_times: list[float] = []
            recalls: list[float] = []
            hits: list[int] = []
            exact: list[bool] = []
            for i, q in enumerate(queries):
                qs = scoped(filtered, i)
                facets = FACETS[i % len(FACETS)] if filtered else None

                def page(qs: Any = qs, q: str = q, facets: Any = facets) -> list[int]:
                    return search.ranked_ids(qs, q, 0, PAGE, facets=facets)

                page()  # warm
                ranked = list(search.search(qs, q).values_list("id", flat=True)[:PAGE])
                assert page() == ranked, f"the page of {q!r} differs from the ranked search's"

                for _ in range(repeat):
                    s_times.append(_timed(page))
                for _ in range(max(1, repeat // 2)):
                    l_times.append(_timed(lambda qs=qs, q=q: scan_page(qs, q)))
                found = set(search.search(qs, q).values_list("id", flat=True))
                hits.append(len(found))
                if group in CHINESE:
                    with transaction.atomic():
                        like = set(scan(qs, q).values_list("id", flat=True))
                    recalls.append(len(found & like) / len(like) if like else 1.0)
                    exact.append(found == like)
            groups[name] = {
                "queries": queries,
                "hits": hits,
                "search_ms": s_times,
                "scan_ms": l_times,
                "recall": min(recalls) if recalls else None,
                "same_as_scan": all(exact) if exact else None,
            }
    return {
        "database": vendor,
        "size": size,
        "migrate_s": round(migrate_s, 1),
        "warm_s": round(warm_s, 2),
        "load_s": round(loaded.seconds, 1),
        "groups": groups,
    }


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def _run(database: str, size: int, repeat: int, pg_url: str) -> dict[str, Any]:
    env = dict(os.environ)
    cleanup: Any = None
    if database == "pg":
        base = pg_url.rsplit("/", 1)[0]
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", PG_DB])
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", PG_DB], check=True)
        env["DATABASE_URL"] = f"{base}/{PG_DB}"

        def cleanup() -> None:
            subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", PG_DB])
    else:
        tmp = tempfile.mkdtemp(prefix="xt_search_bench_")
        env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        env["XIETONG_VAR_DIR"] = tmp
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--worker", str(size), "--repeat", str(repeat)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            return {"database": database, "size": size, "error": out.stderr[-3000:]}
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if cleanup is not None:
            cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--databases", default="sqlite,pg")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "bench/results/search.json"))
    parser.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.repeat)))
        return
    results = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        for database in [d for d in args.databases.split(",") if d]:
            started = time.monotonic()
            result = _run(database, size, args.repeat, args.pg_url)
            result["wall_s"] = round(time.monotonic() - started, 1)
            results.append(result)
            print(f"{database} {size:,}: done in {result['wall_s']} s", file=sys.stderr)
    header = [
        "database",
        "size",
        "queries",
        "search p50",
        "search p95",
        "scan p50",
        "scan p95",
        "× (p95)",
        "hits",
        "recall",
    ]
    rows = []
    for r in results:
        if "error" in r:
            rows.append([r["database"], f"{r['size']:,}", f"error: {r['error'][-300:]}"])
            continue
        for name, g in r["groups"].items():
            s50, s95 = _pct(g["search_ms"], 50), _pct(g["search_ms"], 95)
            l50, l95 = _pct(g["scan_ms"], 50), _pct(g["scan_ms"], 95)
            rows.append(
                [
                    r["database"],
                    f"{r['size']:,}",
                    name,
                    f"{s50:.1f}",
                    f"{s95:.1f}",
                    f"{l50:.0f}",
                    f"{l95:.0f}",
                    f"{l95 / s95:.0f}" if s95 else "-",
                    "/".join(f"{h:,}" for h in g["hits"]),
                    "-" if g["recall"] is None else f"{g['recall']:.2f}",
                ]
            )
        every = [t for g in r["groups"].values() for t in g["search_ms"]]
        scans = [t for g in r["groups"].values() for t in g["scan_ms"]]
        rows.append(
            [
                r["database"],
                f"{r['size']:,}",
                "all",
                f"{_pct(every, 50):.1f}",
                f"{_pct(every, 95):.1f}",
                f"{_pct(scans, 50):.0f}",
                f"{_pct(scans, 95):.0f}",
                f"{_pct(scans, 95) / _pct(every, 95):.0f}",
                "",
                "",
            ]
        )
    table = text_table(header, rows, left=3)
    print(table)
    write_json(
        args.out,
        {
            "when": now(),
            "machine": machine(),
            "page": PAGE,
            "mix": MIX,
            "filters": FILTERS,
            "results": results,
            "table": table,
        },
    )


if __name__ == "__main__":
    main()
