"""One pagination rule for pages and API lists: bounded page sizes, forgiving page numbers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def page_size_from(value: Any) -> int:
    sizes = settings.XIETONG_PAGE_SIZES
    try:
        size = int(value)
    except (TypeError, ValueError):
        return sizes[0]
    return size if size in sizes else sizes[0]


def paginate(qs: QuerySet[Any], page: Any, size: Any) -> Page[Any]:
    paginator = Paginator(qs, page_size_from(size))
    return paginator.get_page(page)
