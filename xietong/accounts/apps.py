from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "xietong.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from xietong.access import capability
        from xietong.accounts import (
            pickers,  # noqa: F401  (the audit log's actor picker)
            sessions,  # noqa: F401  (its sign-in signal receivers)
        )
        from xietong.accounts.models import Role
        from xietong.core import keys
        from xietong.workbench.navigation import NavItem, register

        keys.key("audit")  # a missing or broken key stops the start here, with what to do
        capability("accounts.manage", Role.SECURITY_ADMIN)
        # The account list as a file: the security admin, who keeps the accounts.
        capability("accounts.export", Role.SECURITY_ADMIN)
        capability("audit.read", Role.AUDITOR)
        # Exporting events carries names (and masked personal data) away: the auditor only.
        capability("audit.export", Role.AUDITOR)
        # Each app's sentences for its audit events: xietong/<app>/audit_texts.py.
        autodiscover_modules("audit_texts")

        security = _("Security")
        register(
            NavItem(
                label=_("Users and roles"),
                url_name="accounts:users",
                icon="person-lock",
                capability="accounts.manage",
                order=900,
                section=security,
            )
        )
        register(
            NavItem(
                label=_("Audit log"),
                url_name="accounts:audit",
                icon="journal-check",
                capability="audit.read",
                order=910,
                section=security,
            )
        )
        register(
            NavItem(
                label=_("My account"),
                url_name="accounts:account",
                icon="person-gear",
                order=990,
                section=_("Account"),
            )
        )
