"""Load the GB/T 2260 divisions and the region groups from the TSV files shipped with the app.

Used by the data migration and by ``xietong demo``; loading is idempotent.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_tsv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def load_regions(region_model: Any, group_model: Any) -> tuple[int, int]:
    """Create or update every region and group; returns (regions, groups) counts."""
    rows = read_tsv("regions-jjj.tsv")
    by_code: dict[str, Any] = {}
    # Parents come before children in depth order: provinces, cities, counties.
    order = {"province": 0, "city": 1, "county": 2}
    for row in sorted(rows, key=lambda r: (order[r["level"]], r["code"])):
        parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
        path = (parent.path if parent else "") + row["code"] + "/"
        region, _ = region_model.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "level": row["level"], "parent": parent, "path": path},
        )
        by_code[row["code"]] = region
    groups = read_tsv("region-groups.tsv")
    for row in groups:
        group, _ = group_model.objects.update_or_create(
            key=row["group"],
            defaults={"name": row["name"], "name_en": row["name_en"], "note": row["note"]},
        )
        group.members.set([by_code[c] for c in row["member_codes"].split(",")])
    return len(rows), len(groups)
