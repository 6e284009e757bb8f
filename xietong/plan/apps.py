from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
                label=_("The plan"),
                url_name="plan:plans",
                icon="flag",
                capability="plan.read",
                order=30,
                section=_("Collaboration"),
            )
        )
