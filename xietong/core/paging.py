"""One pagination rule for pages and API lists: bounded page sizes, forgiving page numbers."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, overload

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from xietong.core.counting import RowCount
from xietong.core.errors import InvalidInput

T = TypeVar("T")


class Sliceable(Protocol):
    """What counts and slices itself for a paginator, as a query set does (a ranked
    search reads its pages its own way)."""

    def count(self) -> int: ...

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...

    @overload
    def __getitem__(self, key: int, /) -> Any: ...

    @overload
    def __getitem__(self, key: slice, /) -> Any: ...


def page_size_from(value: Any) -> int:
    sizes = settings.XIETONG_PAGE_SIZES
    try:
        size = int(value)
    except (TypeError, ValueError):
        return sizes[0]
    return size if size in sizes else sizes[0]


def paginate(
    qs: QuerySet[Any] | Sliceable, page: Any, size: Any, *, count: RowCount | None = None
) -> Page[Any]:
    """A page of ``qs`` (or of a sequence that counts and slices itself, like a ranked
    search); ``count`` (from a roll-up or an estimate) replaces its COUNT(*).

    An estimated total is corrected by what the page shows: the page is read with one row
    more than it shows, so a page that is not full ends the list (the total is then exact)
    and a full page with more behind it raises a low estimate. ``page.paginator.estimated``
    tells the template to say "about".
    """
    paginator = Paginator(qs, page_size_from(size))
    if count is None:
        return paginator.get_page(page)
    paginator.estimated = not count.exact  # type: ignore[attr-defined]
    if count.exact:
        paginator.count = count.n  # a cached_property: the known total, no COUNT(*) query
        return paginator.get_page(page)
    per = paginator.per_page
    try:
        number = max(1, int(page))
    except (TypeError, ValueError):
        number = 1
    number = min(number, max(1, math.ceil(count.n / per)))
    rows = list(qs[(number - 1) * per : number * per + 1])
    shown = (number - 1) * per + min(len(rows), per)
    if len(rows) > per:
        total = max(count.n, shown + 1)
    elif rows or number == 1:
        total, paginator.estimated = shown, False  # type: ignore[attr-defined]
    else:  # the estimate reached past the end: count once
        total, paginator.estimated = qs.count(), False  # type: ignore[attr-defined]
        number = max(1, math.ceil(total / per))
        rows = list(qs[(number - 1) * per : number * per])
    paginator.count = total
    return Page(rows[:per], number, paginator)


# --- the API page envelope ------------------------------------------------------------------


def page_envelope(
    qs: QuerySet[Any] | Sliceable, page: Any, size: Any, render: Callable[[Any], Any]
) -> dict[str, Any]:
    """One numbered page as the API answers it: ``{items, count, page, page_size, pages, next}``.

    ``next`` is the following page number, or None on the last page.
    """
    p = paginate(qs, page, size)
    return {
        "count": p.paginator.count,
        "page": p.number,
        "page_size": p.paginator.per_page,
        "pages": p.paginator.num_pages,
        "next": p.next_page_number() if p.has_next() else None,
        "items": [render(obj) for obj in p.object_list],
    }


class PageOut(Schema, Generic[T]):
    """A numbered page of an API list."""

    count: int
    page: int
    page_size: int
    pages: int
    next: int | None
    items: list[T]


class CursorPageOut(Schema, Generic[T]):
    """A keyset page of an API list over a large table: pass ``next_cursor`` as ``cursor``."""

    page_size: int
    next_cursor: str | None
    items: list[T]


# --- keyset pages (large tables) -------------------------------------------------------------


class BadCursor(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            fields={
                "cursor": [str(_("This page address is not valid; start from the first page."))]
            }
        )


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: Sequence[type]) -> list[Any]:
    """The key values of an opaque cursor, each of its expected type; BadCursor otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw.decode())
    except (ValueError, UnicodeDecodeError):
        raise BadCursor() from None
    if not isinstance(values, list) or len(values) != len(kinds):
        raise BadCursor()
    for value, kind in zip(values, kinds, strict=True):
        if type(value) is not kind:
            raise BadCursor()
        if isinstance(value, int) and not 0 < value < 2**63:
            raise BadCursor()
        if isinstance(value, str) and "\x00" in value:
            raise BadCursor()
    return values


@dataclass
class KeysetPage:
    """A keyset page: its rows, the cursor of the next page (None at the end), its size."""

    object_list: list[Any]
    next_cursor: str | None
    page_size: int
    cursor: str = ""

    @property
    def is_first(self) -> bool:
        return not self.cursor


def keyset_paginate(qs: QuerySet[Any], cursor: str, size: Any, keys: Sequence[str]) -> KeysetPage:
    """Rows after ``cursor`` in ``keys`` order (the last key unique, e.g. ``id``).

    A key is ascending, or descending with a leading ``-`` (``("-id",)``: newest first).
    One query, reading one row more than the page to know whether another page follows;
    an index on ``keys`` makes every page as cheap as the first.
    """
    per_page = page_size_from(size)
    model = qs.model
    names = [k.removeprefix("-") for k in keys]
    after_ops = ["lt" if k.startswith("-") else "gt" for k in keys]
    kinds = [_key_type(model, k) for k in names]
    qs = qs.order_by(*keys)
    if cursor:
        values = decode_cursor(cursor, kinds)
        after = Q()
        for i in range(len(names) - 1, -1, -1):
            step = Q(**{f"{names[i]}__{after_ops[i]}": values[i]})
            after = step if i == len(names) - 1 else step | (Q(**{names[i]: values[i]}) & after)
        # The leading ``k1 >= v1`` (``<=`` descending) lets a B-tree index start at the cursor.
        lead = f"{names[0]}__{after_ops[0]}e"
        qs = qs.filter(Q(**{lead: values[0]}) & after)
    rows = list(qs[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = encode_cursor([_attr(last, k) for k in names])
    return KeysetPage(rows, next_cursor, per_page, cursor)


def _key_type(model: Any, key: str) -> type:
    field = model._meta.get_field("id" if key == "pk" else key)
    return int if field.get_internal_type().endswith(("AutoField", "IntegerField")) else str


def _attr(obj: Any, key: str) -> Any:
    return obj.pk if key in ("pk", "id") else getattr(obj, key)


def cursor_envelope(page: KeysetPage, render: Callable[[Any], Any]) -> dict[str, Any]:
    return {
        "page_size": page.page_size,
        "next_cursor": page.next_cursor,
        "items": [render(obj) for obj in page.object_list],
    }
