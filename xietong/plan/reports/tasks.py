"""The daily job of progress reports (registered with :mod:`xietong.jobs`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from xietong.jobs.models import Job
from xietong.jobs.registry import register
from xietong.jobs.runner import Reporter
from xietong.plan.reports.reminders import send_reminders

REMIND_JOB = "plan.report_reminders"


@register(REMIND_JOB, label=_("Reminders of progress reports due or overdue"), every="daily")
def remind(job: Job, report: Reporter) -> dict[str, Any]:
    report(0, None, gettext_noop("Looking for progress reports due or overdue"))
    return send_reminders()
