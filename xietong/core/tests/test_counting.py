"""Known and estimated totals for the pager: no COUNT(*), corrected by the page itself."""

from __future__ import annotations

import pytest
from django.db import connection

from xietong.core.counting import RowCount, estimated_count
from xietong.core.paging import paginate
from xietong.regions.models import Region


@pytest.mark.django_db
def test_it_estimates_on_postgresql_and_counts_exactly_elsewhere():
    qs = Region.objects.filter(code__startswith="13")
    total = estimated_count(qs)
    if connection.vendor == "postgresql":
        assert not total.exact and total.n >= 1
    else:
        assert total == RowCount(qs.count(), exact=True)


@pytest.mark.django_db
def test_it_pages_with_a_known_total_without_counting(django_assert_num_queries):
    qs = Region.objects.order_by("code")
    with django_assert_num_queries(1):  # the page's rows only
        page = paginate(qs, 2, 20, count=RowCount(213, exact=True))
        rows = list(page.object_list)
    assert len(rows) == 20 and page.paginator.num_pages == 11
    assert not getattr(page.paginator, "estimated", True)


@pytest.mark.django_db
def test_it_corrects_an_estimate_too_high_when_the_page_is_not_full():
    qs = Region.objects.filter(code__startswith="11").order_by("code")
    real = qs.count()
    assert real < 20
    page = paginate(qs, 1, 20, count=RowCount(5000, exact=False))
    assert page.paginator.count == real and not page.paginator.estimated
    assert page.paginator.num_pages == 1 and not page.has_next()


@pytest.mark.django_db
def test_it_raises_an_estimate_too_low_to_what_a_full_page_proves():
    qs = Region.objects.order_by("code")
    page = paginate(qs, 1, 20, count=RowCount(3, exact=False))
    assert page.paginator.count == 21 and page.paginator.estimated  # at least one more
    assert len(page.object_list) == 20 and page.has_next()


@pytest.mark.django_db
def test_it_counts_once_when_an_estimate_too_high_sends_a_page_past_the_end():
    qs = Region.objects.filter(code__startswith="11").order_by("code")
    real = qs.count()
    page = paginate(qs, 40, 20, count=RowCount(5000, exact=False))
    assert (page.number, page.paginator.count, len(page.object_list)) == (1, real, real)


@pytest.mark.django_db
def test_it_says_about_for_an_estimated_total(rf):
    from django.template.loader import render_to_string
    from django.utils import translation

    qs = Region.objects.order_by("code")
    page = paginate(qs, 1, 20, count=RowCount(900, exact=False))
    request = rf.get("/institutions/staff/")
    with translation.override("en"):
        html = render_to_string("partials/pagination.html", {"page": page}, request=request)
    assert "1–20 of about 900" in " ".join(html.split())
    with translation.override("zh-hans"):
        html = render_to_string("partials/pagination.html", {"page": page}, request=request)
    assert "共约 900 条" in html
