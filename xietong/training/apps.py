from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Teacher training: programs, enrollment, attendance, certificates, training records."""

    name = "xietong.training"
    verbose_name = _("Teacher training")

    def ready(self) -> None:
        from xietong.training import setup

        setup.setup()
