"""What waits for the actor in exchanges: the queues it registers with the workbench
(:func:`register`, see :mod:`xietong.workbench.queues`).

Every read goes through the access mechanism (``read_q``, ``verb_q``, ``relation_q``) and
returns a :class:`Queue` — how many rows there are, the first few, each with the page where
its step is done, and the page of the full list. The number of queries does not grow with
the rows: counts in SQL, the first ``limit`` rows, and one query per kind of detail.

The dates a teacher is held to are derived here, and only here:

* a matched place is confirmed before the program starts (``Program.starts_on``);
* an active placement's log of the current week is due on that week's Sunday;
* the mid-term report is due at the placement's midpoint, the completion report on its
  last day; each is announced ``selectors.REPORT_NOTICE_DAYS`` before, and overdue after;
* a return duty is due on its ``due_on``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xietong import access
from xietong.accounts.access import Actor
from xietong.core.terms import SchoolTerm
from xietong.exchanges import selectors
from xietong.exchanges.access import in_area, window_open_q
from xietong.exchanges.choices import (
    ELIGIBLE_POSITIONS,
    AppStatus,
    AuthorSide,
    PlacementStatus,
    ProgramStatus,
    ReportKind,
    RunStatus,
    Side,
)
from xietong.exchanges.models import (
    Application,
    HostOffer,
    MatchingRun,
    Placement,
    PlacementLog,
    PlacementReport,
    Program,
    ProgramArea,
    ReturnDuty,
)
from xietong.exchanges.services.applications import eligibility_problems
from xietong.institutions.models import Institution, RegionTally, Staff
from xietong.workbench.queues import (
    INSTITUTION,
    LIMIT,
    PERSON,
    REGION,
    Build,
    Item,
    Queue,
    QueueSource,
    queue_of,
    register_queue,
)

CANDIDATES = 100  # open programs checked against a teacher's record (the rest: a link)
RECENT_DAYS = 14  # logs and reports that are "new" for the schools
TREND_TERMS = 4


def _today() -> dt.date:
    return timezone.localdate()


def _date(d: dt.date | dt.datetime) -> str:
    if isinstance(d, dt.datetime):
        d = timezone.localtime(d).date()
    return d.isoformat()


def _capped(qs: QuerySet[Any], cap: int) -> tuple[list[Any], int]:
    """The first ``cap`` rows and how many there are in all (a count only when capped)."""
    rows = list(qs[:cap])
    return rows, (len(rows) if len(rows) < cap else qs.count())


# --- the teacher -------------------------------------------------------------------------------


def _own_staff(actor: Actor) -> Staff | None:
    own = access.own_record(actor)
    if own is None:
        return None
    return (
        Staff.objects.filter(access.read_q(actor, Staff), pk=own)
        .select_related("institution")
        .first()
    )


def programs_open_to_me(actor: Actor, limit: int = LIMIT) -> Queue | None:
    """Programs accepting applications now that the actor (a teacher) is eligible for and
    has not applied to, soonest closing first. The others are counted; each program's page
    says why it is not open to her."""
    staff = _own_staff(actor)
    if staff is None:
        return None
    applied = Application.objects.filter(applicant_id=staff.pk).exclude(
        status__in=[AppStatus.WITHDRAWN, AppStatus.REJECTED]
    )
    sending = ProgramArea.objects.filter(side=Side.SENDING).select_related("region")
    candidates = (
        Program.objects.filter(access.verb_q(actor, Program, "apply"), window_open_q())
        .exclude(pk__in=applied.values("program_id"))
        .prefetch_related(
            Prefetch("areas", queryset=sending.prefetch_related("group__members"), to_attr="sends")
        )
        .order_by("closes_at", "pk")
    )
    programs, total = _capped(candidates, CANDIDATES)
    open_to_me = [
        p
        for p in programs
        if not eligibility_problems(p, staff, in_sending_area=in_area(p.sends, staff.institution))
    ]
    not_open = total - len(open_to_me)
    items = [
        Item(
            title=p.title,
            step=_("Apply by %(date)s") % {"date": _date(p.closes_at)},
            url=reverse("exchanges:apply", args=[p.pk]),
            due=timezone.localtime(p.closes_at).date(),
            status=str(p.get_kind_display()),
        )
        for p in open_to_me[:limit]
    ]
    note = ""
    if not_open:
        note = ngettext(
            "%(n)d more open program is not open to you; its page says why.",
            "%(n)d more open programs are not open to you; each program's page says why.",
            not_open,
        ) % {"n": not_open}
    return Queue(
        key="open-programs",
        label=_("Open programs you may apply for"),
        count=len(open_to_me),
        items=items,
        url=f"{reverse('exchanges:program_list')}?status={ProgramStatus.OPEN}",
        more_label=_("All open programs"),
        note=note,
    )


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _midpoint(p: Placement) -> dt.date:
    return p.starts_on + (p.ends_on - p.starts_on) / 2


@dataclass(frozen=True)
class _PlacementFacts:
    """What the next steps of placements need beyond their rows (three queries in all)."""

    logged_this_week: set[int]
    teacher_reports: set[tuple[int, str]]
    open_duties: dict[int, ReturnDuty]

    @classmethod
    def of(cls, placement_ids: list[int], today: dt.date) -> _PlacementFacts:
        if not placement_ids:
            return cls(set(), set(), {})
        logged = set(
            PlacementLog.objects.filter(
                placement_id__in=placement_ids, week_starting=_week_start(today)
            ).values_list("placement_id", flat=True)
        )
        reports = set(
            PlacementReport.objects.filter(
                placement_id__in=placement_ids, side=AuthorSide.TEACHER
            ).values_list("placement_id", "kind")
        )
        duties: dict[int, ReturnDuty] = {}
        for d in ReturnDuty.objects.filter(
            placement_id__in=placement_ids, done_on__isnull=True
        ).order_by("-due_on", "-id"):
            duties[d.placement_id] = d  # the earliest open duty stays
        return cls(logged, reports, duties)


def _report_step(p: Placement, kind: str, due: dt.date, today: dt.date, f: _PlacementFacts) -> Any:
    if (p.pk, kind) in f.teacher_reports or today < due - dt.timedelta(
        days=selectors.REPORT_NOTICE_DAYS
    ):
        return None
    if kind == ReportKind.MIDTERM:
        text = _("Mid-term report due %(date)s")
    else:
        text = _("Completion report due %(date)s")
    return text % {"date": _date(due)}, due


def _placement_step(p: Placement, today: dt.date, f: _PlacementFacts) -> tuple[str, Any, bool]:
    """The teacher's next step in a placement: (text, due date, waiting on someone else)."""
    if p.status == PlacementStatus.PLANNED:
        return (
            _("Starts %(date)s at %(host)s") % {"date": _date(p.starts_on), "host": p.host},
            (p.starts_on),
            True,
        )
    if p.status == PlacementStatus.COMPLETED:
        duty = f.open_duties.get(p.pk)
        if duty is not None:
            return (
                _("Return duty due %(date)s: %(kind)s")
                % {
                    "date": _date(duty.due_on),
                    "kind": duty.get_kind_display(),
                },
                duty.due_on,
                False,
            )
        return _("Your school closes the exchange"), None, True
    steps = [
        s
        for s in (
            _report_step(p, ReportKind.COMPLETION, p.ends_on, today, f),
            _report_step(p, ReportKind.MIDTERM, _midpoint(p), today, f),
        )
        if s is not None
    ]
    week = _week_start(today)
    if p.pk not in f.logged_this_week and p.starts_on - dt.timedelta(days=6) <= week <= p.ends_on:
        sunday = week + dt.timedelta(days=6)
        steps.append((_("Weekly log due %(date)s") % {"date": _date(sunday)}, sunday))
    if not steps:
        return _("Nothing due now; the host completes the placement"), None, True
    text, due = min(steps, key=lambda s: s[1])
    return text, due, False


def _application_step(app: Application) -> tuple[str, Any, bool]:
    p = app.program
    if app.status == AppStatus.DRAFT:
        return (
            _("Submit by %(date)s") % {"date": _date(p.closes_at)},
            timezone.localtime(p.closes_at).date(),
            False,
        )
    if app.status == AppStatus.SUBMITTED:
        return _("Waiting for your school's recommendation"), None, True
    if app.status == AppStatus.RECOMMENDED:
        if app.notice_ends_on is not None:
            return (
                _("Public notice until %(date)s, then the authority approves")
                % {"date": _date(app.notice_ends_on)},
                None,
                True,
            )
        return _("Waiting for the authority's approval"), None, True
    if app.status == AppStatus.APPROVED:
        return _("Approved; waiting for matching"), None, True
    if app.status == AppStatus.MATCHED:
        host = app.matched_slot.offer.host if app.matched_slot else ""
        return (
            _("Confirm your place at %(host)s by %(date)s")
            % {
                "host": host,
                "date": _date(p.starts_on),
            },
            p.starts_on,
            False,
        )
    return str(app.get_status_display()), None, True


def my_exchanges(actor: Actor, limit: int = LIMIT) -> Queue | None:
    """The actor's own applications and placements under way, each with her next step and
    its date; her steps first, soonest due first."""
    if access.own_record(actor) is None:
        return None
    mine = access.relation_q(actor, Application, ("applicant",))
    qs = (
        Application.objects.filter(mine)
        .exclude(status__in=[AppStatus.WITHDRAWN, AppStatus.REJECTED, AppStatus.COMPLETED])
        .select_related("program", "matched_slot__offer__host", "placement__host")
        .order_by("-id")
    )
    apps, total = _capped(qs, 20)
    today = _today()
    placements = [a.placement for a in apps if _placement_of(a) is not None]
    facts = _PlacementFacts.of([p.pk for p in placements], today)
    items = []
    for app in apps:
        placement = _placement_of(app)
        if placement is not None:
            text, due, waiting = _placement_step(placement, today, facts)
            url = reverse("exchanges:placement_detail", args=[placement.pk])
        else:
            text, due, waiting = _application_step(app)
            url = reverse("exchanges:application_detail", args=[app.pk])
        items.append(
            Item(
                title=app.program.title,
                step=text,
                url=url,
                due=due,
                overdue=not waiting and due is not None and due < today,
                waiting=waiting,
                status=str(app.get_status_display()),
            )
        )
    items.sort(key=lambda i: (i.waiting, i.due or dt.date.max))
    return Queue(
        key="my-exchanges",
        label=_("Your applications and placements"),
        count=total,
        items=items[:limit],
        url=reverse("exchanges:my_applications"),
        more_label=_("All your applications"),
    )


def _placement_of(app: Application) -> Placement | None:
    try:
        return app.placement
    except Placement.DoesNotExist:
        return None


# --- the school --------------------------------------------------------------------------------


def _applicant_item(step: str, url_name: str) -> Any:
    def item(app: Application) -> Item:
        return Item(
            title=f"{app.applicant.name} · {app.program.title}",
            step=step,
            url=reverse(url_name, args=[app.pk]),
            status=str(app.get_status_display()),
        )

    return item


def to_recommend(actor: Actor, limit: int = LIMIT) -> Queue:
    """Submitted applications of the actor's staff, oldest first (the school's step)."""
    qs = (
        selectors.applications_to_recommend(actor)
        .prefetch_related(None)
        .order_by("submitted_at", "pk")
    )
    return queue_of(
        "to-recommend",
        _("Applications to recommend"),
        qs,
        _applicant_item(_("Recommend after the public notice"), "exchanges:application_recommend"),
        reverse("exchanges:review"),
        limit,
        _("Open the review queue"),
    )


def offers_to_make(actor: Actor, limit: int = LIMIT) -> Queue:
    """Programs accepting applications whose host area includes an institution the actor
    keeps, that none of them has offered places to yet."""
    hosts = list(Institution.objects.filter(access.relation_q(actor, Institution, ("school",))))
    offered = HostOffer.objects.filter(
        access.relation_q(actor, HostOffer, ("host",)), program=OuterRef("pk")
    )
    hosting = ProgramArea.objects.filter(side=Side.HOST).select_related("region")
    qs = (
        Program.objects.filter(access.verb_q(actor, Program, "offer"), window_open_q())
        .exclude(Exists(offered))
        .prefetch_related(
            Prefetch("areas", queryset=hosting.prefetch_related("group__members"), to_attr="hosts")
        )
        .order_by("closes_at", "pk")
    )
    programs = [p for p in qs[:CANDIDATES] if any(in_area(p.hosts, h) for h in hosts)]
    items = [
        Item(
            title=p.title,
            step=_("Offer host places before %(date)s") % {"date": _date(p.closes_at)},
            url=reverse("exchanges:offer_create", args=[p.pk]),
            due=timezone.localtime(p.closes_at).date(),
        )
        for p in programs[:limit]
    ]
    return Queue(
        "offers-to-make",
        _("Programs inviting host places"),
        len(programs),
        items,
        f"{reverse('exchanges:program_list')}?status={ProgramStatus.OPEN}",
        _("All open programs"),
    )


def _placement_item(step: Any) -> Any:
    def item(p: Placement) -> Item:
        text, due = step(p)
        return Item(
            title=f"{p.application.applicant.name} · {p.host}",
            step=text,
            url=reverse("exchanges:placement_detail", args=[p.pk]),
            due=due,
            overdue=due is not None and due < _today(),
            status=str(p.get_status_display()),
        )

    return item


def _placements(actor: Actor, *relations: str) -> QuerySet[Placement]:
    return Placement.objects.filter(
        access.read_q(actor, Placement), access.relation_q(actor, Placement, relations)
    ).select_related("application__applicant", "host")


def placements_to_start(actor: Actor, limit: int = LIMIT) -> Queue:
    """Planned placements the actor may start that begin within a week (or began)."""
    soon = _today() + dt.timedelta(days=7)
    qs = (
        _placements(actor, "host", "home", "mentor")
        .filter(access.verb_q(actor, Placement, "start"), starts_on__lte=soon)
        .order_by("starts_on", "pk")
    )
    return queue_of(
        "to-start",
        _("Placements to start"),
        qs,
        _placement_item(lambda p: (_("Starts %(date)s") % {"date": _date(p.starts_on)}, None)),
        f"{reverse('exchanges:placement_list')}?status={PlacementStatus.PLANNED}",
        limit,
    )


def host_reports_due(actor: Actor, limit: int = LIMIT) -> Queue:
    """Active placements the actor hosts whose host completion report is due (or overdue)."""
    qs = (
        _placements(actor, "host", "mentor")
        .filter(selectors.completion_reports_q("due", AuthorSide.HOST))
        .order_by("ends_on", "pk")
    )
    return queue_of(
        "host-reports",
        _("Host reports to write"),
        qs,
        _placement_item(
            lambda p: (_("Completion report due %(date)s") % {"date": _date(p.ends_on)}, p.ends_on)
        ),
        f"{reverse('exchanges:placement_list')}?status={PlacementStatus.ACTIVE}",
        limit,
    )


def recent_writing(actor: Actor, limit: int = LIMIT) -> Queue:
    """Weekly logs written lately in placements the actor hosts or sends: to read."""
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    placements = _placements(actor, "host", "home")
    qs = (
        PlacementLog.objects.filter(placement__in=placements.values("pk"), created_at__gte=since)
        .select_related("placement__application__applicant", "placement__host")
        .order_by("-created_at", "-pk")
    )

    def item(log: PlacementLog) -> Item:
        p = log.placement
        return Item(
            title=f"{p.application.applicant.name} · {p.host}",
            step=_("Weekly log of the week of %(date)s") % {"date": _date(log.week_starting)},
            url=reverse("exchanges:placement_detail", args=[p.pk]),
        )

    return queue_of(
        "new-logs",
        _("New weekly logs to read"),
        qs,
        item,
        reverse("exchanges:placement_list"),
        limit,
        _("All placements"),
    )


def returns_to_close(actor: Actor, limit: int = LIMIT) -> Queue:
    """Completed placements of the actor's teachers back home: a return duty to record, or
    the exchange to close once every duty is done."""
    qs = (
        _placements(actor, "home")
        .filter(status=PlacementStatus.COMPLETED, application__status=AppStatus.IN_PROGRESS)
        .annotate(
            duties_n=Count("duties", distinct=True),
            open_n=Count("duties", filter=Q(duties__done_on__isnull=True), distinct=True),
        )
        .filter(Q(duties_n=0) | Q(open_n=0))
        .order_by("ends_on", "pk")
    )

    def step(p: Any) -> tuple[str, None]:
        if p.duties_n == 0:
            return _("Record the return duty at home"), None
        return _("Every return duty is done: close the exchange"), None

    return queue_of(
        "returns",
        _("Returned teachers"),
        qs,
        _placement_item(step),
        f"{reverse('exchanges:placement_list')}?status={PlacementStatus.COMPLETED}",
        limit,
    )


# --- the authority -----------------------------------------------------------------------------


def approvals_due(actor: Actor, limit: int = LIMIT) -> Queue:
    """Recommended applications under the actor's region whose public notice has ended."""
    today = _today()
    waiting = selectors.applications_to_approve(actor).prefetch_related(None)
    qs = waiting.filter(notice_ends_on__lt=today).order_by("notice_ends_on", "pk")
    queue = queue_of(
        "approvals",
        _("Approvals due"),
        qs,
        _applicant_item(
            _("The public notice has ended: approve or reject"), "exchanges:application_approve"
        ),
        reverse("exchanges:review"),
        limit,
        _("Open the review queue"),
    )
    in_notice = waiting.exclude(notice_ends_on__lt=today).count()
    if in_notice:
        note = ngettext(
            "%(n)d more is still in its public notice.",
            "%(n)d more are still in their public notice.",
            in_notice,
        ) % {"n": in_notice}
        return Queue(
            queue.key, queue.label, queue.count, queue.items, queue.url, queue.more_label, note
        )
    return queue


def runs_to_publish(actor: Actor, limit: int = LIMIT) -> Queue:
    """Finished matching runs of programs the actor manages, not yet published."""
    qs = (
        MatchingRun.objects.filter(access.verb_q(actor, MatchingRun, "publish"))
        .select_related("program")
        .defer("inputs", "statistics")
        .order_by("pk")
    )

    def item(run: MatchingRun) -> Item:
        return Item(
            title=run.program.title,
            step=_("Run #%(n)d is done: review and publish") % {"n": run.pk},
            url=reverse("exchanges:run_detail", args=[run.pk]),
            status=str(RunStatus(run.status).label),
        )

    return queue_of(
        "runs", _("Matching runs to publish"), qs, item, reverse("exchanges:matching"), limit
    )


def reports_overdue(actor: Actor, limit: int = LIMIT) -> Queue:
    """Placements in the actor's region past their last day without both completion reports."""
    qs = (
        _placements(actor, "viewer", "manager")
        .filter(selectors.completion_reports_q("overdue"))
        .order_by("ends_on", "pk")
    )
    return queue_of(
        "overdue",
        _("Completion reports overdue"),
        qs,
        _placement_item(
            lambda p: (
                _("Ended %(date)s; completion report missing") % {"date": _date(p.ends_on)},
                p.ends_on,
            )
        ),
        f"{reverse('exchanges:placement_list')}?reports=overdue",
        limit,
    )


def register() -> None:
    """Register the exchanges' queues with the workbench (from ``ExchangesConfig.ready``):
    the teacher's own, the institution admin's and the authority admin's (a viewer has
    none: they watch the counts)."""
    sources: list[tuple[str, str, list[Build]]] = [
        (PERSON, "exchanges.apply", [my_exchanges, programs_open_to_me]),
        (
            INSTITUTION,
            "exchanges.recommend",
            [
                to_recommend,
                offers_to_make,
                placements_to_start,
                host_reports_due,
                returns_to_close,
                recent_writing,
            ],
        ),
        (REGION, "exchanges.approve", [approvals_due, runs_to_publish, reports_overdue]),
    ]
    for audience, capability, builds in sources:
        for order, build in enumerate(builds, start=10):
            register_queue(
                QueueSource(f"exchanges.{build.__name__}", audience, build, capability, order)
            )


@dataclass(frozen=True)
class TermCount:
    term: str
    sent: int
    hosted: int
    share: float  # of the region's eligible staff today, sent that term

    @property
    def percent(self) -> float:
        return self.share * 100


def region_exchanges(actor: Actor) -> dict[str, Any]:
    """Active placements whose home or host lies in the actor's authority regions, and per
    term of the last ``TREND_TERMS``: teachers sent from and hosted in them, and the share
    of their eligible staff (today's roll-ups) that was sent."""
    home_q = access.relation_q(actor, Institution, ("viewer",), "home__")
    host_q = access.relation_q(actor, Institution, ("viewer",), "host__")
    visible = Placement.objects.filter(access.read_q(actor, Placement), home_q | host_q)
    active = visible.filter(status=PlacementStatus.ACTIVE).count()
    last = SchoolTerm.containing(_today())
    first = last
    for _i in range(TREND_TERMS - 1):
        first = first.previous()
    rows = (
        visible.filter(application__program__term_key__range=(first.key, last.key))
        .order_by()
        .values("application__program__term_key")
        .annotate(sent=Count("pk", filter=home_q), hosted=Count("pk", filter=host_q))
    )
    by_term = {r["application__program__term_key"]: r for r in rows}
    eligible = (
        RegionTally.objects.filter(
            access.relation_q(actor, Institution, ("viewer",)), position__in=ELIGIBLE_POSITIONS
        ).aggregate(n=Sum("staff"))["n"]
        or 0
    )
    trend = []
    term = first
    for _i in range(TREND_TERMS):
        r = by_term.get(term.key, {"sent": 0, "hosted": 0})
        share = round(r["sent"] / eligible, 4) if eligible else 0.0
        trend.append(TermCount(term.label(), r["sent"], r["hosted"], share))
        term = term.next()
    peak = max([t.sent for t in trend] + [t.hosted for t in trend] + [1])
    return {"active": active, "trend": trend, "peak": peak, "eligible": eligible}
