"""The partnerships' metrics for the plan's indicators (registered from the app's ready()).

Each returns the queryset of the records it counts, so a number and the list behind it are
one query apart. The definitions are :mod:`xietong.partnerships.network`'s, never a copy:

* ``partnerships.cooperating_bj_tj`` / ``partnerships.cooperating_hebei`` — the two sides
  of the press's measure (:func:`~xietong.partnerships.network.cooperating_schools`) on the
  span's last day; a scope narrows the side that lies in it (a Hebei region: the Hebei
  schools there and the Beijing/Tianjin schools cooperating with them);
* ``partnerships.active`` — partnerships that count on the span's last day (active or
  ended, their period covering the day) with a member in the scope; ``kind`` optional;
* ``partnerships.xiongan_stages_covered`` — how many basic stages have a Xiong'an school
  with a Beijing/Tianjin partner (records: those schools);
* ``partnerships.activities`` — activities dated within the span, of partnerships with a
  member in the scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xietong.institutions.models import Institution
from xietong.partnerships import network
from xietong.partnerships.choices import PartnershipKind
from xietong.partnerships.models import Activity, Member, Partnership
from xietong.plan.metrics import (
    Metric,
    Params,
    Scope,
    Span,
    count_by_area,
    register,
    remembered,
    scope_paths,
)
from xietong.regions.selectors import under_paths_q

KINDS = tuple(k.value for k in PartnershipKind)


def filters(scope: Scope, params: Params) -> network.NetworkFilters:
    """The network's filters for a scope's stage and a kind (its regions: :func:`paths`)."""
    return network.NetworkFilters(kind=str(params.get("kind") or ""), stage=scope.stage)


def paths(scope: Scope) -> list[str] | None:
    """The region paths the scope narrows the network's sides to (None: the whole)."""
    return scope_paths(scope)


def cooperating_bj_tj(scope: Scope, span: Span, params: Params) -> QuerySet[Institution]:
    return network.cooperating_schools(span.ends_on, filters(scope, params), paths(scope))[0]


def cooperating_hebei(scope: Scope, span: Span, params: Params) -> QuerySet[Institution]:
    return network.cooperating_schools(span.ends_on, filters(scope, params), paths(scope))[1]


def _own_side(areas: Mapping[int, Sequence[str]], side: tuple[str, ...]) -> dict[int, list[str]]:
    """The areas lying wholly on one side: there an area narrows only its own side, so the
    whole network's side counted within the area is the area's count. An area reaching
    the other side narrows both (the network's rule) and is left to ``compute``."""
    return {i: list(p) for i, p in areas.items() if all(x.startswith(side) for x in p)}


def cooperating_bj_tj_by_area(
    stage: str, span: Span, params: Params, areas: Mapping[int, Sequence[str]]
) -> dict[int, int]:
    bjtj, _hebei = network.sides_on(span.ends_on, filters(Scope(stage=stage), params), None)
    return count_by_area(bjtj, _own_side(areas, network.BJTJ), "institution_id")


def cooperating_hebei_by_area(
    stage: str, span: Span, params: Params, areas: Mapping[int, Sequence[str]]
) -> dict[int, int]:
    _bjtj, hebei = network.sides_on(span.ends_on, filters(Scope(stage=stage), params), None)
    return count_by_area(hebei, _own_side(areas, (network.HEBEI,)), "institution_id")


def _cooperating_by_day(side: int) -> Any:
    def by_day(scope: Scope, days: Sequence[dt.date], params: Params) -> dict[dt.date, int]:
        # One query counts both sides: the other side's series reads it again.
        f, where = filters(scope, params), paths(scope)
        found = remembered(
            ("network.counts_on_days", tuple(days), f, tuple(where or ()), where is None),
            lambda: network.counts_on_days(list(days), f, where),
        )
        return {d: (c.bjtj, c.hebei)[side] for d, c in found.items()}

    return by_day


def _members_in(scope: Scope) -> Q | None:
    """Partnerships with a member in the scope (None: any partnership)."""
    paths = scope_paths(scope)
    if paths is None and not scope.stage:
        return None
    members = Member.objects.filter(partnership=OuterRef("pk"))
    if paths is not None:
        members = members.filter(under_paths_q(paths))
    if scope.stage:
        members = members.filter(institution__stages__contains=f",{scope.stage},")
    return Q(Exists(members))


def active(scope: Scope, span: Span, params: Params) -> QuerySet[Partnership]:
    day = span.ends_on
    qs = Partnership.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        status__in=network.COUNTING,
        starts_on__lte=day,
    )
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    where = _members_in(scope)
    return qs.filter(where) if where is not None else qs


def active_by_area(
    stage: str, span: Span, params: Params, areas: Mapping[int, Sequence[str]]
) -> dict[int, int]:
    """Per area, the partnerships in force with a member there (a stage narrows members)."""
    members = Member.objects.filter(partnership__in=active(Scope(), span, params).values("pk"))
    if stage:
        members = members.filter(institution__stages__contains=f",{stage},")
    return count_by_area(members, areas, "partnership_id")


def activities(scope: Scope, span: Span, params: Params) -> QuerySet[Activity]:
    qs = Activity.objects.filter(occurred_on__range=(span.starts_on, span.ends_on))
    if params.get("kind"):
        qs = qs.filter(partnership__kind=params["kind"])
    paths = scope_paths(scope)
    if paths is not None or scope.stage:
        partnerships = Partnership.objects.all()
        where = _members_in(scope)
        if where is not None:
            partnerships = partnerships.filter(where)
        qs = qs.filter(partnership__in=partnerships.values("pk"))
    return qs


def xiongan_partner_schools(scope: Scope, span: Span, params: Params) -> QuerySet[Institution]:
    return network.xiongan_partner_schools(span.ends_on)


def xiongan_stages_covered(scope: Scope, span: Span, params: Params) -> int:
    return len(network.stages_covered(xiongan_partner_schools(scope, span, params)))


def register_all() -> None:
    kind: dict[str, Any] = {"kind": KINDS}
    register(
        Metric(
            key="partnerships.cooperating_bj_tj",
            label=_("Beijing/Tianjin schools cooperating with Hebei schools"),
            description=_(
                "Beijing and Tianjin schools that are members, on the period's last day, of "
                "an active partnership with at least one Hebei school."
            ),
            records=cooperating_bj_tj,
            by_area=cooperating_bj_tj_by_area,
            by_day=_cooperating_by_day(0),
            model=Institution,
            breakdowns=frozenset({"region", "group", "stage"}),
            params=kind,
        )
    )
    register(
        Metric(
            key="partnerships.cooperating_hebei",
            label=_("Hebei schools cooperating with Beijing/Tianjin schools"),
            description=_(
                "Hebei schools that are members, on the period's last day, of an active "
                "partnership with at least one Beijing or Tianjin school."
            ),
            records=cooperating_hebei,
            by_area=cooperating_hebei_by_area,
            by_day=_cooperating_by_day(1),
            model=Institution,
            breakdowns=frozenset({"region", "group", "stage"}),
            params=kind,
        )
    )
    register(
        Metric(
            key="partnerships.active",
            label=_("Active partnerships"),
            description=_(
                "Partnerships in force on the period's last day with a member in the area."
            ),
            records=active,
            by_area=active_by_area,
            split_by={"kind": "kind"},
            model=Partnership,
            breakdowns=frozenset({"region", "group", "stage"}),
            params=kind,
        )
    )
    register(
        Metric(
            key="partnerships.xiongan_stages_covered",
            label=_("Stages of Xiong'an's basic education with a partner"),
            description=_(
                "Of preschool, primary, junior and senior secondary: the stages in which at "
                "least one Xiong'an school cooperates with a Beijing or Tianjin school."
            ),
            records=xiongan_partner_schools,
            value=xiongan_stages_covered,
            model=Institution,
            breakdowns=frozenset(),
        )
    )
    register(
        Metric(
            key="partnerships.activities",
            label=_("Partnership activities"),
            description=_("Activities dated within the period, of partnerships in the area."),
            records=activities,
            split_by={"kind": "partnership__kind"},
            model=Activity,
            breakdowns=frozenset({"region", "group", "stage"}),
            params=kind,
        )
    )
