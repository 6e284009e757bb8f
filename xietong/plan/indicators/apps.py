from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PlanIndicatorsConfig(AppConfig):
    name = "xietong.plan.indicators"
    label = "plan_indicators"
    verbose_name = _("The plan's indicators")

    def ready(self) -> None:
        from xietong.core.sections import Section, register_section
        from xietong.plan.indicators import (
            access,  # noqa: F401  (declares the rules)
            panels,
        )
        from xietong.workbench.navigation import NavItem, register

        register(
            NavItem(
                label=pgettext_lazy("navigation", "Indicators"),
                url_name="plan_indicators:list",
                icon="graph-up-arrow",
                capability="plan.read",
                order=51,
                section=_("The plan"),
            )
        )
        register_section(
            "plan.task",
            Section("indicators", "plan_indicators/_task_panel.html", panels.task_panel, 10),
        )
