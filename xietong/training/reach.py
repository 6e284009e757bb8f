"""The providers' reach into Hebei counties: per provider, the Hebei counties whose
teachers completed its programs — teachers and credited hours, term by term.

A completion belongs to the school term in which it happened: from the term's first day
to the next term's (the holiday after a term still belongs to it, as
:meth:`~xietong.core.terms.SchoolTerm.containing` has it); the county is the one the
enrollment was earned in (its ``region_path`` cut to the county level). Every number is
one grouped query over completed :class:`~.models.Enrollment` rows in Hebei, scoped to the
viewer: the enrollments the viewer reads (a county's authority: its teachers; a school's
admin: the school's) and the programs it keeps or is over as the provider's authority
(:func:`visible_completions`). Only counts leave this module, never a teacher.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Sum, Value, When
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from xietong import access
from xietong.access.actor import Actor
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.core.filters import option
from xietong.core.termfields import (
    TermCodeField,
    check_span_length,
    current_term,
    terms_in,
)
from xietong.core.terms import SchoolTerm, TermError, TermSpan
from xietong.institutions.models import Institution
from xietong.regions.models import Region
from xietong.training.choices import EnrollmentStatus
from xietong.training.models import Enrollment, Program

HEBEI = "130000/"
COUNTY_PATH = len("130000/130600/130638/")  # a county's path: three levels of seven
DEFAULT_TERMS = 4  # with no first term: the four terms up to the latest completion


@dataclass(frozen=True)
class ReachFilters:
    term: str = option(
        "",
        label=gettext_lazy("Term"),
        field=TermCodeField,
        help=gettext_lazy("2025-2026-1; empty: the four terms up to the latest completion"),
    )
    last: str = option(
        "",
        label=pgettext_lazy("training reach", "Until term"),
        field=TermCodeField,
        help=gettext_lazy("the last term of the range; empty: the latest term with completions"),
    )
    provider: int | None = option(
        None,
        label=pgettext_lazy("training", "Provider"),
        picker="training_providers",
        empty=gettext_lazy("All providers"),
    )


def gate(actor: Actor) -> None:
    if not access.can(actor, "training.reach"):
        raise PermissionDenied(_("Your roles do not include the providers' reach."))


def visible_completions(actor: Actor) -> QuerySet[Enrollment]:
    """Completed enrollments of Hebei teachers the actor sees counted."""
    seen = access.read_q(actor, Enrollment) | access.relation_q(
        actor, Program, ("keeper", "over_provider"), "program__"
    )
    return Enrollment.objects.filter(
        seen, status=EnrollmentStatus.COMPLETED, region_path__startswith=HEBEI
    )


def _term_of(day: dt.date) -> SchoolTerm:
    return SchoolTerm.containing(day)


def span_of(f: ReachFilters, rows: QuerySet[Enrollment]) -> TermSpan:
    """The terms the filters name (parsed, in order, at most ``MAX_TERMS``)."""
    try:
        if f.last:
            last = SchoolTerm.parse(f.last)
        elif f.term:
            last = SchoolTerm.parse(f.term)
        else:
            latest = rows.order_by("-completed_at").values_list("completed_at", flat=True).first()
            last = _term_of(timezone.localdate(latest)) if latest else current_term()
        if f.term:
            first = SchoolTerm.parse(f.term)
        else:
            first = last
            for _i in range(DEFAULT_TERMS - 1):
                first = first.previous()
        span = TermSpan(first, last)
    except TermError as e:
        raise InvalidInput(e.message, fields={"last" if f.last else "term": [e.message]}) from e
    return check_span_length(span)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def term_case(terms: Iterable[SchoolTerm]) -> Case:
    """The key of the term a completion falls in (terms back to back, holidays included)."""
    return Case(
        *[
            When(
                completed_at__gte=_midnight(t.starts_on),
                completed_at__lt=_midnight(t.next().starts_on),
                then=Value(t.key),
            )
            for t in terms
        ],
        default=Value(0),
        output_field=IntegerField(),
    )


@dataclass
class Cell:
    teachers: int = 0
    hours: Decimal = Decimal(0)


@dataclass
class CountyRow:
    path: str
    name: str
    terms: list[Cell]
    total: Cell


@dataclass
class ProviderReach:
    id: int
    name: str
    counties: list[CountyRow]
    total: Cell


@dataclass
class Reach:
    span: TermSpan
    terms: list[SchoolTerm]
    providers: list[ProviderReach] = field(default_factory=list)
    provider: Institution | None = None

    @property
    def counties(self) -> list[tuple[str, str]]:
        """Every county reached, in the order of its path: (path, name)."""
        found = {c.path: c.name for p in self.providers for c in p.counties}
        return sorted(found.items())


def _hours(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.1"))


def reach(actor: Actor, f: ReachFilters) -> Reach:
    gate(actor)
    rows = visible_completions(actor)
    provider = None
    if f.provider is not None:
        provider = Institution.objects.filter(
            pk=f.provider, pk__in=rows.values("program__provider_id")
        ).first()
        if provider is None:
            message = _("No program of provider %(id)s completed by Hebei teachers you see.") % {
                "id": f.provider
            }
            raise InvalidInput(message, fields={"provider": [message]})
        rows = rows.filter(program__provider_id=provider.pk)
    span = span_of(f, rows)
    terms = terms_in(span)
    rows = rows.filter(
        completed_at__gte=_midnight(span.first.starts_on),
        completed_at__lt=_midnight(span.last.next().starts_on),
    ).annotate(county=Substr("region_path", 1, COUNTY_PATH), term_key=term_case(terms))
    keys = ("program__provider_id", "program__provider__name", "county")
    cells = (
        rows.order_by()
        .values(*keys, "term_key")
        .annotate(teachers=Count("staff_id", distinct=True), hours=Sum("hours_credited"))
    )
    totals = (
        rows.order_by()
        .values(*keys)
        .annotate(teachers=Count("staff_id", distinct=True), hours=Sum("hours_credited"))
    )
    provider_totals = (
        rows.order_by()
        .values("program__provider_id")
        .annotate(teachers=Count("staff_id", distinct=True), hours=Sum("hours_credited"))
    )
    index = {t.key: i for i, t in enumerate(terms)}
    by_provider: dict[int, ProviderReach] = {}
    by_county: dict[tuple[int, str], CountyRow] = {}
    for t in totals:
        pid = t["program__provider_id"]
        p = by_provider.setdefault(
            pid, ProviderReach(pid, t["program__provider__name"], [], Cell())
        )
        row = CountyRow(
            t["county"],
            t["county"],
            [Cell() for _t in terms],
            Cell(t["teachers"], _hours(t["hours"])),
        )
        by_county[(pid, t["county"])] = row
        p.counties.append(row)
    for c in cells:
        i = index.get(c["term_key"])
        if i is not None:
            cell = by_county[(c["program__provider_id"], c["county"])].terms[i]
            cell.teachers, cell.hours = c["teachers"], _hours(c["hours"])
    for pt in provider_totals:
        by_provider[pt["program__provider_id"]].total = Cell(pt["teachers"], _hours(pt["hours"]))
    names = dict(
        Region.objects.filter(path__in={c.path for c in by_county.values()}).values_list(
            "path", "name"
        )
    )
    for row in by_county.values():
        row.name = names.get(row.path, row.path)
    providers = sorted(by_provider.values(), key=lambda p: (-p.total.teachers, p.name))
    for p in providers:
        p.counties.sort(key=lambda c: (-c.total.teachers, c.path))
    return Reach(span=span, terms=terms, providers=providers, provider=provider)
