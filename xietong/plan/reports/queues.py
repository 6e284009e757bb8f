"""Progress reports waiting for the actor, registered with the workbench
(:mod:`xietong.workbench.queues`) from the app's setup: a body's admin sees the reports it
has to file (drafts, those returned to it) — an authority's under its region, a school's
under its institution —; a reviewer sees the submitted reports to return or accept. The
rules are the reports' own (``selectors.waiting_for``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xietong.accounts.models import Role
from xietong.institutions.choices import Kind
from xietong.plan.choices import ReportStatus
from xietong.plan.models import ProgressReport
from xietong.plan.reports import selectors as sel
from xietong.workbench.queues import (
    INSTITUTION,
    REGION,
    Item,
    Queue,
    QueueSource,
    queue_of,
    register_queue,
)


def _item(step: str) -> Any:
    today = timezone.localdate()

    def item(r: ProgressReport) -> Item:
        return Item(
            title=f"{r.task.code} {r.task.display_title} · {r.period} · {r.body.name}",
            step=step if r.state != ReportStatus.RETURNED else _("Revise it and submit it again"),
            url=reverse("plan_reports:detail", args=[r.pk]),
            due=r.due_on,
            overdue=r.state != ReportStatus.SUBMITTED and r.due_on < today,
            status=str(r.get_state_display()),
        )

    return item


def _to_file(actor: Any, limit: int, authority: bool) -> Queue:
    qs = sel.waiting_for(actor)["file"]
    qs = (
        qs.filter(body__kind=Kind.AUTHORITY) if authority else qs.exclude(body__kind=Kind.AUTHORITY)
    )
    return queue_of(
        "plan-reports-to-file",
        pgettext("progress report", "Progress reports to file"),
        qs,
        _item(_("Complete it and submit it for review")),
        reverse("plan_reports:list"),
        limit,
        _("All progress reports"),
    )


def to_file_for_authority(actor: Any, limit: int) -> Queue | None:
    """The reports of the authority bodies the actor acts for, to file or to revise (a
    viewer acts for none)."""
    if not actor.has(Role.AUTHORITY_ADMIN):
        return None
    return _to_file(actor, limit, authority=True)


def to_file_for_school(actor: Any, limit: int) -> Queue | None:
    """The reports of the institutions the actor administers, to file or to revise."""
    if not actor.has(Role.INSTITUTION_ADMIN):
        return None
    return _to_file(actor, limit, authority=False)


def to_review(actor: Any, limit: int) -> Queue | None:
    """Submitted reports the actor may return or accept (reviewers are authority admins)."""
    if not actor.has(Role.AUTHORITY_ADMIN):
        return None
    return queue_of(
        "plan-reports-to-review",
        pgettext("progress report", "Progress reports to review"),
        sel.waiting_for(actor)["review"],
        _item(_("Read it, then accept it or return it with a comment")),
        f"{reverse('plan_reports:list')}?state={ReportStatus.SUBMITTED}",
        limit,
        _("All submitted reports"),
    )


def register() -> None:
    register_queue(
        QueueSource("plan.reports_to_file", REGION, to_file_for_authority, "plan.reports", 70)
    )
    register_queue(QueueSource("plan.reports_to_review", REGION, to_review, "plan.reports", 71))
    register_queue(
        QueueSource(
            "plan.reports_to_file_school", INSTITUTION, to_file_for_school, "plan.reports", 70
        )
    )
