"""One pagination rule for pages and API lists: bounded page sizes, forgiving page numbers."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from xietong.core.counting import RowCount


def page_size_from(value: Any) -> int:
    sizes = settings.XIETONG_PAGE_SIZES
    try:
        size = int(value)
    except (TypeError, ValueError):
        return sizes[0]
    return size if size in sizes else sizes[0]


def paginate(
    qs: QuerySet[Any], page: Any, size: Any, *, count: RowCount | None = None
) -> Page[Any]:
    """A page of ``qs``; ``count`` (from a roll-up or an estimate) replaces its COUNT(*).

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
