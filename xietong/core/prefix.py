"""Prefix searches that the ordinary B-tree index on a text column serves, in its order.

``name LIKE '王%'`` uses a B-tree index only under the "C" collation (PostgreSQL 15 does not
count C.UTF-8 as one), and an extra ``LIKE`` beside a range makes the planner give up the
index order for a bitmap scan and a sort of every match (116,000 people named 王 at scale
1.0). Where the database orders text by code point — SQLite's BINARY, PostgreSQL's C,
POSIX, C.UTF-8 and ucs_basic — "starts with p" is exactly the range ``p ≤ x < p⁺`` (p with
its last character's code point raised by one), which the index walks in order and stops
after a page. Under another collation (pinyin, say) the range would miss names, so there
the search is the plain ``startswith`` lookup: right, only slower.

Letters with case are matched in both cases, one range per spelling (a prefix is short).
"""

from __future__ import annotations

import itertools

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q

CODE_POINT_COLLATIONS = frozenset({"C", "POSIX", "C.UTF-8", "C.utf8", "ucs_basic"})
_MAX_CODE_POINT = 0x10FFFF
_MAX_SPELLINGS = 8

# Per database settings NAME: a database's collation is fixed when it is created.
_code_point_order: dict[tuple[str, str], bool] = {}


def orders_by_code_point(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the database compares text by code point (one query per database, once)."""
    conn = connections[using]
    key = (conn.vendor, str(conn.settings_dict["NAME"]))
    if key not in _code_point_order:
        if conn.vendor == "sqlite":
            found = True  # BINARY: memcmp of UTF-8, i.e. code point order
        elif conn.vendor == "postgresql":
            with conn.cursor() as cur:
                cur.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
                row = cur.fetchone()
            found = bool(row) and row[0] in CODE_POINT_COLLATIONS
        else:
            found = False
        _code_point_order[key] = found
    return _code_point_order[key]


def spellings(text: str) -> list[str]:
    """``text`` in every mix of lower and upper case (a few for a short prefix)."""
    options = [sorted({c, *(v for v in (c.lower(), c.upper()) if len(v) == 1)}) for c in text]
    found = ["".join(p) for p in itertools.islice(itertools.product(*options), _MAX_SPELLINGS)]
    return found or [text]


def _successor(text: str) -> str | None:
    """The least string greater than every string starting with ``text`` (code point order)."""
    for i in range(len(text) - 1, -1, -1):
        if ord(text[i]) < _MAX_CODE_POINT:
            return text[:i] + chr(ord(text[i]) + 1)
    return None


def starts_with_q(field: str, text: str, using: str = DEFAULT_DB_ALIAS) -> Q:
    """Rows whose ``field`` starts with ``text``, whatever the case of its letters."""
    if not text:
        return Q()
    if not orders_by_code_point(using) or len(spellings(text)) >= _MAX_SPELLINGS:
        return Q(**{f"{field}__istartswith": text})
    ranges = []
    for spelling in spellings(text):
        upper = _successor(spelling)
        part = Q(**{f"{field}__gte": spelling})
        if upper is not None:
            part &= Q(**{f"{field}__lt": upper})
        ranges.append(part)
    q = ranges[0]
    for part in ranges[1:]:
        q |= part
    return q
