"""``{% page_sections "exchanges.program" program %}``: the sections other modules add to
a record's page (:mod:`xietong.core.sections`), for the signed-in reader, in order.

Each section's template is rendered with the page's context plus ``section`` (its own
context) and ``record`` (the record the page shows)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from xietong.core import sections

register = template.Library()


@register.simple_tag(takes_context=True)
def page_sections(context: Any, page: str, record: Any) -> SafeString:
    request = context.get("request")
    actor = getattr(request, "actor", None)
    if actor is None:
        return mark_safe("")
    parts = []
    for s in sections.sections_for(page, actor, record):
        flat = {**context.flatten(), "section": s["context"], "record": record}
        html = get_template(s["template"]).render(flat, request)
        parts.append(f'<div class="col-12 mt-3" id="section-{s["key"]}">{html}</div>')
    return mark_safe("".join(parts))
