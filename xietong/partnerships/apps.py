from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "xietong.partnerships"
    label = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self) -> None:
        from xietong.partnerships import (
            access,  # noqa: F401  (declares the rules)
            pickers,  # noqa: F401  (registers the partnerships' pickers)
            queues,
            recommendation_setup,  # noqa: F401  (partner recommendations)
        )
        from xietong.partnerships.activity_setup import setup as activities_setup
        from xietong.partnerships.agreements import setup as agreements
        from xietong.workbench.navigation import NavItem, register

        agreements()
        from xietong.partnerships import metrics

        metrics.register_all()  # the plan's indicators count partnerships and schools
        activities_setup()  # activities, evidence, the timeline section, the network pages
        queues.register()  # the workbench's queues

        register(
            NavItem(
                label=_("Partnerships"),
                url_name="partnerships:list",
                icon="diagram-3",
                capability="partnerships.list",
                order=35,
                section=_("Collaboration"),
            )
        )
