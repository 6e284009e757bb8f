from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "xietong.regions"
    label = "regions"
    verbose_name = _("Regions")

    def ready(self) -> None:
        from xietong.regions import pickers  # noqa: F401  (registers the regions picker)
        from xietong.workbench.navigation import NavItem, register

        register(
            NavItem(
                label=_("Regions"),
                url_name="regions:browser",
                icon="map",
                capability="registry.read",
                order=30,
                section=_("Registry"),
            )
        )
