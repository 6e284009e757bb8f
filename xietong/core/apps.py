from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xietong.core"
    label = "core"

    def ready(self) -> None:
        from xietong.core.navigation import NavItem, register

        register(
            NavItem(
                label=_("Home"),
                url_name="core:home",
                icon="house-door",
                visible=lambda a: True,
                order=10,
            )
        )
