"""Every read of jobs: the jobs an actor may see (their own, and what a kind's scope adds)."""

from __future__ import annotations

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from xietong.accounts.access import Actor
from xietong.core.errors import NotFound
from xietong.jobs import heartbeat, registry
from xietong.jobs.choices import RETRYABLE, UNFINISHED
from xietong.jobs.models import Job


def _own_q(actor: Actor) -> Q:
    return Q(owner_id=actor.user_id) if actor.user_id is not None else Q(pk__in=[])


def visible_q(actor: Actor) -> Q:
    q = _own_q(actor)
    for kind in registry.kinds():
        if kind.visible is not None:
            q |= Q(kind=kind.name) & kind.visible(actor)
    return q


def manage_q(actor: Actor) -> Q:
    q = _own_q(actor)
    for kind in registry.kinds():
        if kind.manage is not None:
            q |= Q(kind=kind.name) & kind.manage(actor)
    return q


def jobs_for(actor: Actor) -> QuerySet[Job]:
    """Every job the actor may see, each annotated ``can_manage`` (retry, cancel)."""
    return (
        Job.objects.filter(visible_q(actor))
        .select_related("owner")
        .annotate(
            can_manage=Case(
                When(manage_q(actor), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def my_jobs(actor: Actor, *, status: str = "", kind: str = "") -> QuerySet[Job]:
    """The actor's own jobs, newest first (lapsed ones swept first)."""
    qs = jobs_for(actor).filter(_own_q(actor))
    heartbeat.sweep(Job.objects.filter(_own_q(actor)))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-id")


def job_detail(actor: Actor, pk: int) -> Job:
    """A visible job; one whose heartbeat lapsed is marked failed before it is shown."""
    job = jobs_for(actor).filter(pk=pk).first()
    if job is None:
        raise NotFound()
    if heartbeat.is_lapsed(job):
        heartbeat.sweep(Job.objects.filter(pk=pk))
        job = jobs_for(actor).get(pk=pk)
    return job


def actions(job: Job) -> list[str]:
    """The verbs the reader may use on a job from :func:`jobs_for` now."""
    if not getattr(job, "can_manage", False):
        return []
    if job.status in RETRYABLE:
        return ["retry"]
    if job.status in UNFINISHED:
        return ["cancel"]
    return []
