"""The dashboard's own metrics, and the network's two sides for its collaboration map.

The dashboard reads every number through :func:`xietong.plan.metrics.get`; the platform's
metrics are registered by their apps (``partnerships.metrics``, ``exchanges.metrics``) from
their ``ready()``. Two metrics are the dashboard's own: ``dashboard.tasks`` (the plan's
tasks by status and section, for the task status board) and
``dashboard.partnerships_between`` (the partnerships between two regions of the
collaboration map, for a click on one of its lines).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xietong.partnerships import metrics as partnership_metrics
from xietong.partnerships import network
from xietong.partnerships.models import Member, Partnership
from xietong.plan import metrics
from xietong.plan.choices import TaskStatus
from xietong.plan.metrics import Metric, Params, Scope, Span
from xietong.plan.models import Task


def sides(scope: Scope, day: dt.date, params: Params) -> tuple[QuerySet[Member], QuerySet[Member]]:
    """The Beijing/Tianjin and the Hebei members counted on ``day`` (the network's measure)."""
    return network.sides_on(
        day, partnership_metrics.filters(scope, params), partnership_metrics.paths(scope)
    )


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
        params={"a": None, "b": None, "kind": partnership_metrics.KINDS},
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
