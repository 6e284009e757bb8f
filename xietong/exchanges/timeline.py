"""The steps of an application and of a placement, each with its time, for pages and the API.

An application's steps follow its workflow — created, submitted, recommended, the public
notice's first and last day, approved, matched, confirmed, the placement started, ended
and completed, the exchange completed — and stop at a withdrawal or a return, which is
shown last. A step is done when the record says it happened; its time is shown when the
record has one (rows from before a step had a time field show the step without one).
A placement's steps are its own events by day — the place accepted, started, reports
written, ended, completed, the return duty done — then those still to come.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.exchanges.choices import AppStatus, AuthorSide, PlacementStatus, ReportKind


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    at: dt.datetime | dt.date | None  # a day for the public notice and the return duty
    done: bool
    current: bool = False
    closed: bool = False  # withdrawn or returned: the end of the road
    comment: str = ""

    @property
    def is_day(self) -> bool:
        return isinstance(self.at, dt.date) and not isinstance(self.at, dt.datetime)


def _label(status: str) -> str:
    return str(AppStatus(status).label)


def application_steps(
    app: Any, placement: Any | None = None, today: dt.date | None = None
) -> list[Step]:
    """Every step of the application (and its placement), in workflow order."""
    today = today or timezone.localdate()
    p = placement
    notice_end = app.notice_ends_on
    rows: list[tuple[str, str, Any, bool | None, str]] = [
        # key, label, time, done (None: when it has a time), comment
        ("created", _("Application created"), app.created_at, True, ""),
        ("submitted", _label(AppStatus.SUBMITTED), app.submitted_at, None, ""),
        (
            "recommended",
            _label(AppStatus.RECOMMENDED),
            app.recommended_at,
            None,
            app.recommend_comment,
        ),
        (
            "notice_starts",
            _("Public notice from"),
            app.notice_starts_on,
            app.notice_starts_on is not None and app.notice_starts_on <= today,
            "",
        ),
        (
            "notice_ends",
            _("Public notice until"),
            notice_end,
            notice_end is not None and notice_end < today,
            "",
        ),
        ("approved", _label(AppStatus.APPROVED), app.approved_at, None, app.approve_comment),
        ("matched", _label(AppStatus.MATCHED), app.matched_at, None, _matched(app)),
        ("confirmed", _label(AppStatus.CONFIRMED), app.confirmed_at, None, ""),
        ("started", _("Placement started"), p.started_at if p else None, None, ""),
        ("ended", _("Placement ended"), p.ended_at if p else None, None, ""),
        (
            "placement_completed",
            _("Placement completed"),
            p.completed_at if p else None,
            None,
            "",
        ),
        ("completed", _label(AppStatus.COMPLETED), app.completed_at, None, ""),
    ]
    reached = _reached(app, p)
    steps: list[Step] = []
    for i, (key, label, at, done, comment) in enumerate(rows):
        is_done = (at is not None) if done is None else done
        steps.append(Step(key, label, at, is_done or i <= reached, comment=comment))
    if app.status in (AppStatus.WITHDRAWN, AppStatus.REJECTED):
        last = max((i for i, s in enumerate(steps) if s.done), default=0)
        steps = steps[: last + 1]
        reason = app.reject_reason if app.status == AppStatus.REJECTED else ""
        steps.append(
            Step(app.status, _label(app.status), app.closed_at, True, closed=True, comment=reason)
        )
    last_done = max((i for i, s in enumerate(steps) if s.done), default=0)
    return [
        Step(s.key, s.label, s.at, s.done, i == last_done, s.closed, s.comment)
        for i, s in enumerate(steps)
    ]


# The index of the last row the status alone proves was reached (rows without a time).
_BY_STATUS = {
    AppStatus.DRAFT: 0,
    AppStatus.SUBMITTED: 1,
    AppStatus.RECOMMENDED: 2,
    AppStatus.APPROVED: 5,
    AppStatus.MATCHED: 6,
    AppStatus.CONFIRMED: 7,
    AppStatus.IN_PROGRESS: 8,
    AppStatus.COMPLETED: 11,
}
_BY_PLACEMENT = {PlacementStatus.ENDED: 9, PlacementStatus.COMPLETED: 10}


def _reached(app: Any, placement: Any | None) -> int:
    n = _BY_STATUS.get(app.status, -1)
    if placement is not None:
        n = max(n, _BY_PLACEMENT.get(placement.status, -1))
    return n


def _matched(app: Any) -> str:
    slot = getattr(app, "matched_slot", None)
    return slot.offer.host.name if slot is not None else ""


def placement_steps(p: Any) -> list[Step]:
    """The placement's events that happened, by day (within a day in workflow order); then
    those to come, in workflow order (the start and the end with their planned days)."""
    app = p.application
    reports = {(r.kind, r.side): r for r in p.reports.all()}
    duties = list(p.duties.all())
    side = {AuthorSide.TEACHER: _("teacher"), AuthorSide.HOST: _("host")}
    events: list[tuple[str, str, Any]] = [
        ("confirmed", _("Place accepted"), app.confirmed_at),
        ("started", _("Placement started"), p.started_at),
    ]
    for kind in (ReportKind.MIDTERM, ReportKind.COMPLETION):
        for who in (AuthorSide.TEACHER, AuthorSide.HOST):
            r = reports.get((kind, who))
            label = _("%(report)s (%(side)s)") % {
                "report": ReportKind(kind).label,
                "side": side[who],
            }
            if r is not None or kind == ReportKind.COMPLETION:
                events.append((f"{kind}_{who}", label, r.submitted_at if r else None))
    events += [
        ("ended", _("Placement ended"), p.ended_at),
        ("placement_completed", _("Placement completed"), p.completed_at),
    ]
    for d in duties:
        events.append(
            (
                f"duty_{d.pk}",
                _("Return duty done: %(kind)s") % {"kind": d.get_kind_display()},
                d.done_on,
            )
        )
    events.append(("completed", _label(AppStatus.COMPLETED), app.completed_at))
    # By day; within a day in the order of the workflow (a duty is known by its day only).
    order = {key: i for i, (key, _label_, _at) in enumerate(events)}
    happened = sorted(
        (e for e in events if e[2] is not None), key=lambda e: (_day(e[2]), order[e[0]])
    )
    to_come = [e for e in events if e[2] is None]
    steps = [Step(k, label, at, True) for k, label, at in happened]
    for k, label, _at in to_come:
        planned: Any = None
        if k == "started":
            planned = p.starts_on
        elif k == "ended":
            planned = p.ends_on
        steps.append(Step(k, label, planned, False))
    last_done = len(happened) - 1
    return [
        Step(s.key, s.label, s.at, s.done, i == last_done, s.closed, s.comment)
        for i, s in enumerate(steps)
    ]


def _day(at: dt.datetime | dt.date) -> dt.date:
    """The day of a moment in the platform's time zone (a day is its own day)."""
    return timezone.localdate(at) if isinstance(at, dt.datetime) else at
