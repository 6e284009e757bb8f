"""Prefix searches as index ranges where the database orders text by code point."""

from __future__ import annotations

from django.db.models import Q

from xietong.core import prefix
from xietong.core.prefix import spellings, starts_with_q


def test_it_spells_a_short_prefix_in_every_mix_of_cases():
    assert sorted(spellings("ab")) == ["AB", "Ab", "aB", "ab"]
    assert spellings("王") == ["王"]
    assert sorted(spellings("王a")) == ["王A", "王a"]


def test_it_bounds_a_prefix_by_its_last_code_point_raised_by_one(db):
    assert prefix.orders_by_code_point()  # SQLite, and PostgreSQL under C.UTF-8
    q = starts_with_q("name", "王")
    assert q == Q(name__gte="王", name__lt="玌")
    assert starts_with_q("name", "ab").connector == "OR"  # ab, aB, Ab, AB
    assert prefix._successor("a\U0010ffff") == "b"
    assert prefix._successor("\U0010ffff") is None


def test_it_falls_back_to_startswith_where_text_is_not_ordered_by_code_point(monkeypatch):
    monkeypatch.setattr(prefix, "orders_by_code_point", lambda using="default": False)
    assert starts_with_q("name", "Li") == Q(name__istartswith="Li")
