"""The records of the apps before the plan that can serve its tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xietong.exchanges.models import Placement, Program
from xietong.partnerships.models import Activity, Partnership
from xietong.plan.linkable import Linkable, register_linkable

# (key, model, label, the record's verb whose holders manage it, its page's URL name)
KINDS = (
    ("partnership", Partnership, _("Partnerships"), "edit", "partnerships:detail"),
    ("activity", Activity, _("Activities"), "edit", "partnerships:activity"),
    ("program", Program, _("Exchange programs"), "edit", "exchanges:program_detail"),
    ("placement", Placement, _("Placements"), "start", "exchanges:placement_detail"),
)


def _page(url_name: str) -> Callable[[Any], str]:
    return lambda record: reverse(url_name, args=[record.pk])


for order, (key, model, label, verb, url_name) in enumerate(KINDS, start=1):
    register_linkable(Linkable(key, model, label, verb=verb, url=_page(url_name), order=10 * order))


def _sections() -> None:
    """The "tasks it serves" section on each kind's page."""
    from xietong.core.sections import Section, register_section
    from xietong.partnerships import sections as partnership_sections
    from xietong.plan.linkable import kind
    from xietong.plan.record_sections import context_for

    template = "plan/_record_tasks.html"
    for key, page in (
        ("activity", "partnerships.activity"),
        ("program", "exchanges.program"),
        ("placement", "exchanges.placement"),
    ):
        k = kind(key)
        assert k is not None
        register_section(page, Section("plan_tasks", template, context_for(k), 80))
    p = kind("partnership")
    assert p is not None
    partnership_sections.register_section(Section("plan_tasks", template, context_for(p), 80))


_sections()
