from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """The shell of the web UI: the home page, the navigation, the signed-in user's roles."""

    name = "xietong.workbench"
    label = "workbench"
    verbose_name = _("Workbench")

    def ready(self) -> None:
        from xietong.workbench.navigation import NavItem, register

        register(NavItem(label=_("Home"), url_name="workbench:home", icon="house-door", order=10))
