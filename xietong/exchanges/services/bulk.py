"""Per-row updates of many rows in one statement: ``UPDATE … FROM (VALUES …)``.

Django's ``bulk_update`` writes one ``CASE WHEN id = … THEN …`` per field, which the
database evaluates row by row against every branch; joining a VALUES list is linear. Both
SQLite (≥ 3.33) and PostgreSQL accept the statement; the VALUES columns are ``column1``,
``column2`` … in both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

CHUNK = 5000  # rows per statement: well below SQLite's and PostgreSQL's parameter limits


def update_from_values(
    model: type[Model],
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    *,
    set_sql: str | None = None,
    fixed: Mapping[str, Any] | None = None,
    where: str = "",
) -> int:
    """Update ``model`` rows by primary key from ``rows`` (each ``(pk, value, …)``).

    ``columns`` names the value columns and their SQL types (``[("taken", "integer")]``);
    by default each becomes ``column = v.columnN``; ``set_sql`` replaces that (refer to the
    values as ``v.column2`` …, to the table as ``t``). ``fixed`` sets columns to one value for
    every row; ``where`` adds a condition (``"t.taken + v.column2 <= t.capacity"``). Returns
    the number of rows updated.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)  # type: ignore[union-attr]
    sets = [set_sql] if set_sql else []
    if not set_sql:
        for i, (col, sql_type) in enumerate(columns, start=2):
            sets.append(f"{connection.ops.quote_name(col)} = CAST(v.column{i} AS {sql_type})")
    fixed_params = []
    for col, value in (fixed or {}).items():
        sets.append(f"{connection.ops.quote_name(col)} = %s")
        fixed_params.append(value)
    width = len(columns) + 1
    done = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
            sql = (
                f"UPDATE {table} AS t SET {', '.join(sets)} FROM (VALUES {values}) AS v "
                f"WHERE t.{pk} = CAST(v.column1 AS bigint)" + (f" AND {where}" if where else "")
            )
            cursor.execute(sql, [*fixed_params, *(x for row in chunk for x in row)])
            done += cursor.rowcount
    return done
