"""The flows of shared resources over JSON (under /api/resources/flows): what the flow
page draws and lists, and one provider's view — scoped to the caller as the pages are.

* ``GET /api/resources/flows/?term=2025-2026-1&last=&by=region&group=`` — nodes and links
  (a Sankey chart), the table, the totals and the share of uses along a partnership per
  term;
* ``GET /api/resources/flows/providers/{id}?term=&last=`` — one provider's resources and
  their use by term, and its top using schools.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from xietong.core.filters import filter_schema, parse_query
from xietong.core.termfields import term_out
from xietong.plan.api import ERRORS
from xietong.resources import flows
from xietong.resources.flows import FlowFilters, ProviderFilters

router = Router(tags=["resource flows"])
FlowQuery = filter_schema(FlowFilters, paging=None)
ProviderQuery = filter_schema(ProviderFilters, paging=None)


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


class TermOut(Schema):
    code: str
    key: int
    label: str


class NodeOut(Schema):
    id: str
    name: str
    side: str
    value: int


class LinkOut(Schema):
    source: str
    target: str
    value: int
    lesson_uses: int


class RowOut(Schema):
    source: str
    target: str
    provider: str
    user: str
    uses: int
    lesson_uses: int
    teachers: int
    schools: int
    along: int


class TotalsOut(Schema):
    uses: int
    lesson_uses: int
    teachers: int
    schools: int
    along: int
    share: float | None


class ShareOut(Schema):
    term: TermOut
    uses: int
    along: int
    share: float | None


class FlowsOut(Schema):
    first: TermOut
    last: TermOut
    by: str
    group: str
    nodes: list[NodeOut]
    links: list[LinkOut]
    rows: list[RowOut]
    truncated: bool
    totals: TotalsOut
    shares: list[ShareOut]


def flows_out(data: flows.Flows) -> dict[str, Any]:
    return {
        "first": term_out(data.span.first),
        "last": term_out(data.span.last),
        "by": data.by,
        "group": data.group,
        "nodes": [vars(n) for n in data.nodes],
        "links": [
            {"source": r.source, "target": r.target, "value": r.uses, "lesson_uses": r.lesson_uses}
            for r in data.links
        ],
        "rows": [vars(r) for r in data.rows],
        "truncated": data.truncated,
        "totals": {**data.totals, "share": data.share},
        "shares": [
            {"term": term_out(s.term), "uses": s.uses, "along": s.along, "share": s.share}
            for s in data.shares
        ],
    }


@router.get(
    "/",
    response={200: FlowsOut, **ERRORS},
    summary="The flows of use of a term",
    url_name="resource_flows",
)
def get_flows(request: HttpRequest, query: Query[FlowQuery]) -> Any:  # type: ignore[valid-type]
    """Uses from providers to users in the terms ``term`` to ``last``, grouped ``by``
    institution (provider → school), region (provider's city → user's county) or group
    (provider's city → 北三县, 滨海新区, 雄安新区, other areas)."""
    actor = _actor(request)
    return flows_out(flows.flows(actor, parse_query(FlowFilters, query, actor=actor)))


class ProviderTermOut(Schema):
    term: TermOut
    uses: int
    lesson_uses: int
    teachers: int
    schools: int
    along: int
    share: float | None


class ProviderResourceOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    uses: int
    lesson_uses: int
    teachers: int
    schools: int
    rating: float | None
    rating_count: int


class SchoolOut(Schema):
    id: int
    name: str
    region: str
    uses: int
    lesson_uses: int
    teachers: int


class FeedbackOut(Schema):
    resource_id: int
    resource: str
    school: str
    kind: str
    used_on: dt.date
    text: str


class ProviderTotalsOut(TotalsOut):
    resources: int
    rating: float | None
    rating_count: int


class ProviderOut(Schema):
    id: int
    name: str
    first: TermOut | None
    last: TermOut | None
    terms: list[ProviderTermOut]
    resources: list[ProviderResourceOut]
    schools: list[SchoolOut]
    totals: ProviderTotalsOut
    feedback: list[FeedbackOut]


def provider_out(view: flows.ProviderView) -> dict[str, Any]:
    return {
        "id": view.provider.pk,
        "name": view.provider.name,
        "first": term_out(view.span.first) if view.span else None,
        "last": term_out(view.span.last) if view.span else None,
        "terms": [{**t, "term": term_out(t["term"])} for t in view.terms],
        "resources": [
            {
                **{k: v for k, v in x.items() if k != "resource"},
                "id": x["resource"].pk,
                "title": x["resource"].title,
                "kind": x["resource"].kind,
                "status": x["resource"].status,
            }
            for x in view.resources
        ],
        "schools": [
            {
                "id": s["institution_id"],
                "name": s["institution__name"],
                "region": s["institution__region__name"] or "",
                "uses": s["uses"],
                "lesson_uses": s["lesson_uses"],
                "teachers": s["teachers"],
            }
            for s in view.schools
        ],
        "totals": view.totals,
        "feedback": [
            {
                "resource_id": x["resource_id"],
                "resource": x["resource__title"],
                "school": x["institution__name"],
                "kind": x["kind"],
                "used_on": x["used_on"],
                "text": x["feedback"],
            }
            for x in view.feedback
        ],
    }


@router.get(
    "/providers/{pk}",
    response={200: ProviderOut, **ERRORS},
    summary="One provider's resources and their use",
    url_name="resource_provider",
)
def get_provider(request: HttpRequest, pk: int, query: Query[ProviderQuery]) -> Any:  # type: ignore[valid-type]
    """For the provider's admins and the authorities over it: its resources, their uses
    per term (and within ``term``–``last`` when given), ratings and top using schools."""
    actor = _actor(request)
    filters = parse_query(ProviderFilters, query, actor=actor)
    return provider_out(flows.provider_view(actor, pk, filters))
