"""Agreements over JSON (under /api/partnerships): thin wrappers over the agreements'
selectors and services; each version carries its approvals, fingerprint and ``actions``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from xietong import access
from xietong.partnerships.agreements import selectors, services
from xietong.partnerships.agreements.compare import compare_versions
from xietong.partnerships.models import Agreement
from xietong.partnerships.schemas import Error, Ref, Strict

router = Router(tags=["agreements"])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


class ClauseIn(Strict):
    heading: str = Field("", max_length=200)
    text: str = Field("", max_length=20_000)


class VersionIn(Strict):
    title: str = Field(max_length=150)
    starts_on: dt.date
    ends_on: dt.date | None = None
    clauses: list[ClauseIn] = Field(default_factory=list, max_length=100)
    note: str = Field("", max_length=300)


class ApproveIn(Strict):
    members: list[int] | None = Field(
        None, description="the members approved for (default: every one you administer)"
    )
    comment: str = Field("", max_length=300)


class ApprovalOut(Schema):
    member: int
    institution: Ref
    approved_by: str
    approved_at: dt.datetime
    comment: str


class ClauseOut(Schema):
    heading: str
    text: str


class VersionOut(Schema):
    id: int
    number: int
    title: str
    starts_on: dt.date
    ends_on: dt.date | None
    clauses: list[ClauseOut]
    note: str
    status: str
    fingerprint: str
    created_at: dt.datetime
    approved_at: dt.datetime | None
    superseded_at: dt.datetime | None
    approvals: list[ApprovalOut]
    waiting_for: list[Ref]
    actions: list[str]


class AgreementOut(Schema):
    id: int
    partnership: Ref
    title: str
    created_at: dt.datetime
    actions: list[str]
    versions: list[VersionOut]


class CompareRowOut(Schema):
    kind: str
    key: str
    label: str
    left: str | None
    right: str | None
    left_html: str
    right_html: str
    status: str


class CompareOut(Schema):
    left: int
    right: int
    rows: list[CompareRowOut]


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _version_out(vv: selectors.VersionView) -> dict[str, Any]:
    v = vv.version
    return {
        **{
            k: getattr(v, k)
            for k in (
                "id",
                "number",
                "title",
                "starts_on",
                "ends_on",
                "clauses",
                "note",
                "status",
                "fingerprint",
                "created_at",
                "approved_at",
                "superseded_at",
            )
        },
        "approvals": [
            {
                "member": a.member_id,
                "institution": {"id": a.member.institution_id, "name": a.member.institution.name},
                "approved_by": a.approved_by.display_name or a.approved_by.username,
                "approved_at": a.approved_at,
                "comment": a.comment,
            }
            for a in vv.approvals
        ],
        "waiting_for": [{"id": m.pk, "name": m.institution.name} for m in vv.waiting],
        "actions": sorted(vv.actions),
    }


def _out(actor: Any, a: Agreement) -> dict[str, Any]:
    return {
        "id": a.pk,
        "partnership": {"id": a.partnership_id, "name": a.partnership.name},
        "title": a.title,
        "created_at": a.created_at,
        "actions": sorted(access.actions(actor, a)),
        "versions": [_version_out(vv) for vv in selectors.version_views(actor, a)],
    }


def _data(payload: VersionIn) -> services.VersionIn:
    return services.VersionIn(
        title=payload.title,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        clauses=[c.model_dump() for c in payload.clauses],
        note=payload.note,
    )


def _detail(actor: Any, pk: int) -> dict[str, Any]:
    return _out(actor, selectors.agreement_detail(actor, pk))


@router.get("/{int:pk}/agreements", response={200: list[AgreementOut], **ERRORS})
def list_agreements(request: HttpRequest, pk: int) -> Any:
    """The partnership's agreements with all their versions, newest version first."""
    actor = _actor(request)
    from xietong.partnerships import selectors as partnership_selectors

    partnership_selectors.partnership_detail(actor, pk)
    return [_out(actor, a) for a in selectors.agreements_of(actor, pk)]


@router.post("/{int:pk}/agreements", response={201: AgreementOut, **ERRORS})
def create_agreement(request: HttpRequest, pk: int, payload: VersionIn) -> Any:
    """A new agreement; its version 1 awaits every party's approval."""
    actor = _actor(request)
    v = services.create_agreement(actor, pk, _data(payload))
    return 201, _detail(actor, v.agreement_id)


@router.get("/agreements/{int:pk}", response={200: AgreementOut, **ERRORS})
def get_agreement(request: HttpRequest, pk: int) -> Any:
    return _detail(_actor(request), pk)


@router.get("/agreements/versions/{int:pk}", response={200: VersionOut, **ERRORS})
def get_version(request: HttpRequest, pk: int) -> Any:
    """One version with its approvals, the parties still to approve and ``actions``."""
    actor = _actor(request)
    v = selectors.version_detail(actor, pk)
    views = selectors.version_views(actor, selectors.agreement_detail(actor, v.agreement_id))
    return _version_out(next(vv for vv in views if vv.version.pk == v.pk))


@router.post("/agreements/{int:pk}/versions", response={201: AgreementOut, **ERRORS})
def new_version(request: HttpRequest, pk: int, payload: VersionIn) -> Any:
    """Version n+1 (pending); a pending version before it is superseded."""
    actor = _actor(request)
    services.new_version(actor, pk, _data(payload))
    return 201, _detail(actor, pk)


@router.post("/agreements/versions/{int:pk}/approve", response={200: AgreementOut, **ERRORS})
def approve(request: HttpRequest, pk: int, payload: ApproveIn | None = None) -> Any:
    """Approve a pending version for the parties you administer (or those chosen)."""
    actor = _actor(request)
    body = payload or ApproveIn(members=None, comment="")
    v = services.approve(actor, pk, members=body.members, comment=body.comment)
    return _detail(actor, v.agreement_id)


@router.get("/agreements/{int:pk}/compare", response={200: CompareOut, **ERRORS})
def compare(
    request: HttpRequest, pk: int, left: int | None = None, right: int | None = None
) -> Any:
    """Two versions (by number; default the two newest) side by side, row by row."""
    actor = _actor(request)
    a = selectors.agreement_detail(actor, pk)
    va, vb = selectors.version_pair(actor, a, left, right)
    return {
        "left": va.number,
        "right": vb.number,
        "rows": [r.as_dict() for r in compare_versions(va, vb)],
    }
