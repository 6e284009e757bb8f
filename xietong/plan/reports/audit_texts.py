"""The audit log's sentences for progress reports."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from xietong.accounts.audit_reading import by_pk, describe, object_type
from xietong.plan.models import ProgressReport

GROUP = pgettext_lazy("progress report", "Progress reports")


def _reports(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = ProgressReport.objects.select_related("task", "body").only(
        "period", "task__code", "body__name"
    )
    return by_pk(qs, lambda r: {"name": f"{r.task.code} {r.period} · {r.body.name}"}, keys)


object_type("plan.progressreport", ProgressReport._meta.verbose_name or "", _reports)

describe(
    GROUP,
    "plan.report.start",
    gettext_lazy("Progress report started"),
    lambda f: _("%(actor)s started the progress report %(object)s") % f,
)
describe(
    GROUP,
    "plan.report.edit",
    gettext_lazy("Progress report changed"),
    lambda f: _("%(actor)s changed the progress report %(object)s") % f,
)
describe(
    GROUP,
    "plan.report.delete",
    gettext_lazy("Progress report deleted"),
    lambda f: _("%(actor)s deleted the draft progress report %(object)s") % f,
)
describe(
    GROUP,
    "plan.report.submit",
    gettext_lazy("Progress report submitted"),
    lambda f: _("%(actor)s submitted the progress report %(object)s") % f,
)
describe(
    GROUP,
    "plan.report.return",
    gettext_lazy("Progress report returned"),
    lambda f: _("%(actor)s returned the progress report %(object)s with a comment") % f,
)
describe(
    GROUP,
    "plan.report.accept",
    gettext_lazy("Progress report accepted"),
    lambda f: _("%(actor)s accepted the progress report %(object)s") % f,
)
describe(
    GROUP,
    "plan.report.remind",
    gettext_lazy("Progress report reminders sent"),
    lambda f: _("%(actor)s sent reminders of progress reports due or overdue") % f,
)
