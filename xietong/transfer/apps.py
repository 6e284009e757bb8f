from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "xietong.transfer"
    label = "transfer"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from xietong.transfer import access
        from xietong.workbench.navigation import NavItem, register

        access.register_attachments()
        register(
            NavItem(
                label=_("Import"),
                url_name="transfer:imports",
                icon="upload",
                capability="transfer.import",
                order=28,
                section=_("Registry"),
            )
        )
