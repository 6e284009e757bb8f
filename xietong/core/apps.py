from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared helpers of every app (errors, paging, locale, template filters); imports no app."""

    name = "xietong.core"
    label = "core"
