from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    """Shared resources: catalogue, review, search, ratings and proof of use."""

    name = "xietong.resources"
    verbose_name = _("Shared resources")

    def ready(self) -> None:
        from xietong.resources import setup

        setup.setup()
