"""The indicators' background job: snapshots, nightly and on demand (:mod:`xietong.jobs`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from xietong.access.actor import Actor
from xietong.core.periods import parse
from xietong.jobs.models import Job
from xietong.jobs.registry import JobFailed, register
from xietong.jobs.runner import Reporter
from xietong.plan.indicators import snapshots
from xietong.plan.models import Indicator

SNAPSHOT_JOB = "plan.snapshot"


def _owner(job: Job) -> Actor | None:
    if job.owner_id is None:
        return None
    from xietong.accounts.access import actor_for

    return actor_for(job.owner)


@register(SNAPSHOT_JOB, label=_("Snapshot of the plan's indicators"), every="daily")
def snapshot_job(job: Job, report: Reporter) -> dict[str, Any]:
    """Snapshot the periods given (``parameters["periods"]``), or — the nightly run, whose
    ``period`` is a day — the periods due on that day (:func:`snapshots.due_periods`)."""
    params = job.parameters or {}
    if params.get("periods"):
        periods = [parse(p) for p in params["periods"]]
    else:
        periods = snapshots.due_periods(timezone.localdate())
    keys = params.get("indicators") or None
    chosen = list(Indicator.objects.filter(key__in=keys)) if keys else None
    if keys and not chosen:
        raise JobFailed(gettext_noop("No such indicator."))
    out = []
    for i, period in enumerate(periods):
        report(i, len(periods), gettext_noop("Computing the indicators"))
        out.append(snapshots.snapshot(_owner(job), period, chosen).as_dict())
    report(len(periods), len(periods), gettext_noop("Computing the indicators"))
    return {"periods": out}
