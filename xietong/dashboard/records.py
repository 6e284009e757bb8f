"""The drill-down list behind a number: a metric's records, with columns per model."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from django.utils.translation import gettext as _

from xietong.core.periods import Period
from xietong.dashboard import overview
from xietong.dashboard.scope import Area
from xietong.exchanges.models import Placement
from xietong.institutions.models import Institution
from xietong.partnerships.models import Activity, Member, Partnership
from xietong.plan.metrics import Metric
from xietong.plan.models import Task


@dataclass(frozen=True)
class Column:
    label: Callable[[], str]
    cell: Callable[[Any], Any]


def _members(p: Partnership) -> str:
    return "、".join(m.institution.name for m in p.members.all())


COLUMNS: dict[type[Model], list[Column]] = {
    Institution: [
        Column(lambda: _("Name"), lambda i: i.name),
        Column(lambda: _("Region"), lambda i: i.region.name),
        Column(lambda: _("Kind"), lambda i: i.get_kind_display()),
    ],
    Partnership: [
        Column(lambda: _("Name"), lambda p: p.name),
        Column(lambda: _("Kind"), lambda p: p.get_kind_display()),
        Column(lambda: _("Members"), _members),
    ],
    Activity: [
        Column(lambda: _("Title"), lambda a: a.title),
        Column(lambda: _("Kind"), lambda a: a.get_kind_display()),
        Column(lambda: _("Date"), lambda a: a.occurred_on),
        Column(lambda: _("Partnership"), lambda a: a.partnership.name),
    ],
    Placement: [
        Column(lambda: _("Home school"), lambda p: p.home.name),
        Column(lambda: _("Host school"), lambda p: p.host.name),
        Column(lambda: _("Starts on"), lambda p: p.starts_on),
        Column(lambda: _("Ends on"), lambda p: p.ends_on),
    ],
    Task: [
        Column(lambda: _("Code"), lambda t: t.code),
        Column(lambda: _("Title"), lambda t: t.title),
        Column(lambda: _("Section"), lambda t: str(t.section)),
        Column(lambda: _("Status"), lambda t: t.get_status_display()),
    ],
}


def shaped(model: type[Model], qs: QuerySet[Any]) -> QuerySet[Any]:
    """The list's queryset, ordered, with what its columns read joined in (no N+1)."""
    if model is Institution:
        return qs.select_related("region").order_by("region_path", "name", "pk")
    if model is Partnership:
        members = Member.objects.select_related("institution").only(
            "partnership_id", "institution__name"
        )
        return qs.prefetch_related(Prefetch("members", queryset=members)).order_by("name", "pk")
    if model is Activity:
        return qs.select_related("partnership").order_by("-occurred_on", "pk")
    if model is Placement:
        return qs.select_related("home", "host").order_by("-ends_on", "pk")
    if model is Task:
        return qs.select_related("section").order_by("order", "pk")
    return qs.order_by("pk")


@dataclass
class Listing:
    metric: Metric
    area: Area
    period: Period
    params: dict[str, str]
    records: QuerySet[Any]
    columns: list[Column]
    number: Any


def listing(metric: Metric, area: Area, period: Period, params: Mapping[str, str]) -> Listing:
    span = overview.span_for(metric.key, period)
    qs = metric.records(area.scope, span, dict(params))
    columns = COLUMNS.get(metric.model, [Column(lambda: _("Record"), str)])
    number = metric.compute(area.scope, span, dict(params)) if metric.value is not None else None
    return Listing(metric, area, period, dict(params), shaped(metric.model, qs), columns, number)
