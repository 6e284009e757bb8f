"""The notifications of progress reports (rendered in the reader's language when read)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from xietong.core.locale import localized
from xietong.notifications.kinds import Kind, Params, register
from xietong.plan.models import Task


def task_params(task: Task) -> dict[str, str]:
    """A task in a notice's parameters: its code and title in both languages."""
    return {
        "task": f"{task.code} {task.title}",
        "task_en": f"{task.code} {task.title_en}" if task.title_en else "",
    }


def _p(params: Params) -> Params:
    """The parameters as the text shows them: the task in the reader's language."""
    return {**params, "task": localized(params["task"], params.get("task_en", ""))}


def _report(pk: int | None, params: Params) -> str:
    return reverse("plan_reports:detail", args=[pk]) if pk else ""


def _to_file(pk: int | None, params: Params) -> str:
    query = urlencode({"task": pk, "body": params["body_id"], "period": params["period"]})
    return f"{reverse('plan_reports:new')}?{query}"


REPORT = "plan.progressreport"

register(
    Kind(
        "plan.report_submitted",
        text=lambda p: (
            _("%(body)s submitted the progress report on “%(task)s” for %(period)s.") % _p(p)
        ),
        link=_report,
        target=REPORT,
    ),
    Kind(
        "plan.report_returned",
        text=lambda p: (
            _("Your progress report on “%(task)s” for %(period)s was returned: %(comment)s") % _p(p)
        ),
        link=_report,
        target=REPORT,
    ),
    Kind(
        "plan.report_accepted",
        text=lambda p: _("Your progress report on “%(task)s” for %(period)s was accepted.") % _p(p),
        link=_report,
        target=REPORT,
    ),
    Kind(
        "plan.report_due",
        text=lambda p: (
            _("The progress report of %(body)s on “%(task)s” for %(period)s is due on %(due)s.")
            % _p(p)
        ),
        link=_to_file,
        target="plan.task",
    ),
    Kind(
        "plan.report_overdue",
        text=lambda p: (
            _(
                "The progress report of %(body)s on “%(task)s” for %(period)s was due on %(due)s "
                "and is overdue."
            )
            % _p(p)
        ),
        link=_to_file,
        target="plan.task",
    ),
)
