from importlib import import_module

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "xietong.jobs"
    label = "jobs"
    verbose_name = _("Jobs")

    def ready(self) -> None:
        from xietong.access.capabilities import capability
        from xietong.workbench.navigation import NavItem, register

        # Each app registers its job kinds in its ``tasks`` module and its exports (whose
        # large runs are jobs) in its ``exports`` module; the worker needs them too.
        for config in apps.get_app_configs():
            if not config.name.startswith("xietong."):
                continue
            for module in ("tasks", "exports"):
                if module_has_submodule(config.module, module):
                    import_module(f"{config.name}.{module}")
        capability("jobs.mine", everyone=True)
        register(
            NavItem(
                label=_("My jobs"),
                url_name="jobs:list",
                icon="hourglass-split",
                capability="jobs.mine",
                order=980,
                section=_("Account"),
            )
        )
