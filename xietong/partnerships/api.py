"""Partnerships over JSON (mounted at /api/partnerships): thin wrappers over selectors and
services; the detail carries ``actions``, the verbs the caller may do now."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from xietong import access
from xietong.core.filters import export_schema, filter_schema, parse_query
from xietong.core.paging import page_envelope
from xietong.jobs import exports
from xietong.jobs.schemas import JobOut, job_out
from xietong.partnerships import selectors, services
from xietong.partnerships.models import Dispatch, Member, Partnership, PartnershipTerm
from xietong.partnerships.schemas import (
    DispatchIn,
    DispatchOut,
    Error,
    MemberIn,
    MemberOut,
    PartnershipDetailOut,
    PartnershipIn,
    PartnershipPage,
    PartnershipPatch,
    TermIn,
    TermOut,
)

router = Router(tags=["partnerships"])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


class PartnershipQuery(filter_schema(selectors.PartnershipFilters)):  # type: ignore[misc]
    """The list's filters (from its selector's dataclass) and paging."""


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": str(obj.name)} if obj is not None else None


def _out(actor: Any, p: Partnership) -> dict[str, Any]:
    return {
        "id": p.pk,
        "kind": p.kind,
        "name": p.name,
        "alliance_type": p.alliance_type,
        "aid_round": p.aid_round,
        "institute": _ref(p.institute),
        "region_code": p.region.code,
        "status": p.status,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "member_count": getattr(p, "member_count", 0),
        "actions": sorted(access.actions(actor, p)),
    }


def _member_out(m: Member) -> dict[str, Any]:
    return {
        "id": m.pk,
        "institution": _ref(m.institution),
        "institution_kind": m.institution.kind,
        "region_code": m.institution.region.code,
        "role": m.role,
        "joined_on": m.joined_on,
        "left_on": m.left_on,
    }


def _term_out(t: PartnershipTerm) -> dict[str, Any]:
    return {
        "id": t.pk,
        "school_year": t.school_year,
        "label": f"{t.school_year}-{t.school_year + 1}",
        "commitments": t.commitments,
        "quota": t.quota,
        "dispatch_planned": t.dispatch_planned,
        "budget_yuan": t.budget_yuan,
    }


def _dispatch_out(d: Dispatch) -> dict[str, Any]:
    return {
        "id": d.pk,
        "staff": _ref(d.staff),
        "home": _ref(d.staff.institution),
        "host": _ref(d.host),
        "post": d.post,
        "starts_on": d.starts_on,
        "ends_on": d.ends_on,
    }


def _detail(actor: Any, pk: int) -> dict[str, Any]:
    p = selectors.partnership_detail(actor, pk)
    return {
        **_out(actor, p),
        "description": p.description,
        "activated_at": p.activated_at,
        "ended_at": p.ended_at,
        "members": [_member_out(m) for m in p.members.all()],
        "terms": [_term_out(t) for t in p.terms.all()],
        "dispatches": [_dispatch_out(d) for d in p.dispatches.all()],
    }


def _members(data: list[MemberIn] | None) -> list[services.MemberIn] | None:
    if data is None:
        return None
    return [services.MemberIn(**m.model_dump()) for m in data]


# --- partnerships ---------------------------------------------------------------------------


PartnershipExportQuery = export_schema(selectors.PartnershipFilters)


@router.post(
    "/export",
    response={200: None, 202: JobOut, **ERRORS},
    summary="Export the partnership list's rows for its filters (xlsx or csv)",
    description=(
        "The list's own filters, all its pages, in its order. Up to XIETONG_EXPORT_SYNC_ROWS "
        "rows: the file in the response; more: 202 with the job that writes it."
    ),
)
def export_partnerships(request: HttpRequest, query: Query[PartnershipExportQuery]) -> Any:  # type: ignore[valid-type]
    params = query.model_dump(exclude={"format"})  # type: ignore[attr-defined]
    done = exports.export(_actor(request), "partnerships", params, query.format)  # type: ignore[attr-defined]
    if done.job is not None:
        return 202, job_out(done.job)
    return exports.download(done)


@router.get("", response={200: PartnershipPage, **ERRORS}, summary="List partnerships")
def list_partnerships(request: HttpRequest, query: Query[PartnershipQuery]) -> Any:
    actor = _actor(request)
    filters = parse_query(selectors.PartnershipFilters, query, actor=actor)
    qs = selectors.partnerships_for(actor, filters)
    return page_envelope(qs, query.page, query.page_size, lambda p: _out(actor, p))


@router.post("", response={201: PartnershipDetailOut, **ERRORS}, summary="Register")
def create_partnership(request: HttpRequest, payload: PartnershipIn) -> Any:
    actor = _actor(request)
    data = payload.model_dump()
    data["members"] = _members(payload.members)
    p = services.create_partnership(actor, services.PartnershipIn(**data))
    return 201, _detail(actor, p.pk)


@router.get("/{int:pk}", response={200: PartnershipDetailOut, **ERRORS}, summary="One")
def get_partnership(request: HttpRequest, pk: int) -> Any:
    return _detail(_actor(request), pk)


@router.patch("/{int:pk}", response={200: PartnershipDetailOut, **ERRORS}, summary="Change")
def update_partnership(request: HttpRequest, pk: int, payload: PartnershipPatch) -> Any:
    actor = _actor(request)
    p = selectors.partnership_detail(actor, pk)
    given = payload.model_dump(exclude_unset=True)
    data = services.PartnershipIn(
        kind=given.get("kind", p.kind),
        name=given.get("name", p.name),
        region=given.get("region", p.region.code) or p.region.code,
        starts_on=given.get("starts_on") or p.starts_on,
        ends_on=given.get("ends_on", p.ends_on),
        alliance_type=given.get("alliance_type", p.alliance_type) or "",
        aid_round=given.get("aid_round", p.aid_round) or "",
        institute=given.get("institute", p.institute_id),
        description=given.get("description", p.description) or "",
        members=_members(payload.members) if "members" in given else None,
    )
    services.update_partnership(actor, pk, data)
    return _detail(actor, pk)


@router.delete("/{int:pk}", response={204: None, **ERRORS}, summary="Delete a draft")
def delete_partnership(request: HttpRequest, pk: int) -> Any:
    services.delete(_actor(request), pk)
    return 204, None


@router.post("/{int:pk}/activate", response={200: PartnershipDetailOut, **ERRORS})
def activate(request: HttpRequest, pk: int) -> Any:
    services.activate(_actor(request), pk)
    return _detail(_actor(request), pk)


@router.post("/{int:pk}/end", response={200: PartnershipDetailOut, **ERRORS})
def end(request: HttpRequest, pk: int) -> Any:
    services.end(_actor(request), pk)
    return _detail(_actor(request), pk)


# --- members, terms, dispatched people --------------------------------------------------------


@router.get("/{int:pk}/members", response={200: list[MemberOut], **ERRORS}, summary="Members")
def list_members(request: HttpRequest, pk: int) -> Any:
    return [_member_out(m) for m in selectors.partnership_detail(_actor(request), pk).members.all()]


@router.post("/{int:pk}/members", response={201: MemberOut, **ERRORS}, summary="Add a member")
def add_member(request: HttpRequest, pk: int, payload: MemberIn) -> Any:
    actor = _actor(request)
    m = services.add_member(actor, pk, services.MemberIn(**payload.model_dump()))
    return 201, _member_out(selectors.member_detail(actor, m.pk, pk))


@router.delete("/{int:pk}/members/{int:member_id}", response={204: None, **ERRORS})
def remove_member(request: HttpRequest, pk: int, member_id: int) -> Any:
    services.remove_member(_actor(request), pk, member_id)
    return 204, None


@router.get("/{int:pk}/terms", response={200: list[TermOut], **ERRORS}, summary="Yearly terms")
def list_terms(request: HttpRequest, pk: int) -> Any:
    return [_term_out(t) for t in selectors.partnership_detail(_actor(request), pk).terms.all()]


@router.post("/{int:pk}/terms", response={200: TermOut, **ERRORS}, summary="Set a yearly term")
def set_term(request: HttpRequest, pk: int, payload: TermIn) -> Any:
    t = services.set_term(_actor(request), pk, services.TermIn(**payload.model_dump()))
    return _term_out(t)


@router.delete("/{int:pk}/terms/{int:term_id}", response={204: None, **ERRORS})
def delete_term(request: HttpRequest, pk: int, term_id: int) -> Any:
    services.delete_term(_actor(request), pk, term_id)
    return 204, None


@router.get("/{int:pk}/dispatches", response={200: list[DispatchOut], **ERRORS})
def list_dispatches(request: HttpRequest, pk: int) -> Any:
    p = selectors.partnership_detail(_actor(request), pk)
    return [_dispatch_out(d) for d in p.dispatches.all()]


@router.post("/{int:pk}/dispatches", response={201: DispatchOut, **ERRORS})
def add_dispatch(request: HttpRequest, pk: int, payload: DispatchIn) -> Any:
    actor = _actor(request)
    d = services.add_dispatch(actor, pk, services.DispatchIn(**payload.model_dump()))
    return 201, _dispatch_out(selectors.dispatch_detail(actor, d.pk, pk))


@router.delete("/{int:pk}/dispatches/{int:dispatch_id}", response={204: None, **ERRORS})
def delete_dispatch(request: HttpRequest, pk: int, dispatch_id: int) -> Any:
    services.delete_dispatch(_actor(request), pk, dispatch_id)
    return 204, None


from xietong.partnerships.agreements.api import router as _agreements  # noqa: E402

router.add_router("", _agreements)

from xietong.partnerships.activity_api import router as activity_router  # noqa: E402

router.add_router("", activity_router)  # activities, the network and its gaps

from xietong.partnerships.recommendation_api import router as recommendations  # noqa: E402

router.add_router("/recommendations", recommendations)
