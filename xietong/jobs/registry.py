"""Job kinds: each app registers its handlers in its ``tasks`` module.

::

    from xietong.jobs.registry import register

    @register("transfer.import_staff", label=_("Staff import"))
    def import_staff(job: Job, report: Reporter) -> dict[str, Any]:
        for i, row in enumerate(rows, 1):
            ...
            report(i, len(rows), gettext_noop("Importing rows"))
        return {"created": n}           # stored as the job's result (JSON)

``every="daily"`` makes a scheduled kind: ``xietong jobs tick`` (cron or a systemd timer,
see :mod:`xietong.jobs.schedule`) queues one job of it per day, with no owner.

A handler's return value becomes ``job.result``; raising :class:`JobFailed` (or a
``ServiceError``) fails the job with that message; any other exception fails it with a
generic message and the traceback goes to the log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.functional import Promise

from xietong.accounts.access import Actor

if TYPE_CHECKING:
    from xietong.jobs.models import Job
    from xietong.jobs.runner import Reporter

Handler = Callable[["Job", "Reporter"], Any]
ScopeQ = Callable[[Actor], Q]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str | Promise
    handler: Handler
    # Beyond their owner, who else sees / may retry or cancel jobs of this kind: a Q over
    # Job (typically ``Q(target_id__in=<the app's scoped selector>.values("pk"))``).
    visible: ScopeQ | None = None
    manage: ScopeQ | None = None
    link: Callable[[Job], str | None] | None = None  # the page of the job's target
    # Scheduled kinds: "daily" — ``xietong jobs tick`` queues one job per day (see schedule).
    every: str | None = None


class JobFailed(Exception):
    """Raised by a handler: fail the job with this message (a code or msgid with params)."""

    def __init__(self, message: str, **params: Any):
        self.code, self.params = message, params
        super().__init__(message)


_kinds: dict[str, JobKind] = {}
EVERY = frozenset({"daily"})


def register(
    name: str,
    *,
    label: str | Promise,
    visible: ScopeQ | None = None,
    manage: ScopeQ | None = None,
    link: Callable[[Job], str | None] | None = None,
    every: str | None = None,
) -> Callable[[Handler], Handler]:
    if every is not None and every not in EVERY:
        raise ValueError(f"job kind {name!r}: every is one of {sorted(EVERY)}, not {every!r}")

    def decorate(handler: Handler) -> Handler:
        _kinds[name] = JobKind(name, label, handler, visible, manage, link, every)
        return handler

    return decorate


def get(name: str) -> JobKind | None:
    return _kinds.get(name)


def kinds() -> list[JobKind]:
    return list(_kinds.values())


def link_of(job: Job) -> str | None:
    kind = _kinds.get(job.kind)
    return kind.link(job) if kind and kind.link and job.target_id is not None else None


def label_of(name: str) -> str | Promise:
    kind = _kinds.get(name)
    return kind.label if kind else name
