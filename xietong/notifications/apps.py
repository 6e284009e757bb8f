from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "xietong.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from xietong.workbench.navigation import NavItem, register

        autodiscover_modules("notices")  # each app's kinds: xietong/<app>/notices.py
        register(
            NavItem(
                label=_("Notifications"),
                url_name="notifications:list",
                icon="bell",
                capability="notifications.read",
                order=90,
            )
        )
