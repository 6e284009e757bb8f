"""Activities, the network and its gaps over JSON (under /api/partnerships).

Evidence files go through the attachments API: ``POST /api/attachments`` with
``owner_type=partnerships.activity`` and the activity's id (photos JPEG/PNG, PDF).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from xietong import access
from xietong.core.errors import PermissionDenied
from xietong.core.filters import export_schema, filter_schema, parse_query
from xietong.core.paging import PageOut, page_envelope
from xietong.jobs import exports
from xietong.jobs.schemas import JobOut, job_out
from xietong.partnerships import activity_selectors as sel
from xietong.partnerships import network
from xietong.partnerships.models import Activity
from xietong.partnerships.schemas import Error
from xietong.partnerships.services import activities as services

router = Router(tags=["partnership activities"])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


class Ref(Schema):
    id: int
    name: str


class ActivityOut(Schema):
    id: int
    partnership: Ref
    kind: str
    title: str
    occurred_on: dt.date
    term_key: int
    location: str
    hours: Decimal | None
    teachers: int
    students: int
    institutions: list[Ref]
    logged_for: Ref | None
    actions: list[str]


class ActivityDetailOut(ActivityOut):
    summary: str
    people: list[Ref]


class ActivityPage(PageOut[ActivityOut]):
    pass


class ActivityIn(Schema):
    kind: str = Field(max_length=20)
    title: str = Field(max_length=300)
    occurred_on: str = Field(max_length=10, description="YYYY-MM-DD")
    location: str = Field("", max_length=300)
    hours: Decimal | None = None
    teachers: int = Field(0, ge=-(10**9), le=10**9)
    students: int = Field(0, ge=-(10**9), le=10**9)
    summary: str = Field("", max_length=8000)
    institutions: list[int] = Field(default_factory=list, max_length=200)
    people: list[int] = Field(default_factory=list, max_length=500)
    member: int | None = None


class ActivityQuery(filter_schema(sel.ActivityFilters)):  # type: ignore[misc]
    """The activity list's filters and paging."""


class NetworkQuery(filter_schema(network.NetworkFilters, paging=None)):  # type: ignore[misc]
    """The network's filters (``date``: the day, today when empty)."""


class CountsOut(Schema):
    date: dt.date
    bjtj: int = Field(description="Beijing and Tianjin schools cooperating")
    hebei: int = Field(description="Hebei schools they cooperate with")


class NodeOut(Schema):
    id: str
    name: str
    region: str
    category: int = Field(description="0 Beijing, 1 Tianjin, 2 Hebei")
    value: int


class LinkOut(Schema):
    source: str
    target: str
    kind: str


class NetworkOut(CountsOut):
    nodes: list[NodeOut]
    links: list[LinkOut]
    truncated: bool


class RegionOut(Schema):
    code: str
    name: str


class GapsOut(Schema):
    date: dt.date
    counties: list[RegionOut]
    xiongan_stages: list[str]
    beisanxian_schools: list[Ref]
    beisanxian_total: int
    quiet_term: str
    quiet_partnerships: list[Ref]


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": str(getattr(obj, "name", obj))} if obj is not None else None


def _out(actor: Any, a: Activity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "partnership": _ref(a.partnership),
        "kind": a.kind,
        "title": a.title,
        "occurred_on": a.occurred_on,
        "term_key": a.term_key,
        "location": a.location,
        "hours": a.hours,
        "teachers": a.teachers,
        "students": a.students,
        "institutions": [_ref(i) for i in a.institutions.all()],
        "logged_for": _ref(a.logged_for.institution) if a.logged_for else None,
        "actions": sorted(access.actions(actor, a)),
    }


def _detail(actor: Any, pk: int) -> dict[str, Any]:
    a = sel.activity_detail(actor, pk)
    return {
        **_out(actor, a),
        "summary": a.summary,
        "people": [_ref(s) for s in a.people.all()],
    }


ActivityExportQuery = export_schema(sel.ActivityFilters)


@router.post(
    "/activities/export",
    response={200: None, 202: JobOut, **ERRORS},
    summary="Export the activity list's rows for its filters (xlsx or csv)",
    description=(
        "The list's own filters, all its pages, newest first. Up to XIETONG_EXPORT_SYNC_ROWS "
        "rows: the file in the response; more: 202 with the job that writes it."
    ),
)
def export_activities(request: HttpRequest, query: Query[ActivityExportQuery]) -> Any:  # type: ignore[valid-type]
    params = query.model_dump(exclude={"format"})  # type: ignore[attr-defined]
    done = exports.export(_actor(request), "partnerships.activities", params, query.format)  # type: ignore[attr-defined]
    if done.job is not None:
        return 202, job_out(done.job)
    return exports.download(done)


@router.get("/activities", response={200: ActivityPage, **ERRORS}, summary="List activities")
def list_activities(request: HttpRequest, query: Query[ActivityQuery]) -> Any:
    actor = _actor(request)
    filters = parse_query(sel.ActivityFilters, query, actor=actor)
    qs = sel.activities_for(actor, filters)
    return page_envelope(qs, query.page, query.page_size, lambda a: _out(actor, a))


@router.get(
    "/activities/{int:pk}", response={200: ActivityDetailOut, **ERRORS}, summary="One activity"
)
def get_activity(request: HttpRequest, pk: int) -> Any:
    return _detail(_actor(request), pk)


@router.post(
    "/{int:pk}/activities",
    response={201: ActivityDetailOut, **ERRORS},
    summary="Log an activity (evidence: POST /api/attachments)",
)
def log_activity(request: HttpRequest, pk: int, payload: ActivityIn) -> Any:
    actor = _actor(request)
    a = services.log_activity(actor, pk, services.ActivityIn(**payload.model_dump()))
    return 201, _detail(actor, a.pk)


@router.put("/activities/{int:pk}", response={200: ActivityDetailOut, **ERRORS}, summary="Change")
def update_activity(request: HttpRequest, pk: int, payload: ActivityIn) -> Any:
    actor = _actor(request)
    data = payload.model_dump()
    data.pop("member", None)
    services.update_activity(actor, pk, services.ActivityIn(**data))
    return _detail(actor, pk)


@router.delete("/activities/{int:pk}", response={204: None, **ERRORS}, summary="Delete")
def delete_activity(request: HttpRequest, pk: int) -> Any:
    services.delete_activity(_actor(request), pk)
    return 204, None


def _gate(actor: Any) -> None:
    if not access.can(actor, "partnerships.list"):
        raise PermissionDenied()


@router.get("/network", response={200: NetworkOut, **ERRORS}, summary="The network on a day")
def get_network(request: HttpRequest, query: Query[NetworkQuery]) -> Any:
    actor = _actor(request)
    _gate(actor)
    f = parse_query(network.NetworkFilters, query, actor=actor)
    day = f.day()
    counts = network.cooperation_counts(day, f)
    graph = network.network_graph(day, f)
    return {
        "date": day,
        "bjtj": counts.bjtj,
        "hebei": counts.hebei,
        "nodes": graph.nodes,
        "links": graph.links,
        "truncated": graph.truncated,
    }


@router.get("/network/counts", response={200: CountsOut, **ERRORS}, summary="N ↔ M on a day")
def get_counts(request: HttpRequest, query: Query[NetworkQuery]) -> Any:
    actor = _actor(request)
    _gate(actor)
    f = parse_query(network.NetworkFilters, query, actor=actor)
    counts = network.cooperation_counts(f.day(), f)
    return {"date": counts.day, "bjtj": counts.bjtj, "hebei": counts.hebei}


@router.get("/network/gaps", response={200: GapsOut, **ERRORS}, summary="Gaps in your scope")
def get_gaps(request: HttpRequest, query: Query[NetworkQuery]) -> Any:
    actor = _actor(request)
    _gate(actor)
    f = parse_query(network.NetworkFilters, query, actor=actor)
    g = network.gaps(f.day(), network.scope_paths(actor))
    return {
        "date": g.day,
        "counties": [{"code": c.code, "name": c.name} for c in g.counties],
        "xiongan_stages": [code for code, _label in g.xiongan_stages],
        "beisanxian_schools": [_ref(s) for s in g.beisanxian_schools],
        "beisanxian_total": g.beisanxian_total,
        "quiet_term": g.term.code,
        "quiet_partnerships": [_ref(p) for p in g.quiet],
    }
