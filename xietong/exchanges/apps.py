from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    name = "xietong.exchanges"
    label = "exchanges"
    verbose_name = _("Exchanges")
