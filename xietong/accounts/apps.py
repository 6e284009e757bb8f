from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "xietong.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from xietong.accounts import sessions  # noqa: F401  (its sign-in signal receivers)
        from xietong.core import keys

        keys.key("audit")  # a missing or broken key stops the start here, with what to do
        from xietong.core.navigation import NavItem, register

        security = _("Security")
        register(
            NavItem(
                label=_("Users and roles"),
                url_name="accounts:users",
                icon="person-lock",
                visible=lambda a: a.is_security_admin,
                order=900,
                section=security,
            )
        )
        register(
            NavItem(
                label=_("Audit log"),
                url_name="accounts:audit",
                icon="journal-check",
                visible=lambda a: a.is_auditor,
                order=910,
                section=security,
            )
        )
        register(
            NavItem(
                label=_("My account"),
                url_name="accounts:account",
                icon="person-gear",
                visible=lambda a: True,
                order=990,
                section=_("Account"),
            )
        )
