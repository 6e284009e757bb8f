"""The workbench's queues: what waits for the signed-in user, registered by the apps that
own the work, in their ``AppConfig.ready``::

    from xietong.workbench.queues import INSTITUTION, QueueSource, register_queue

    register_queue(QueueSource("to-recommend", INSTITUTION, to_recommend, "exchanges.recommend"))

A source names its audience — the workbench section it is shown in: :data:`PERSON` (the
actor's own work), :data:`INSTITUTION` (the institutions the actor administers) or
:data:`REGION` (the authority's region) —, the capability an actor needs for it to be
asked at all (``xietong.access.can``), and its order within the section. ``build(actor,
limit)`` returns a :class:`Queue` — its title, count, first ``limit`` items each linked to
where its step is done, and the link to the full list — or None to leave it out for this
actor. The rules stay in the selectors a source calls; the workbench holds none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xietong.access import Actor, can

LIMIT = 5  # rows shown per queue; the count and the link give the rest

PERSON = "person"
INSTITUTION = "institution"
REGION = "region"
AUDIENCES = (PERSON, INSTITUTION, REGION)


@dataclass(frozen=True)
class Item:
    """One row of a queue: what, its next step, where it is done, by when."""

    title: str
    step: str
    url: str
    due: dt.date | None = None
    overdue: bool = False
    waiting: bool = False  # the next step is someone else's
    status: str = ""


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    count: int
    items: list[Item]
    url: str  # the full list, or where the work is done
    more_label: str = ""
    note: str = ""  # a sentence under the queue (why some rows are not here)
    more: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "more", max(0, self.count - len(self.items)))


def queue_of(
    key: str,
    label: str,
    qs: QuerySet[Any],
    item: Callable[[Any], Item],
    url: str,
    limit: int = LIMIT,
    more_label: str = "",
) -> Queue:
    """A queue over a selector's rows: the first ``limit`` as items, counted in SQL only
    when there are more."""
    rows = list(qs[:limit])
    count = len(rows) if len(rows) < limit else qs.count()
    return Queue(key, label, count, [item(r) for r in rows], url, more_label or _("Open the list"))


Build = Callable[[Actor, int], Queue | None]


@dataclass(frozen=True)
class QueueSource:
    key: str
    audience: str
    build: Build
    capability: str = ""  # empty: every signed-in user
    order: int = 50

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise ValueError(f"unknown workbench audience {self.audience!r}")


_sources: dict[str, QueueSource] = {}


def register_queue(source: QueueSource) -> None:
    """Add (or replace, by key) a queue of the workbench."""
    _sources[source.key] = source


def queues_for(actor: Actor, audience: str, limit: int = LIMIT) -> list[Queue]:
    """The queues of one section this actor is shown, in order."""
    out = []
    for s in sorted(_sources.values(), key=lambda s: (s.order, s.key)):
        if s.audience != audience or (s.capability and not can(actor, s.capability)):
            continue
        queue = s.build(actor, limit)
        if queue is not None:
            out.append(queue)
    return out
