"""The job that writes a periodic report (see :mod:`xietong.dashboard.reports`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from xietong.access import actor_for, system_actor
from xietong.jobs.models import Job
from xietong.jobs.registry import JobFailed, register
from xietong.jobs.runner import Reporter
from xietong.plan.models import PeriodicReport

STEPS = {
    "Computing the numbers": gettext_noop("Computing the numbers"),
    "Writing the workbook": gettext_noop("Writing the workbook"),
    "Writing the PDF": gettext_noop("Writing the PDF"),
    "Done": gettext_noop("Done"),
}


@register("dashboard.periodic_report", label=_("Periodic progress report"))
def periodic_report(job: Job, report: Reporter) -> dict[str, Any]:
    from xietong.dashboard.reports import produce

    item = (
        PeriodicReport.objects.select_related("authority__region", "plan")
        .filter(pk=job.parameters.get("report"))
        .first()
    )
    if item is None:
        raise JobFailed(gettext_noop("This report cannot be made: its record is gone."))
    actor = actor_for(job.owner) if job.owner is not None else system_actor()
    with translation.override(str(job.parameters.get("language") or settings.LANGUAGE_CODE)):
        return produce(actor, item, lambda d, t, m: report(d, t, STEPS[m]))
