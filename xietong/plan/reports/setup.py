"""Plugs progress reports in (called once from the app's ``ready()``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def setup() -> None:
    from xietong.core.sections import Section, register_section
    from xietong.plan.reports import (
        access,
        audit_texts,  # noqa: F401  (audit sentences)
        notices,  # noqa: F401  (notification kinds)
        pickers,  # noqa: F401  (the list's task, body and plan pickers)
        queues,
        views,
    )
    from xietong.workbench.navigation import NavItem, register

    access.register()
    queues.register()
    register_section(
        "plan.task", Section("reports", "plan_reports/_task_panel.html", views.task_panel, 30)
    )
    register(
        NavItem(
            label=pgettext_lazy("progress report", "Progress reports"),
            url_name="plan_reports:list",
            icon="journal-check",
            capability="plan.reports",
            order=52,
            section=_("The plan"),
        )
    )
    register(
        NavItem(
            label=pgettext_lazy("navigation", "Reporting status"),
            url_name="plan_reports:rate",
            icon="percent",
            capability="plan.reports",
            order=53,
            section=_("The plan"),
        )
    )
