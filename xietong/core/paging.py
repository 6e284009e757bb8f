"""One pagination rule for pages and API lists: bounded page sizes, forgiving page numbers."""

from __future__ import annotations

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

    An estimated total is corrected by what the page shows: a page that is not full ends
    the list, so the total is then exact; a full page past the estimate raises it.
    ``page.paginator.estimated`` tells the template to say "about".
    """
    paginator = Paginator(qs, page_size_from(size))
    if count is None:
        return paginator.get_page(page)
    paginator.count = count.n  # a cached_property: the known total, no COUNT(*) query
    paginator.estimated = not count.exact  # type: ignore[attr-defined]
    result = paginator.get_page(page)
    if count.exact:
        return result
    rows = list(result.object_list)
    result.object_list = rows
    shown = (result.number - 1) * paginator.per_page + len(rows)
    if len(rows) < paginator.per_page and (rows or result.number == 1):
        total, paginator.estimated = shown, False  # type: ignore[attr-defined]
    else:
        total = max(count.n, shown)
    paginator.count = total
    paginator.__dict__.pop("num_pages", None)
    paginator.__dict__.pop("page_range", None)
    return result
