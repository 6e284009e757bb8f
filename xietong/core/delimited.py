"""Multi-valued code fields stored as ``,a,b,`` so one indexed ``LIKE '%,a,%'`` filters them.

Stages, subjects and honours are short lists of codes. JSON ``contains`` lookups are not
available on SQLite, and a join table per list would add a query to every list page.
"""

from __future__ import annotations

from collections.abc import Iterable


def pack(values: Iterable[str]) -> str:
    items = [v.strip() for v in values if v and v.strip()]
    seen: list[str] = []
    for item in items:
        if "," in item:
            raise ValueError(item)
        if item not in seen:
            seen.append(item)
    return "," + ",".join(seen) + "," if seen else ""


def unpack(stored: str) -> list[str]:
    return [v for v in stored.split(",") if v]


def needle(value: str) -> str:
    """The substring to look for with ``__contains`` to find one code."""
    return f",{value},"
