"""The records of the apps before the plan that can serve its tasks."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xietong.exchanges.models import Placement, Program
from xietong.partnerships.models import Activity, Partnership
from xietong.plan.linkable import Linkable, register_linkable

register_linkable(
    Linkable(
        "partnership",
        Partnership,
        _("Partnerships"),
        verb="edit",
        url=lambda p: reverse("partnerships:detail", args=[p.pk]),
        order=10,
    )
)
register_linkable(
    Linkable(
        "activity",
        Activity,
        _("Activities"),
        verb="edit",
        url=lambda a: reverse("partnerships:activity", args=[a.pk]),
        order=20,
    )
)
register_linkable(
    Linkable(
        "program",
        Program,
        _("Exchange programs"),
        verb="edit",
        url=lambda p: reverse("exchanges:program_detail", args=[p.pk]),
        order=30,
    )
)
register_linkable(
    Linkable(
        "placement",
        Placement,
        _("Placements"),
        verb="start",
        url=lambda p: reverse("exchanges:placement_detail", args=[p.pk]),
        order=40,
    )
)


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
