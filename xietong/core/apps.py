from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared helpers of every app (errors, paging, locale, template filters); imports no app."""

    name = "xietong.core"
    label = "core"

    def ready(self) -> None:
        from django.core import checks
        from django.db.models.signals import post_migrate

        from xietong.core import sealing

        # A missing or wrong sealing key stops runserver, migrate and every command with a
        # message (the WSGI entry point runs the same check).
        checks.register(sealing.check_keys, checks.Tags.security)
        post_migrate.connect(sealing.register_after_migrate, sender=self)
        sealing.PERSONAL.load_current()  # a missing or broken key stops the start here
