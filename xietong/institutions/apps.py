from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "xietong.institutions"
    label = "institutions"
    verbose_name = _("Institutions")

    def ready(self) -> None:
        from xietong.institutions import (
            access,  # noqa: F401  (declares the rules)
            institution_roster,  # noqa: F401  (the institutions roster of the importer)
            pickers,  # noqa: F401  (registers the registry's pickers)
            staff_roster,  # noqa: F401  (the staff roster of the importer)
        )
        from xietong.workbench.navigation import NavItem, register

        register(
            NavItem(
                label=_("Institutions"),
                url_name="institutions:list",
                icon="buildings",
                capability="registry.read",
                order=20,
                section=_("Registry"),
            )
        )
        register(
            NavItem(
                label=_("Staff"),
                url_name="institutions:staff_list",
                icon="people",
                capability="staff.read",
                order=25,
                section=_("Registry"),
            )
        )
