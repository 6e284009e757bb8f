"""Template helpers of the resource pages: facet links, code labels, stars."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.http import urlencode

from xietong.core.codes import TABLES

register = template.Library()


@register.simple_tag(takes_context=True)
def facet_url(context: template.Context, name: str, value: str) -> str:
    """The catalogue's query with ``name`` set to ``value`` — or cleared when it already is
    — and back on the first page."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    if query.get(name) == str(value):
        query.pop(name, None)
    else:
        query[name] = str(value)
    pairs = [(k, v) for k, values in query.lists() for v in values if v != ""]
    return f"?{urlencode(pairs)}" if pairs else "?"


@register.simple_tag(takes_context=True)
def facet_chosen(context: template.Context, name: str, value: str) -> bool:
    return bool(context["request"].GET.get(name) == str(value))


@register.filter
def code_label(code: Any, table: str) -> str:
    """``"14"|code_label:"subjects"`` → 数学 (Mathematics in English)."""
    return TABLES[table].label(str(code))


@register.filter
def stars(value: Any) -> str:
    """A rating as five stars, rounded to the nearest whole star: 4.4 → ★★★★☆."""
    try:
        n = max(0, min(5, round(float(value))))
    except (TypeError, ValueError):
        n = 0
    return "★" * n + "☆" * (5 - n)


@register.filter
def term_label(key: Any) -> str:
    """A school-term key as its label: 20251 → 2025–2026学年第一学期."""
    from xietong.core.terms import SchoolTerm, TermError

    try:
        return SchoolTerm.from_key(int(key)).label()
    except (TermError, TypeError, ValueError):
        return str(key)
