from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PlanConfig(AppConfig):
    name = "xietong.plan"
    label = "plan"
    verbose_name = _("The plan")

    def ready(self) -> None:
        from xietong.plan import (
            access,  # noqa: F401  (declares the rules)
            linkables,  # noqa: F401  (the records that can serve a task)
        )
        from xietong.workbench.navigation import NavItem, register

        register(
            NavItem(
                label=pgettext_lazy("navigation", "Tasks"),
                url_name="plan:plans",
                icon="flag",
                capability="plan.read",
                order=50,
                section=_("The plan"),
            )
        )
