"""The metrics the dashboard reads, for those no app has registered (and two of its own).

The dashboard reads every number through :func:`xietong.plan.metrics.get`. The platform's
metrics are registered by their apps (``partnerships.metrics``, ``exchanges.metrics``) from
their ``ready()``, which runs before this app's. Where one of the keys below is not
registered by then, this module registers a definition built on the same measure the
partnerships pages use (:mod:`xietong.partnerships.network`), so the dashboard never shows a
number without the records behind it. :func:`ensure` skips a key already registered.

Two metrics are the dashboard's own: ``dashboard.tasks`` (the plan's tasks by status and
section, for the task status board) and ``dashboard.partnerships_between`` (the
partnerships between two regions of the collaboration map, for a click on one of its lines).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xietong.dashboard.scope import paths_of
from xietong.exchanges.choices import PlacementStatus
from xietong.exchanges.models import Placement
from xietong.institutions.models import Institution
from xietong.partnerships import network
from xietong.partnerships.choices import PartnershipKind
from xietong.partnerships.models import Activity, Member, Partnership
from xietong.plan import metrics
from xietong.plan.choices import TaskStatus
from xietong.plan.metrics import Metric, Params, Scope, Span
from xietong.plan.models import Task
from xietong.regions.models import Region
from xietong.regions.selectors import under_paths_q

KINDS = tuple(PartnershipKind.values)


def network_filters(scope: Scope, params: Params) -> network.NetworkFilters:
    """The network's filters for a scope: its region (by id) and its group, a kind."""
    region_id = None
    if scope.region_path:
        region = Region.objects.filter(path=scope.region_path).only("pk").first()
        region_id = region.pk if region else 0
    return network.NetworkFilters(
        kind=str(params.get("kind") or ""),
        stage=scope.stage,
        region_id=region_id,
        group=scope.group,
    )


def sides(scope: Scope, day: dt.date, params: Params) -> tuple[QuerySet[Member], QuerySet[Member]]:
    return network.sides_on(day, network_filters(scope, params))


def _cooperating_bjtj(scope: Scope, span: Span, params: Params) -> QuerySet[Institution]:
    bjtj, _hebei = sides(scope, span.ends_on, params)
    return Institution.objects.filter(pk__in=bjtj.values("institution_id"))


def _cooperating_hebei(scope: Scope, span: Span, params: Params) -> QuerySet[Institution]:
    _bjtj, hebei = sides(scope, span.ends_on, params)
    return Institution.objects.filter(pk__in=hebei.values("institution_id"))


def _members_in(scope: Scope) -> Q:
    """Partnerships with a member in the scope's regions (everything for the whole)."""
    paths = paths_of(scope)
    if paths is None:
        return Q()
    return Q(Exists(Member.objects.filter(under_paths_q(paths), partnership=OuterRef("pk"))))


def _counting_on(day: dt.date) -> Q:
    return Q(
        status__in=network.COUNTING,
        starts_on__lte=day,
    ) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def _active(scope: Scope, span: Span, params: Params) -> QuerySet[Partnership]:
    qs = Partnership.objects.filter(_counting_on(span.ends_on)).filter(_members_in(scope))
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    return qs


def _activities(scope: Scope, span: Span, params: Params) -> QuerySet[Activity]:
    qs = Activity.objects.filter(occurred_on__gte=span.starts_on, occurred_on__lte=span.ends_on)
    paths = paths_of(scope)
    if paths is not None:
        qs = qs.filter(
            Exists(Member.objects.filter(under_paths_q(paths), partnership=OuterRef("partnership")))
        )
    if params.get("kind"):
        qs = qs.filter(partnership__kind=params["kind"])
    return qs


def _placements_completed(scope: Scope, span: Span, params: Params) -> QuerySet[Placement]:
    qs = Placement.objects.filter(
        status=PlacementStatus.COMPLETED, ends_on__gte=span.starts_on, ends_on__lte=span.ends_on
    )
    paths = paths_of(scope)
    if paths is not None:
        qs = qs.filter(
            under_paths_q(paths, "home__region_path") | under_paths_q(paths, "host__region_path")
        )
    return qs


def _xiongan_partner_schools(scope: Scope, span: Span, params: Params) -> QuerySet[Institution]:
    xa = list(Region.objects.filter(groups__key=network.XIONGAN).values_list("path", flat=True))
    _bjtj, hebei = sides(scope, span.ends_on, params)
    return Institution.objects.filter(
        pk__in=hebei.filter(under_paths_q(xa)).values("institution_id")
    )


def _xiongan_stages(scope: Scope, span: Span, params: Params) -> int:
    return len(stages_of(_xiongan_partner_schools(scope, span, params)))


def stages_of(schools: QuerySet[Institution]) -> set[str]:
    """The basic stages the schools teach (one query)."""
    basic = {str(s) for s in network.BASIC_STAGES}
    found: set[str] = set()
    for stages in schools.values_list("stages", flat=True).distinct():
        found |= {s for s in (stages or "").split(",") if s in basic}
    return found


def _tasks(scope: Scope, span: Span, params: Params) -> QuerySet[Task]:
    qs = Task.objects.all()
    if params.get("plan"):
        qs = qs.filter(plan__key=params["plan"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("section"):
        qs = qs.filter(
            Q(section__number=params["section"]) | Q(section__parent__number=params["section"])
        )
    return qs


def node_q(code: str, field: str = "region_path") -> Q:
    """Rows in a map node's region: a county, or a city without the counties drawn apart."""
    from xietong.dashboard.map import node_paths

    inside, apart = node_paths(code)
    q = Q(**{f"{field}__startswith": inside}) if inside else Q(pk__in=[])
    for p in apart:
        q &= ~Q(**{f"{field}__startswith": p})
    return q


def _between(scope: Scope, span: Span, params: Params) -> QuerySet[Partnership]:
    bjtj, hebei = sides(scope, span.ends_on, params)
    a, b = str(params.get("a") or ""), str(params.get("b") or "")
    left = bjtj.filter(node_q(a)).values("partnership_id")
    right = hebei.filter(node_q(b)).values("partnership_id")
    return Partnership.objects.filter(pk__in=left).filter(pk__in=right)


def ensure(metric: Metric) -> Metric:
    """Register ``metric`` unless an app already registered its key."""
    return metrics.get(metric.key) or metrics.register(metric)


ensure(
    Metric(
        key="partnerships.cooperating_bj_tj",
        label=_("Beijing and Tianjin schools cooperating with Hebei schools"),
        records=_cooperating_bjtj,
        model=Institution,
        params={"kind": KINDS},
        breakdowns=frozenset({"region", "group", "stage"}),
    )
)
ensure(
    Metric(
        key="partnerships.cooperating_hebei",
        label=_("Hebei schools cooperating with Beijing and Tianjin schools"),
        records=_cooperating_hebei,
        model=Institution,
        params={"kind": KINDS},
        breakdowns=frozenset({"region", "group", "stage"}),
    )
)
ensure(
    Metric(
        key="partnerships.active",
        label=_("Active partnerships"),
        records=_active,
        model=Partnership,
        params={"kind": KINDS},
    )
)
ensure(
    Metric(
        key="partnerships.activities",
        label=_("Partnership activities"),
        records=_activities,
        model=Activity,
        params={"kind": KINDS},
    )
)
ensure(
    Metric(
        key="exchanges.placements_completed",
        label=_("Exchange placements completed"),
        records=_placements_completed,
        model=Placement,
    )
)
ensure(
    Metric(
        key="partnerships.xiongan_stages_covered",
        label=_("Stages of Xiong'an's basic education with a Beijing or Tianjin partner"),
        records=_xiongan_partner_schools,
        value=_xiongan_stages,
        model=Institution,
    )
)
TASKS = metrics.register(
    Metric(
        key="dashboard.tasks",
        label=_("The plan's tasks"),
        records=_tasks,
        model=Task,
        breakdowns=frozenset(),
        params={"status": tuple(TaskStatus.values), "section": None, "plan": None},
    )
)
BETWEEN = metrics.register(
    Metric(
        key="dashboard.partnerships_between",
        label=_("Partnerships between two regions"),
        records=_between,
        model=Partnership,
        params={"a": None, "b": None, "kind": KINDS},
    )
)


def param_values(metric: Metric, raw: Any) -> dict[str, str]:
    """The metric's parameters from a query string, each checked against its allowed values."""
    from xietong.core.errors import InvalidInput

    out: dict[str, str] = {}
    for name, allowed in metric.params.items():
        value = str(raw.get(name) or "").strip()[:40]
        if not value:
            continue
        if allowed is not None and value not in allowed:
            raise InvalidInput(
                gettext("“%(value)s” is not a value of %(name)s.") % {"value": value, "name": name}
            )
        out[name] = value
    return out
