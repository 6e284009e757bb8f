"""The background jobs of exchanges (registered with :mod:`xietong.jobs`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from xietong.accounts.access import Actor
from xietong.exchanges import selectors
from xietong.exchanges.services.placements import end_due_placements
from xietong.exchanges.services.runs import MATCHING_JOB, compute_matching_run
from xietong.jobs.models import Job
from xietong.jobs.registry import register
from xietong.jobs.runner import Reporter

END_PLACEMENTS_JOB = "exchanges.end_placements"


def _runs_seen(actor: Actor) -> Q:
    return Q(target_id__in=selectors.runs_visible(actor).values("pk"))


def _runs_managed(actor: Actor) -> Q:
    return Q(target_id__in=selectors.runs_managed(actor).values("pk"))


register(MATCHING_JOB, label=_("Matching run"), visible=_runs_seen, manage=_runs_managed)(
    compute_matching_run
)


@register(END_PLACEMENTS_JOB, label=_("End placements past their end date"), every="daily")
def end_placements(job: Job, report: Reporter) -> dict[str, Any]:
    """The daily job: placements whose end date has passed end; reports are asked for."""
    report(0, None, gettext_noop("Looking for placements past their end date"))
    return end_due_placements(
        report=lambda done, total: report(done, total, gettext_noop("Ending placements"))
    )
