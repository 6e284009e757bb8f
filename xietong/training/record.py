"""A teacher's training record (培训档案): every provider's and every year's credited hours,
by credit type, against the continuing-education cycle she is in.

Three sources make the record, each read as it is stored (the record keeps no rows):

* **programs** — her completed enrollments with hours credited, under the program's
  credit type, on the day of completion; the hours of an enrollment whose certificate was
  revoked no longer count;
* **exchanges** — her completed placements (:class:`xietong.exchanges.models.Placement`)
  with hours credited, as shadowing and exchange, on the day the placement completed;
* **lessons** — her uses of shared resources in a lesson
  (:class:`xietong.resources.models.Use` of kind ``lesson``) as school-based training:
  ``XIETONG_TRAINING_LESSON_HOURS`` hours a use, at most
  ``XIETONG_TRAINING_LESSON_TERM_CAP`` hours a school term (one line a term, dated on the
  term's last use).

A cycle (周期) is ``XIETONG_TRAINING_CYCLE_YEARS`` calendar years asking
``XIETONG_TRAINING_CYCLE_HOURS`` hours; cycles follow each other from
``XIETONG_TRAINING_CYCLE_FIRST_YEAR`` (by default 2021–2025, 2026–2030, …, the national
five-year cycles). A line belongs to the cycle holding its day.

Who reads whose record is :func:`xietong.training.access.record_q`; a record outside it is
not found, as any row one may not read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xietong.access.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.terms import SchoolTerm
from xietong.institutions.models import Staff
from xietong.training.access import record_q
from xietong.training.choices import CreditType, EnrollmentStatus

PROGRAM, EXCHANGE, LESSONS = "program", "exchange", "lessons"
TENTH = Decimal("0.1")


def _number(name: str) -> Decimal:
    return Decimal(str(getattr(settings, name))).quantize(TENTH)


# --- cycles ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cycle:
    first_year: int
    last_year: int
    required: Decimal

    @property
    def starts_on(self) -> dt.date:
        return dt.date(self.first_year, 1, 1)

    @property
    def ends_on(self) -> dt.date:
        return dt.date(self.last_year, 12, 31)

    @property
    def label(self) -> str:
        return f"{self.first_year}–{self.last_year}"

    def holds(self, day: dt.date) -> bool:
        return self.first_year <= day.year <= self.last_year


def cycle_containing(day: dt.date) -> Cycle:
    """The cycle whose years hold ``day`` (see the module's doc)."""
    years = max(1, int(settings.XIETONG_TRAINING_CYCLE_YEARS))
    first = int(settings.XIETONG_TRAINING_CYCLE_FIRST_YEAR)
    start = first + (day.year - first) // years * years
    return Cycle(start, start + years - 1, _number("XIETONG_TRAINING_CYCLE_HOURS"))


# --- the record -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One credited piece of the record."""

    day: dt.date
    source: str  # PROGRAM, EXCHANGE or LESSONS
    credit_type: str
    hours: Decimal
    title: str
    provider: str
    detail: str = ""  # the certificate number, the term and its lesson uses
    program_id: int | None = None

    @property
    def credit_label(self) -> str:
        return str(CreditType(self.credit_type).label)


@dataclass(frozen=True)
class TypeTotal:
    credit_type: str
    label: str
    hours: Decimal


@dataclass(frozen=True)
class CycleTotal:
    cycle: Cycle
    hours: Decimal

    @property
    def met(self) -> bool:
        return self.hours >= self.cycle.required


@dataclass(frozen=True)
class Record:
    staff: Staff
    cycle: Cycle  # the cycle the teacher is in today
    lines: list[Line]  # newest first, every year
    cycle_hours: Decimal
    total_hours: Decimal
    by_type: list[TypeTotal]  # in the current cycle, every credit type
    by_type_total: list[TypeTotal]  # every year
    cycles: list[CycleTotal]  # those with hours and the current one, newest first
    lesson_hours: Decimal  # the rule the lesson lines were counted by
    lesson_cap: Decimal

    @property
    def remaining(self) -> Decimal:
        return max(Decimal(0), self.cycle.required - self.cycle_hours)

    @property
    def percent(self) -> int:
        if self.cycle.required <= 0:
            return 100
        return min(100, int(self.cycle_hours * 100 / self.cycle.required))

    @property
    def met(self) -> bool:
        return self.cycle_hours >= self.cycle.required


def record_staff(actor: Actor, staff_id: Any) -> Staff:
    """The staff member whose record the actor reads; NotFound for any other, as for
    a missing one."""
    try:
        key = int(staff_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    qs = Staff.objects.filter(record_q(actor), pk=key).select_related("institution__region")
    staff = qs.first()
    if staff is None:
        raise NotFound()
    return staff


def own_record(actor: Actor, today: dt.date | None = None) -> Record:
    """The actor's own record (NotFound without a staff record of her own)."""
    if actor.own_staff_id is None:
        raise NotFound()
    return record_of(actor, actor.own_staff_id, today)


def record_of(actor: Actor, staff_id: Any, today: dt.date | None = None) -> Record:
    staff = record_staff(actor, staff_id)
    day = today or timezone.localdate()
    lines = sorted(lines_of(staff.pk), key=lambda x: (x.day, x.title), reverse=True)
    cycle = cycle_containing(day)
    in_cycle = [x for x in lines if cycle.holds(x.day)]
    per_cycle: dict[Cycle, Decimal] = {cycle: Decimal(0)}
    for x in lines:
        c = cycle_containing(x.day)
        per_cycle[c] = per_cycle.get(c, Decimal(0)) + x.hours
    cycles = [
        CycleTotal(c, h) for c, h in sorted(per_cycle.items(), key=lambda i: -i[0].first_year)
    ]
    return Record(
        staff=staff,
        cycle=cycle,
        lines=lines,
        cycle_hours=sum((x.hours for x in in_cycle), Decimal(0)),
        total_hours=sum((x.hours for x in lines), Decimal(0)),
        by_type=_by_type(in_cycle),
        by_type_total=_by_type(lines),
        cycles=cycles,
        lesson_hours=_number("XIETONG_TRAINING_LESSON_HOURS"),
        lesson_cap=_number("XIETONG_TRAINING_LESSON_TERM_CAP"),
    )


def _by_type(lines: list[Line]) -> list[TypeTotal]:
    sums = {t: Decimal(0) for t in CreditType.values}
    for x in lines:
        sums[x.credit_type] += x.hours
    return [TypeTotal(t, str(CreditType(t).label), sums[t]) for t in CreditType.values]


def lines_of(staff_id: int) -> list[Line]:
    """Every credited line of the staff member's record, from the three sources (three
    queries)."""
    return [*_program_lines(staff_id), *_exchange_lines(staff_id), *_lesson_lines(staff_id)]


def _program_lines(staff_id: int) -> list[Line]:
    from xietong.training.models import Certificate, Enrollment

    rows = (
        Enrollment.objects.filter(
            staff_id=staff_id, status=EnrollmentStatus.COMPLETED, hours_credited__gt=0
        )
        .exclude(certificate__revoked_at__isnull=False)
        .select_related("program__provider")
    )
    out = []
    numbers = dict(
        Certificate.objects.filter(enrollment__staff_id=staff_id).values_list(
            "enrollment_id", "number"
        )
    )
    for e in rows:
        done = timezone.localtime(e.completed_at).date() if e.completed_at else e.created_at.date()
        out.append(
            Line(
                day=done,
                source=PROGRAM,
                credit_type=e.program.credit_type,
                hours=Decimal(e.hours_credited or 0),
                title=e.program.title,
                provider=e.program.provider.name,
                detail=numbers.get(e.pk, ""),
                program_id=e.program_id,
            )
        )
    return out


def _exchange_lines(staff_id: int) -> list[Line]:
    from xietong.exchanges.choices import PlacementStatus
    from xietong.exchanges.models import Placement

    rows = Placement.objects.filter(
        application__applicant_id=staff_id,
        status=PlacementStatus.COMPLETED,
        hours_credited__gt=0,
    ).select_related("application__program", "host")
    return [
        Line(
            day=timezone.localtime(p.completed_at).date() if p.completed_at else p.ends_on,
            source=EXCHANGE,
            credit_type=CreditType.SHADOWING,
            hours=Decimal(p.hours_credited or 0),
            title=p.application.program.title,
            provider=p.host.name,
            detail=f"{p.starts_on:%Y-%m-%d} – {p.ends_on:%Y-%m-%d}",
        )
        for p in rows
    ]


def _lesson_lines(staff_id: int) -> list[Line]:
    from xietong.resources.choices import UseKind
    from xietong.resources.models import Use

    per_use = _number("XIETONG_TRAINING_LESSON_HOURS")
    cap = _number("XIETONG_TRAINING_LESSON_TERM_CAP")
    if per_use <= 0:
        return []
    terms = (
        Use.objects.filter(staff_id=staff_id, kind=UseKind.LESSON)
        .values("term")
        .annotate(uses=Count("pk"), last=Max("used_on"))
        .order_by("term")
    )
    out = []
    for t in terms:
        term, n = SchoolTerm.from_key(t["term"]), t["uses"]
        out.append(
            Line(
                day=t["last"],
                source=LESSONS,
                credit_type=CreditType.SCHOOL_BASED,
                hours=min(per_use * n, cap),
                title=_("Shared resources used in lessons"),
                provider="",
                detail=ngettext("%(term)s: %(n)s lesson use", "%(term)s: %(n)s lesson uses", n)
                % {"term": term.label(), "n": n},
            )
        )
    return out
