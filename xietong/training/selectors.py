"""Reads of teacher training, scoped to the viewer: the catalogue, one program, the
provider's roster with attendance, the teacher's own training and certificates.

Every list starts from ``access.read_q`` and is marked with the viewer's relations
(``access.annotate``), so ``actions`` needs no query per row; the catalogue's "open to
me" filter narrows in SQL by the teacher's stage, subject, position, title and region,
and :func:`xietong.training.services.enrollment.eligibility_problems` is asked only for
the rows a page shows (with their target regions prefetched).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong import access
from xietong.access.actor import Actor
from xietong.core.codes import STAGES, SUBJECTS
from xietong.core.delimited import unpack
from xietong.core.errors import NotFound
from xietong.core.filters import option
from xietong.institutions.models import Institution, Staff
from xietong.regions.models import Region
from xietong.training.choices import ACTIVE, CreditType, EnrollmentStatus, Mode, ProgramStatus
from xietong.training.models import (
    Attendance,
    Certificate,
    Enrollment,
    Program,
    ProgramRegion,
    Quota,
    Session,
)
from xietong.training.services.enrollment import eligibility_problems

ENROLLED, WAITLISTED = EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED
# The roster: those who hold (or held to the end) a place.
ON_ROSTER = (ENROLLED, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED)


@dataclass(frozen=True)
class ProgramFilters:
    q: str = option(
        "",
        label=_("Search"),
        max_length=100,
        placeholder=_("Title or provider"),
    )
    provider: int | None = option(
        None,
        label=pgettext_lazy("training", "Provider"),
        picker="training_providers",
        empty=_("All providers"),
    )
    credit_type: str = option(
        "", label=_("Credit type"), choices=CreditType.choices, empty=_("All credit types")
    )
    mode: str = option(
        "", label=pgettext_lazy("training", "Mode"), choices=Mode.choices, empty=_("All modes")
    )
    stage: str = option("", label=_("Stage"), choices=STAGES.choices, empty=_("All stages"))
    subject: str = option("", label=_("Subject"), choices=SUBJECTS.choices, empty=_("All subjects"))
    status: str = option(
        "",
        label=pgettext_lazy("training", "Status"),
        choices=ProgramStatus.choices,
        empty=_("All states"),
    )
    open_to_me: bool = option(
        False,
        label=_("Open to me"),
        help=_("Open for enrollment now, and I am in its audience."),
    )


def _packed_q(field_name: str, codes: Sequence[str]) -> Q:
    """Rows whose packed list ``field_name`` is blank (everyone) or holds one of ``codes``."""
    q = Q(**{field_name: ""})
    for code in codes:
        q |= Q(**{f"{field_name}__contains": f",{code},"})
    return q


def _regions_admit_q(path: str) -> Q:
    """Programs whose target regions (or region groups) cover ``path``, or that have none."""
    own_region = ProgramRegion.objects.alias(here=Value(path)).filter(
        program=OuterRef("pk"), here__startswith=F("region__path")
    )
    through = Program.region_groups.through
    groups = through.objects.filter(program_id=OuterRef("pk"))
    in_group = through.objects.alias(here=Value(path)).filter(  # type: ignore[misc]
        program_id=OuterRef("pk"), here__startswith=F("regiongroup__members__path")
    )
    any_region = ProgramRegion.objects.filter(program=OuterRef("pk"))
    return (~Exists(any_region) & ~Exists(groups)) | Exists(own_region) | Exists(in_group)


def _open_to_q(staff: Staff) -> Q:
    """The SQL side of eligibility (the services' rule, :func:`eligibility_problems`)."""
    today = timezone.localdate()
    stages = unpack(staff.stages) or unpack(staff.institution.stages)
    q = Q(status=ProgramStatus.OPEN, applications_open__lte=today, applications_close__gte=today)
    q &= _packed_q("stages", stages) & _packed_q("subjects", unpack(staff.subjects))
    q &= _packed_q("positions", [staff.position] if staff.position else [])
    q &= _packed_q("titles", [staff.title] if staff.title else [])
    return q & _regions_admit_q(staff.institution.region_path)


def own_staff(actor: Actor) -> Staff | None:
    if actor.own_staff_id is None:
        return None
    return Staff.objects.select_related("institution").filter(pk=actor.own_staff_id).first()


def programs_for(actor: Actor, f: ProgramFilters | None = None) -> QuerySet[Program]:
    f = f or ProgramFilters()
    qs = Program.objects.filter(access.read_q(actor, Program))
    if f.q:
        qs = qs.filter(
            Q(title__icontains=f.q)
            | Q(provider__name__icontains=f.q)
            | Q(description__icontains=f.q)
        )
    if f.provider:
        qs = qs.filter(provider_id=f.provider)
    if f.credit_type:
        qs = qs.filter(credit_type=f.credit_type)
    if f.mode:
        qs = qs.filter(mode=f.mode)
    if f.stage:
        qs = qs.filter(_packed_q("stages", [f.stage]))
    if f.subject:
        qs = qs.filter(_packed_q("subjects", [f.subject]))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.open_to_me:
        staff = own_staff(actor)
        qs = qs.filter(_open_to_q(staff)) if staff is not None else qs.none()
    qs = access.annotate(actor, qs, read=True)
    return qs.select_related("provider").order_by("-applications_open", "-id")


@dataclass
class CatalogueRow:
    program: Program
    actions: frozenset[str]
    enrollment: Enrollment | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def open_now(self) -> bool:
        return "enroll" in self.actions and _in_window(self.program)


def _in_window(p: Program) -> bool:
    today = timezone.localdate()
    return p.applications_open <= today <= p.applications_close


def _targets_prefetched(programs: Iterable[Program]) -> None:
    """Prefetch what :func:`eligibility_problems` reads of each program (two queries)."""
    from django.db.models import prefetch_related_objects

    rows = list(programs)
    groups = Prefetch("region_groups__members", queryset=Region.objects.only("id", "path"))
    prefetch_related_objects(rows, "regions", groups)


def catalogue_rows(actor: Actor, programs: Iterable[Program]) -> list[CatalogueRow]:
    """The rows a catalogue page shows, with the viewer's enrollment and, for a teacher,
    why each open program is not for them (a fixed number of queries)."""
    rows = list(programs)
    staff = own_staff(actor)
    mine: dict[int, Enrollment] = {}
    if staff is not None and rows:
        mine = {
            e.program_id: e
            for e in Enrollment.objects.filter(staff=staff, program__in=[p.pk for p in rows])
        }
        _targets_prefetched(rows)
    out = []
    for p in rows:
        row = CatalogueRow(p, access.actions(actor, p), mine.get(p.pk))
        if staff is not None and row.open_now:
            row.problems = eligibility_problems(p, staff)
        out.append(row)
    return out


# --- one program --------------------------------------------------------------------------


@dataclass
class ProgramDetail:
    program: Program
    actions: frozenset[str]
    sessions: list[Session]
    quotas: list[Quota]
    enrolled: int
    waitlisted: int
    keeper: bool
    audience: list[str]  # the target audience in words (regions, stages, subjects …)
    enrollment: Enrollment | None = None
    enrollment_actions: frozenset[str] = frozenset()
    waitlist_position: int | None = None
    problems: list[str] = field(default_factory=list)
    certificate: Certificate | None = None

    @property
    def open_now(self) -> bool:
        return "enroll" in self.actions and _in_window(self.program)


def program_row(actor: Actor, pk: Any) -> Program:
    """The program if the actor reads it (NotFound otherwise)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    qs = Program.objects.filter(access.read_q(actor, Program), pk=key).select_related("provider")
    program = access.annotate(actor, qs, read=True).first()
    if program is None:
        raise NotFound()
    return program


def program_detail(actor: Actor, pk: Any) -> ProgramDetail:
    program = program_row(actor, pk)
    counts = Enrollment.objects.filter(program=program).aggregate(
        enrolled=Count("pk", filter=Q(status=ENROLLED)),
        waitlisted=Count("pk", filter=Q(status=WAITLISTED)),
    )
    audience = _audience(program)
    detail = ProgramDetail(
        program=program,
        actions=access.actions(actor, program),
        sessions=list(program.sessions.all()),
        quotas=list(program.quotas.select_related("region")),
        enrolled=counts["enrolled"],
        waitlisted=counts["waitlisted"],
        keeper="keeper" in access.relations_of(actor, program),
        audience=audience,
    )
    staff = own_staff(actor)
    if staff is not None:
        row = Enrollment.objects.filter(program=program, staff=staff).first()
        detail.enrollment = row
        if row is not None:
            detail.enrollment_actions = access.actions(actor, row)
            detail.waitlist_position = waitlist_position(row)
            detail.certificate = Certificate.objects.filter(enrollment=row).first()
        if row is None or row.status not in ACTIVE:
            detail.problems = eligibility_problems(program, staff)
    return detail


def _audience(program: Program) -> list[str]:
    from xietong.core.codes import TITLES
    from xietong.institutions.choices import Position

    places = [r.name for r in program.regions.order_by("path")]
    places += [str(g) for g in program.region_groups.all()]
    parts = ["、".join(places)] if places else []
    parts += [
        "、".join(labels)
        for labels in (
            STAGES.labels(unpack(program.stages)),
            SUBJECTS.labels(unpack(program.subjects)),
            [str(Position(p).label) for p in unpack(program.positions)],
            TITLES.labels(unpack(program.titles)),
        )
        if labels
    ]
    return parts


def waitlist_position(row: Enrollment) -> int | None:
    """1 for the first on the waitlist (served in the order of joining)."""
    if row.status != WAITLISTED or row.waitlisted_at is None:
        return None
    ahead = Enrollment.objects.filter(program_id=row.program_id, status=WAITLISTED).filter(
        Q(waitlisted_at__lt=row.waitlisted_at) | Q(waitlisted_at=row.waitlisted_at, pk__lt=row.pk)
    )
    return ahead.count() + 1


# --- the provider's roster ----------------------------------------------------------------


@dataclass
class RosterRow:
    enrollment: Enrollment
    actions: frozenset[str]
    present: Mapping[int, bool]  # session id → present or absent (missing: not recorded)
    attended: int
    held: int
    marks: list[tuple[Session, bool | None]]  # the grid's cells, in the sessions' order

    @property
    def rate(self) -> int | None:
        return None if not self.held else round(100 * self.attended / self.held)


@dataclass
class Roster:
    program: Program
    actions: frozenset[str]
    sessions: list[Session]
    rows: list[RosterRow]
    waitlist: list[Enrollment]


def roster(actor: Actor, pk: Any) -> Roster:
    """The program's teachers with their attendance per session, rate, assessment and
    status — for its keepers only (others: refused as the services refuse them)."""
    program = program_row(actor, pk)
    access.require(actor, "attend", program, now=False)
    sessions = list(program.sessions.all())
    qs = Enrollment.objects.filter(
        access.read_q(actor, Enrollment), program=program, status__in=ON_ROSTER
    )
    rows = list(
        access.annotate(actor, qs, read=True)
        .select_related("staff", "institution")
        .order_by("institution__name", "staff__name", "pk")
    )
    marks: dict[int, dict[int, bool]] = {}
    for e_id, s_id, here in Attendance.objects.filter(enrollment__program=program).values_list(
        "enrollment_id", "session_id", "present"
    ):
        marks.setdefault(e_id, {})[s_id] = here
    held = len(sessions)
    out = [
        RosterRow(
            enrollment=e,
            actions=access.actions(actor, e),
            present=marks.get(e.pk, {}),
            attended=sum(1 for v in marks.get(e.pk, {}).values() if v),
            held=held,
            marks=[(x, marks.get(e.pk, {}).get(x.pk)) for x in sessions],
        )
        for e in rows
    ]
    waiting = list(
        Enrollment.objects.filter(program=program, status=WAITLISTED)
        .select_related("staff", "institution")
        .order_by("waitlisted_at", "pk")
    )
    return Roster(program, access.actions(actor, program), sessions, out, waiting)


def session_of(actor: Actor, program: Program, session_id: Any) -> Session:
    try:
        key = int(session_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = Session.objects.filter(program=program, pk=key).first()
    if found is None:
        raise NotFound()
    return found


# --- the teacher's own training -----------------------------------------------------------


@dataclass
class MyRow:
    enrollment: Enrollment
    actions: frozenset[str]
    certificate: Certificate | None


def my_enrollments(actor: Actor) -> list[MyRow]:
    """The teacher's enrollments, newest program first (empty without a staff record)."""
    if actor.own_staff_id is None:
        return []
    qs = Enrollment.objects.filter(access.read_q(actor, Enrollment), staff_id=actor.own_staff_id)
    rows = list(
        access.annotate(actor, qs, read=True)
        .select_related("program__provider")
        .order_by("-program__applications_open", "-pk")
    )
    certs = {c.enrollment_id: c for c in Certificate.objects.filter(enrollment__in=rows)}
    return [MyRow(e, access.actions(actor, e), certs.get(e.pk)) for e in rows]


# --- certificates -------------------------------------------------------------------------


def certificates_of_program(actor: Actor, program: Program) -> list[Certificate]:
    qs = Certificate.objects.filter(
        access.read_q(actor, Certificate), enrollment__program=program
    ).select_related("enrollment__staff")
    return access.with_actions(actor, access.annotate(actor, qs, read=True).order_by("number"))


def my_certificates(actor: Actor) -> list[Certificate]:
    if actor.own_staff_id is None:
        return []
    qs = Certificate.objects.filter(
        access.read_q(actor, Certificate), enrollment__staff_id=actor.own_staff_id
    )
    return list(qs.order_by("-completed_on", "-pk"))


def certificate_for(actor: Actor, pk: Any) -> Certificate:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    qs = Certificate.objects.filter(access.read_q(actor, Certificate), pk=key)
    found = access.annotate(actor, qs, read=True).select_related("enrollment__program").first()
    if found is None:
        raise NotFound()
    return found


# --- providers (the catalogue's provider filter) ------------------------------------------


def providers_for(actor: Actor, q: str = "") -> QuerySet[Institution]:
    """The institutions providing a program the actor reads."""
    programs = Program.objects.filter(access.read_q(actor, Program)).values("provider_id")
    qs = Institution.objects.filter(pk__in=programs).select_related("region")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q))
    return qs.order_by("name", "id")


# --- the keepers' queue -------------------------------------------------------------------


def to_complete(actor: Actor) -> QuerySet[Program]:
    """Programs the actor keeps whose enrollment closed (or window ended), not completed."""
    today = timezone.localdate()
    qs = Program.objects.filter(access.verb_q(actor, Program, "complete"))
    qs = qs.filter(Q(status=ProgramStatus.CLOSED) | Q(applications_close__lt=today))
    return qs.select_related("provider").order_by("applications_close", "id")


def sessions_today(actor: Actor) -> QuerySet[Session]:
    """Sessions of programs the actor keeps that start today (attendance to record)."""
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    programs = Program.objects.filter(access.verb_q(actor, Program, "attend")).values("pk")
    return (
        Session.objects.filter(
            program__in=programs, starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)
        )
        .select_related("program")
        .order_by("starts_at", "id")
    )


def hours_text(value: Decimal | None) -> str:
    from xietong.training.services.common import hours_text as text

    return "" if value is None else text(value)


def providers_of(actor: Actor) -> list[Institution]:
    """The institutions the actor keeps programs for (those it may create them for)."""
    from xietong.access import reach as r

    return list(Institution.objects.filter(r.acts_for()(actor, "")).order_by("name", "id"))
