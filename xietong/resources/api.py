"""Shared resources over JSON (mounted at /api/resources): thin wrappers over the selectors
and services; a resource carries ``actions``, the verbs the caller may do now.

Files: ``POST /api/attachments`` with ``owner_type=resources.resource``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from xietong import access
from xietong.attachments import selectors as attachment_selectors
from xietong.core.codes import STAGES, SUBJECTS
from xietong.core.errors import PermissionDenied
from xietong.core.filters import export_schema, filter_schema, parse_query
from xietong.core.paging import page_envelope
from xietong.core.terms import SchoolTerm
from xietong.jobs import exports
from xietong.jobs.schemas import JobOut, job_out
from xietong.resources import selectors as sel
from xietong.resources import services
from xietong.resources.exports import CATALOGUE
from xietong.resources.models import Resource, Reviewer, Use
from xietong.resources.schemas import (
    AppointIn,
    Error,
    RatingIn,
    RatingOut,
    ResourceDetailOut,
    ResourceIn,
    ResourcePage,
    ReviewerOut,
    ReviewIn,
    ReviewQueuePage,
    UseIn,
    UseOut,
    WithdrawIn,
)

router = Router(tags=["shared resources"])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


class CatalogueQuery(filter_schema(sel.Filters)):  # type: ignore[misc]
    """The catalogue's filters (from its selector's dataclass) and paging."""


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=2**63 - 1)
    page_size: int = Field(settings.XIETONG_PAGE_SIZES[0])


CatalogueExportQuery = export_schema(sel.Filters)


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _gate(actor: Any) -> None:
    if not access.can(actor, "resources.browse"):
        raise PermissionDenied()


def _ref(obj: Any) -> dict[str, Any]:
    return {"id": obj.pk, "name": str(obj.name)}


def _out(actor: Any, r: Resource) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "title": r.title,
        "provider": _ref(r.provider),
        "provider_region": r.provider.region.code,
        "stages": STAGES.labelled(r.stage_list),
        "subjects": SUBJECTS.labelled(r.subject_list),
        "edition": r.edition,
        "visibility": r.visibility,
        "status": r.status,
        "published_at": r.published_at,
        "uses": r.uses,
        "lesson_uses": r.lesson_uses,
        "rating": r.rating,
        "rating_count": r.rating_count,
        "actions": sorted(access.actions(actor, r)),
    }


def _detail(actor: Any, pk: int) -> dict[str, Any]:
    d = sel.detail(actor, pk)
    r = d.resource
    files = attachment_selectors.attachments_of(actor, r)
    return {
        **_out(actor, r),
        "actions": sorted(d.actions),
        "description": r.description,
        "grade": r.grade,
        "licence": r.licence,
        "link": r.link,
        "duration_minutes": r.duration_minutes,
        "address": r.address,
        "capacity": r.capacity,
        "open_terms": [SchoolTerm.from_key(k).code for k in r.open_term_keys],
        "visible_group": r.visible_group.key if r.visible_group else "",
        "audience": [_ref(i) for i in d.audience],
        "authors": [_ref(s) for s in d.authors],
        "files": [
            {"id": a.pk, "name": a.original_name, "size": a.size, "content_type": a.content_type}
            for a in files
        ],
        "reviews": None
        if d.reviews is None
        else [
            {
                "verdict": v.verdict,
                "accuracy": v.accuracy,
                "pedagogy": v.pedagogy,
                "presentation": v.presentation,
                "comment": v.comment,
                "created_at": v.created_at,
            }
            for v in d.reviews
        ],
        "ratings": [
            {"stars": x.stars, "comment": x.comment, "updated_at": x.updated_at} for x in d.ratings
        ],
        "return_comment": r.return_comment,
        "withdraw_reason": r.withdraw_reason,
        "may_rate": d.may_rate,
    }


def _service_in(payload: ResourceIn) -> services.ResourceIn:
    data = payload.model_dump()
    data["provider_id"] = data.pop("provider")
    return services.ResourceIn(**data)


# --- the catalogue ----------------------------------------------------------------------------


@router.get(
    "/",
    response={200: ResourcePage, **ERRORS},
    summary="Search the catalogue (filters, facet counts, pages)",
)
def list_resources(request: HttpRequest, query: Query[CatalogueQuery]) -> Any:  # type: ignore[valid-type]
    actor = _actor(request)
    _gate(actor)
    filters = parse_query(sel.Filters, query, actor=actor)
    read = sel.readable_q(actor)
    qs = sel.catalogue_pages(actor, filters, read=read)
    out = page_envelope(qs, query.page, query.page_size, lambda r: _out(actor, r))  # type: ignore[attr-defined]
    out["facets"] = [
        {
            "name": facet.name,
            "label": str(facet.label),
            "values": [{"value": v, "label": str(lbl), "count": n} for v, lbl, n in facet.values],
        }
        for facet in sel.facets(actor, filters, read=read)
    ]
    return out


@router.post(
    "/export",
    response={200: None, 202: JobOut, **ERRORS},
    summary="Export the catalogue's rows for its filters (xlsx or csv)",
    description=(
        "The catalogue's own filters, all its pages, in its order. Up to "
        "XIETONG_EXPORT_SYNC_ROWS rows: the file in the response; more: 202 with the job."
    ),
)
def export_resources(request: HttpRequest, query: Query[CatalogueExportQuery]) -> Any:  # type: ignore[valid-type]
    params = query.model_dump(exclude={"format"})  # type: ignore[attr-defined]
    done = exports.export(_actor(request), CATALOGUE, params, query.format)  # type: ignore[attr-defined]
    if done.job is not None:
        return 202, job_out(done.job)
    return exports.download(done)


@router.get(
    "/reviews",
    response={200: ReviewQueuePage, **ERRORS},
    summary="Submitted resources waiting for the caller's review",
)
def review_queue(request: HttpRequest, query: Query[PageQuery]) -> Any:
    actor = _actor(request)
    qs = sel.review_queue(actor)
    return page_envelope(qs, query.page, query.page_size, lambda r: _out(actor, r))


# --- reviewers ----------------------------------------------------------------------------------


def _reviewer_out(actor: Any, row: Reviewer) -> dict[str, Any]:
    return {
        "id": row.pk,
        "username": row.account.username,
        "subject": {"code": row.subject, "label": SUBJECTS.label(row.subject)},
        "region": _ref(row.region),
        "region_code": row.region.code,
        "appointed_at": row.appointed_at,
        "actions": sorted(access.actions(actor, row)),
    }


@router.get("/reviewers", response={200: list[ReviewerOut], **ERRORS}, summary="Reviewers")
def list_reviewers(request: HttpRequest) -> Any:
    actor = _actor(request)
    return [_reviewer_out(actor, row) for row in sel.reviewers(actor)[:1000]]


@router.post("/reviewers", response={201: ReviewerOut, **ERRORS}, summary="Appoint a reviewer")
def appoint_reviewer(request: HttpRequest, payload: AppointIn) -> Any:
    actor = _actor(request)
    row = services.appoint_reviewer(actor, payload.username, payload.subject, payload.region)
    row = Reviewer.objects.select_related("account", "region").get(pk=row.pk)
    return 201, _reviewer_out(actor, row)


@router.delete("/reviewers/{int:pk}", response={204: None, **ERRORS}, summary="End an appointment")
def end_reviewer(request: HttpRequest, pk: int) -> Any:
    services.end_reviewer(_actor(request), pk)
    return 204, None


# --- one resource ---------------------------------------------------------------------------------


@router.get("/{int:pk}", response={200: ResourceDetailOut, **ERRORS}, summary="One resource")
def get_resource(request: HttpRequest, pk: int) -> Any:
    return _detail(_actor(request), pk)


@router.post("/", response={201: ResourceDetailOut, **ERRORS}, summary="Create a draft")
def create_resource(request: HttpRequest, payload: ResourceIn) -> Any:
    actor = _actor(request)
    r = services.create_resource(actor, _service_in(payload))
    return 201, _detail(actor, r.pk)


@router.put("/{int:pk}", response={200: ResourceDetailOut, **ERRORS}, summary="Change a draft")
def edit_resource(request: HttpRequest, pk: int, payload: ResourceIn) -> Any:
    actor = _actor(request)
    services.edit_resource(actor, pk, _service_in(payload))
    return _detail(actor, pk)


@router.delete("/{int:pk}", response={204: None, **ERRORS}, summary="Delete a draft")
def delete_resource(request: HttpRequest, pk: int) -> Any:
    services.delete_resource(_actor(request), pk)
    return 204, None


@router.post(
    "/{int:pk}/submit", response={200: ResourceDetailOut, **ERRORS}, summary="Submit for review"
)
def submit_resource(request: HttpRequest, pk: int) -> Any:
    actor = _actor(request)
    services.submit_resource(actor, pk)
    return _detail(actor, pk)


@router.post(
    "/{int:pk}/review",
    response={200: ResourceDetailOut, **ERRORS},
    summary="Publish or return a submitted resource with the rubric",
)
def review_resource(request: HttpRequest, pk: int, payload: ReviewIn) -> Any:
    actor = _actor(request)
    services.review_resource(actor, pk, services.ReviewIn(**payload.model_dump()))
    return _detail(actor, pk)


@router.post(
    "/{int:pk}/withdraw",
    response={200: ResourceDetailOut, **ERRORS},
    summary="Withdraw with a reason",
)
def withdraw_resource(request: HttpRequest, pk: int, payload: WithdrawIn) -> Any:
    actor = _actor(request)
    services.withdraw_resource(actor, pk, payload.reason)
    return _detail(actor, pk)


@router.post(
    "/{int:pk}/uses",
    response={201: UseOut, **ERRORS},
    summary="Record a use (viewed, downloaded, taught in a lesson, feedback)",
)
def record_use(request: HttpRequest, pk: int, payload: UseIn) -> Any:
    use: Use = services.record_use(_actor(request), pk, services.UseIn(**payload.model_dump()))
    return 201, {
        "id": use.pk,
        "kind": use.kind,
        "used_on": use.used_on,
        "term": use.term,
        "class_name": use.class_name,
        "institution": _ref(use.institution) if use.institution else None,
    }


@router.post(
    "/{int:pk}/ratings",
    response={200: RatingOut, **ERRORS},
    summary="Rate a resource you used (1–5 stars, a comment)",
)
def rate_resource(request: HttpRequest, pk: int, payload: RatingIn) -> Any:
    rating = services.rate_resource(_actor(request), pk, payload.stars, payload.comment)
    return {"stars": rating.stars, "comment": rating.comment, "updated_at": rating.updated_at}
