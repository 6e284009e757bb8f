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

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xietong.institutions.models import Institution
from xietong.partnerships import network
from xietong.partnerships.choices import PartnershipKind
from xietong.partnerships.models import Activity, Member, Partnership
from xietong.plan.metrics import Metric, Params, Scope, Span, register, scope_paths
from xietong.regions.models import Region
from xietong.regions.selectors import under_paths_q

KINDS = tuple(k.value for k in PartnershipKind)


def filters(scope: Scope, params: Params) -> network.NetworkFilters:
    """The network's filters for a scope: its region (by id), its group and stage, a kind."""
    region_id = None
    if scope.region_path:
        region = Region.objects.filter(path=scope.region_path).only("pk").first()
        region_id = region.pk if region else -1
    return network.NetworkFilters(
        kind=str(params.get("kind") or ""),
        stage=scope.stage,
        region_id=region_id,
        group=scope.group,
    )


def cooperating_bj_tj(scope: Scope, span: Span, params: Params) -> QuerySet[Institution]:
    return network.cooperating_schools(span.ends_on, filters(scope, params))[0]


def cooperating_hebei(scope: Scope, span: Span, params: Params) -> QuerySet[Institution]:
    return network.cooperating_schools(span.ends_on, filters(scope, params))[1]


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
            model=Activity,
            breakdowns=frozenset({"region", "group", "stage"}),
            params=kind,
        )
    )
