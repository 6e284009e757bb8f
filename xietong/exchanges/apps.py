from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExchangesConfig(AppConfig):
    name = "xietong.exchanges"
    label = "exchanges"
    verbose_name = _("Exchanges")

    def ready(self) -> None:
        from xietong.core.navigation import NavItem, register
        from xietong.exchanges import attachments

        attachments.register()  # evidence files on placement reports and logs

        section = _("Exchanges")
        entries = [
            # (label, url name, icon, visible: the rule of the page's selector or service)
            (
                _("Exchange programs"),
                "program_list",
                "arrow-left-right",
                lambda a: a.reads_registry,
            ),
            (_("My applications"), "my_applications", "send", lambda a: a.own_staff_id is not None),
            (
                _("Reviews"),
                "review",
                "clipboard-check",
                lambda a: bool(a.admin_institution_ids or a.admin_region_paths),
            ),
            (
                pgettext_lazy("navigation", "Matching"),
                "matching",
                "shuffle",
                lambda a: bool(a.admin_region_paths),
            ),
            (
                _("Placements"),
                "placement_list",
                "person-workspace",
                lambda a: bool(
                    a.own_staff_id or a.admin_institution_ids or a.authority_region_paths
                ),
            ),
            (
                _("Coverage"),
                "coverage",
                "pie-chart",
                lambda a: bool(a.authority_region_paths or a.admin_institution_ids),
            ),
            (_("Notifications"), "notifications", "bell", lambda a: True),
        ]
        for order, (label, name, icon, visible) in enumerate(entries, start=40):
            register(
                NavItem(
                    label=label,
                    url_name=f"exchanges:{name}",
                    icon=icon,
                    visible=visible,
                    order=order,
                    section=section,
                )
            )
