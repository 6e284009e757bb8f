"""Counting rows without reading them all: the planner's estimate on PostgreSQL.

An exact ``COUNT(*)`` of a filter over 1.4 M staff reads every matching row (a scan, for a
``LIKE '%…%'``); a list page needs only an order of magnitude. PostgreSQL's planner answers
that from its statistics in well under a millisecond. SQLite keeps no such statistics, and
its databases are the small demo ones, so it counts exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet


@dataclass(frozen=True)
class RowCount:
    n: int
    exact: bool


def estimated_count(qs: QuerySet[Any]) -> RowCount:
    """The number of rows of ``qs``: the planner's estimate on PostgreSQL, else exact."""
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        return RowCount(qs.count(), exact=True)
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        raw = cur.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    return RowCount(int(plan.get("Plan Rows", 0)), exact=False)
