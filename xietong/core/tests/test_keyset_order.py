"""Keyset pages in descending order (the audit log, newest first) and in mixed order."""

from __future__ import annotations

import pytest

from xietong.core.paging import keyset_paginate
from xietong.regions.models import Region

pytestmark = pytest.mark.django_db


def _walk(qs, keys, size=20):
    seen, cursor = [], ""
    while True:
        page = keyset_paginate(qs, cursor, size, keys)
        seen += [r.pk for r in page.object_list]
        if not page.next_cursor:
            return seen
        cursor = page.next_cursor


def test_it_pages_newest_first_with_a_descending_key():
    qs = Region.objects.all()
    ids = list(qs.order_by("-id").values_list("pk", flat=True))
    assert len(ids) > 40
    assert _walk(qs, ("-id",)) == ids


def test_it_pages_by_a_descending_then_ascending_key_without_gaps_or_repeats():
    qs = Region.objects.all()
    expected = list(qs.order_by("-level", "id").values_list("pk", flat=True))
    assert _walk(qs, ("-level", "id"), size=50) == expected


def test_it_starts_a_descending_page_at_the_cursor_with_one_query(django_assert_num_queries):
    qs = Region.objects.all()
    first = keyset_paginate(qs, "", 20, ("-id",))
    with django_assert_num_queries(1):
        second = keyset_paginate(qs, first.next_cursor, 20, ("-id",))
    assert second.object_list[0].pk < first.object_list[-1].pk
