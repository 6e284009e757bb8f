from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "xietong.institutions"
    label = "institutions"
    verbose_name = _("Institutions")

    def ready(self) -> None:
        from xietong.core.navigation import NavItem, register
        from xietong.institutions import pickers  # noqa: F401  (registers the registry's pickers)

        register(
            NavItem(
                label=_("Institutions"),
                url_name="institutions:list",
                icon="buildings",
                visible=lambda a: a.reads_registry,
                order=20,
                section=_("Registry"),
            )
        )
        register(
            NavItem(
                label=_("Staff"),
                url_name="institutions:staff_list",
                icon="people",
                visible=lambda a: bool(
                    a.reads_all_staff or a.admin_institution_ids or a.own_staff_id
                ),  # the rule of selectors.staff_for
                order=25,
                section=_("Registry"),
            )
        )
