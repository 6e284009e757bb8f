from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PlanReportsConfig(AppConfig):
    """Progress reports on plan tasks: their rules, pages, API, reminders (its own app so
    that it plugs into the plan without touching the plan app's modules)."""

    name = "xietong.plan.reports"
    label = "plan_reports"
    verbose_name = pgettext_lazy("progress report", "Progress reports")

    def ready(self) -> None:
        from xietong.plan.reports import setup

        setup.setup()
