from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DashboardConfig(AppConfig):
    name = "xietong.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from xietong.dashboard import (
            access,  # noqa: F401  (the capabilities, the periodic reports' attachments)
            sources,  # noqa: F401  (the dashboard's own metrics)
        )
        from xietong.workbench.navigation import NavItem, register

        register(
            NavItem(
                label=pgettext_lazy("navigation", "Dashboard"),
                url_name="dashboard:overview",
                icon="speedometer2",
                capability="dashboard.view",
                order=54,
                section=_("The plan"),
            )
        )
