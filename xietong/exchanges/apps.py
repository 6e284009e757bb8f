from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExchangesConfig(AppConfig):
    name = "xietong.exchanges"
    label = "exchanges"
    verbose_name = _("Exchanges")

    def ready(self) -> None:
        from xietong.exchanges import (
            access,  # noqa: F401  (declares the rules)
            agenda,
            attachments,
            pickers,  # noqa: F401  (registers the programs picker)
        )
        from xietong.workbench.navigation import NavItem, register

        attachments.register()  # evidence files on placement reports and logs
        from xietong.exchanges import metrics

        metrics.register_all()  # the plan's indicators count placements and coverage
        agenda.register()  # the workbench's queues

        section = _("Exchanges")
        entries = [
            # (label, url name, icon, the capability that shows it)
            (_("Exchange programs"), "program_list", "arrow-left-right", "exchanges.programs"),
            (_("My applications"), "my_applications", "send", "exchanges.apply"),
            (_("Reviews"), "review", "clipboard-check", "exchanges.review"),
            (pgettext_lazy("navigation", "Matching"), "matching", "shuffle", "exchanges.matching"),
            (_("Placements"), "placement_list", "person-workspace", "exchanges.placements"),
            (_("Coverage"), "coverage", "pie-chart", "exchanges.coverage"),
        ]
        for order, (label, name, icon, capability) in enumerate(entries, start=40):
            register(
                NavItem(
                    label=label,
                    url_name=f"exchanges:{name}",
                    icon=icon,
                    capability=capability,
                    order=order,
                    section=section,
                )
            )
