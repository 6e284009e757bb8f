"""Partner recommendations over JSON (mounted at /api/partnerships/recommendations): run one
for an area, read a run with its proposals (reasons as codes and as sentences in the
caller's language, ``actions`` per proposal), accept or dismiss a proposal."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from xietong.partnerships import recommendation_selectors as selectors
from xietong.partnerships.recommendation_texts import render
from xietong.partnerships.schemas import Error
from xietong.partnerships.services import recommendations as services

router = Router(tags=["partnerships"])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


class RunIn(Schema):
    area: str  # a Hebei region code (131082) or a region group's key (beisanxian)


class Ref(Schema):
    id: int
    name: str
    region_code: str


class ProposalOut(Schema):
    id: int
    school: Ref
    partner: Ref | None
    status: str
    distance_km: float | None
    cost: float | None
    reasons: list[dict[str, Any]]
    reason_texts: list[str]
    partnership_id: int | None
    actions: list[str]


class RunOut(Schema):
    id: int
    area: str
    area_name: str
    region_code: str
    status: str
    job_id: int | None
    job_status: str | None
    statistics: dict[str, Any]
    parameters: dict[str, Any]
    proposals: list[ProposalOut]


class PartnershipRef(Schema):
    id: int
    name: str
    status: str
    recommended: bool


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _ref(inst: Any) -> dict[str, Any] | None:
    if inst is None:
        return None
    return {"id": inst.pk, "name": inst.name, "region_code": inst.region.code}


def _run_out(actor: Any, pk: int) -> dict[str, Any]:
    run = selectors.run_detail(actor, pk)
    rows = selectors.proposals_of(actor, run) if run.status == "done" else []
    params = {k: v for k, v in (run.parameters or {}).items() if k != "paths"}
    return {
        "id": run.pk,
        "area": run.area,
        "area_name": run.area_name,
        "region_code": run.region.code,
        "status": run.status,
        "job_id": run.job_id,
        "job_status": run.job.status if run.job else None,
        "statistics": run.statistics or {},
        "parameters": params,
        "proposals": [
            {
                "id": p.pk,
                "school": _ref(p.school),
                "partner": _ref(p.partner),
                "status": p.status,
                "distance_km": p.distance_km,
                "cost": p.cost,
                "reasons": p.reasons,
                "reason_texts": render(p.reasons),
                "partnership_id": p.partnership_id,
                "actions": sorted(p.actions),  # type: ignore[attr-defined]
            }
            for p in rows
        ],
    }


@router.post("", response={201: RunOut, **ERRORS}, summary="Run a recommendation")
def run_recommendation(request: HttpRequest, payload: RunIn) -> Any:
    actor = _actor(request)
    run = services.start_recommendation(actor, payload.area)
    return 201, _run_out(actor, run.pk)


@router.get("/{int:pk}", response={200: RunOut, **ERRORS}, summary="A run with its proposals")
def get_recommendation(request: HttpRequest, pk: int) -> Any:
    return _run_out(_actor(request), pk)


@router.post(
    "/proposals/{int:pk}/accept",
    response={201: PartnershipRef, **ERRORS},
    summary="Accept a proposal (a draft partnership)",
)
def accept(request: HttpRequest, pk: int) -> Any:
    p = services.accept_proposal(_actor(request), pk)
    return 201, {"id": p.pk, "name": p.name, "status": p.status, "recommended": p.recommended}


@router.post(
    "/proposals/{int:pk}/dismiss", response={204: None, **ERRORS}, summary="Dismiss a proposal"
)
def dismiss(request: HttpRequest, pk: int) -> Any:
    services.dismiss_proposal(_actor(request), pk)
    return 204, None


__all__ = ["router"]
