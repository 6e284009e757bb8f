"""Institutions, labs and staff over JSON: thin wrappers over the selectors and services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from xietong import access
from xietong.accounts.second_factor_views import reauthenticated_at
from xietong.core.codefields import code_out
from xietong.core.codes import HONOURS, STAGES, SUBJECTS, TITLES
from xietong.core.filters import CURSOR, export_schema, filter_schema, parse_query
from xietong.core.paging import cursor_envelope, page_envelope
from xietong.institutions import selectors, services
from xietong.institutions.models import Institution, Staff
from xietong.institutions.schemas import (
    Error,
    InstitutionDetailOut,
    InstitutionIn,
    InstitutionOut,
    InstitutionPage,
    InstitutionPatch,
    InstitutionRef,
    LabIn,
    LabOut,
    PersonalDataOut,
    StaffIn,
    StaffOut,
    StaffPage,
    StaffPatch,
)
from xietong.jobs import exports
from xietong.jobs.schemas import JobOut, job_out

router = Router(tags=["institutions"])
staff_router = Router(tags=["staff"])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _institution_out(actor: Any, inst: Institution) -> dict[str, Any]:
    return {
        "id": inst.pk,
        "name": inst.name,
        "name_en": inst.name_en,
        "kind": inst.kind,
        "school_code": inst.school_code,
        "stages": STAGES.labelled(inst.stage_list),
        "ownership": inst.ownership,
        "locality": inst.locality,
        "region_code": inst.region.code,
        "region_name": inst.region.name,
        "address": inst.address,
        "latitude": inst.latitude,
        "longitude": inst.longitude,
        "parent": {"id": inst.parent.pk, "name": inst.parent.name} if inst.parent else None,
        "can_edit": bool(getattr(inst, "can_edit", False)),
        "actions": sorted(access.actions(actor, inst)),
    }


def _staff_out(actor: Any, s: Staff) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "gender": s.gender,
        "id_number": s.masked_id_number,
        "phone": s.masked_phone,
        "institution": {"id": s.institution.pk, "name": s.institution.name},
        "position": s.position,
        "stages": STAGES.labelled(s.stage_list),
        "subjects": SUBJECTS.labelled(s.subject_list),
        "title": code_out(TITLES, s.title),
        "honours": HONOURS.labelled(s.honour_list),
        "joined_on": s.joined_on,
        "years_at_institution": s.years_at_institution(),
        "owned": bool(getattr(s, "owned", False)),
        "actions": sorted(access.actions(actor, s)),
    }


class InstitutionQuery(filter_schema(selectors.InstitutionFilters)):  # type: ignore[misc]
    """The list's filters (from its selector's dataclass) and paging."""


@router.get("/", response={200: InstitutionPage, **ERRORS}, summary="List institutions")
def list_institutions(request: HttpRequest, query: Query[InstitutionQuery]) -> Any:
    actor = _actor(request)
    filters = parse_query(selectors.InstitutionFilters, query, actor=actor)
    qs = selectors.institutions_for(actor, filters)
    return page_envelope(qs, query.page, query.page_size, lambda i: _institution_out(actor, i))


InstitutionExportQuery = export_schema(selectors.InstitutionFilters)


@router.post(
    "/export",
    response={200: None, 202: JobOut, **ERRORS},
    summary="Export the institution list's rows for its filters (xlsx or csv)",
    description=(
        "The list's own filters, all its pages. Up to XIETONG_EXPORT_SYNC_ROWS rows: the file "
        "in the response; more: 202 with the job that writes it (GET /api/jobs/{id}, then "
        "its result_file)."
    ),
)
def export_institutions(request: HttpRequest, query: Query[InstitutionExportQuery]) -> Any:  # type: ignore[valid-type]
    params = query.model_dump(exclude={"format"})  # type: ignore[attr-defined]
    done = exports.export(_actor(request), "institutions", params, query.format)  # type: ignore[attr-defined]
    if done.job is not None:
        return 202, job_out(done.job)
    return exports.download(done)


@router.post("/", response={201: InstitutionOut, **ERRORS}, summary="Register an institution")
def create_institution(request: HttpRequest, payload: InstitutionIn) -> Any:
    data = payload.model_dump(exclude_none=False)
    if data["stages"] is None:
        data.pop("stages")
    inst = services.create_institution(_actor(request), data)
    return 201, _institution_out(
        _actor(request), selectors.institution_detail(_actor(request), inst.pk)
    )


@router.get("/{int:pk}", response={200: InstitutionDetailOut, **ERRORS}, summary="One institution")
def get_institution(request: HttpRequest, pk: int) -> Any:
    actor = _actor(request)
    inst = selectors.institution_detail(actor, pk)
    out = _institution_out(actor, inst)
    out["labs"] = list(selectors.labs_of(actor, inst))
    out["branches"] = [{"id": b.pk, "name": b.name} for b in selectors.branches_of(actor, inst)]
    out["staff_count"] = selectors.staff_for(
        actor, selectors.StaffFilters(institution_id=pk)
    ).count()
    return out


@router.patch(
    "/{int:pk}", response={200: InstitutionOut, **ERRORS}, summary="Change an institution"
)
def update_institution(request: HttpRequest, pk: int, payload: InstitutionPatch) -> Any:
    data = payload.model_dump(exclude_unset=True)
    services.update_institution(_actor(request), pk, data)
    return _institution_out(_actor(request), selectors.institution_detail(_actor(request), pk))


@router.delete("/{int:pk}", response={204: None, **ERRORS}, summary="Remove an institution")
def delete_institution(request: HttpRequest, pk: int) -> Any:
    services.delete_institution(_actor(request), pk)
    return 204, None


@router.post("/{int:pk}/labs", response={201: LabOut, **ERRORS}, summary="Add a lab")
def add_lab(request: HttpRequest, pk: int, payload: LabIn) -> Any:
    return 201, services.add_lab(_actor(request), pk, payload.model_dump())


@router.delete("/labs/{int:lab_pk}", response={204: None, **ERRORS}, summary="Remove a lab")
def remove_lab(request: HttpRequest, lab_pk: int) -> Any:
    services.remove_lab(_actor(request), lab_pk)
    return 204, None


class StaffQuery(filter_schema(selectors.StaffFilters, paging=CURSOR)):  # type: ignore[misc]
    """The list's filters (from its selector's dataclass) and paging."""


@staff_router.get(
    "/",
    response={200: StaffPage, **ERRORS},
    summary="List staff by name (keyset pages; personal data masked)",
)
def list_staff(request: HttpRequest, query: Query[StaffQuery]) -> Any:
    actor = _actor(request)
    filters = parse_query(selectors.StaffFilters, query, actor=actor)
    page = selectors.staff_page(actor, filters, query.cursor, query.page_size)
    return cursor_envelope(page, lambda s: _staff_out(actor, s))


StaffExportQuery = export_schema(selectors.StaffFilters, personal_data=True)


@staff_router.post(
    "/export",
    response={200: None, 202: JobOut, **ERRORS},
    summary="Export the staff list's rows for its filters (xlsx or csv; masked unless asked)",
    description=(
        "The list's own filters, all its pages. Up to XIETONG_EXPORT_SYNC_ROWS rows: the file "
        "in the response; more: 202 with the job that writes it (GET /api/jobs/{id}, then "
        "its result_file). personal_data=true: ID numbers and phones in clear for the "
        "records whose personal data you may reveal; call POST /api/accounts/me/"
        "reauthenticate first; audited."
    ),
)
def export_staff(request: HttpRequest, query: Query[StaffExportQuery]) -> Any:  # type: ignore[valid-type]
    params = query.model_dump(exclude={"format"})  # type: ignore[attr-defined]
    done = exports.export(
        _actor(request),
        "staff",
        params,
        query.format,  # type: ignore[attr-defined]
        reauthenticated_at=reauthenticated_at(request),
    )
    if done.job is not None:
        return 202, job_out(done.job)
    return exports.download(done)


@staff_router.post("/", response={201: StaffOut, **ERRORS}, summary="Register a staff member")
def create_staff(request: HttpRequest, payload: StaffIn) -> Any:
    data = payload.model_dump()
    data["title"] = data["title"] or ""
    staff = services.create_staff(_actor(request), data)
    return 201, _staff_out(_actor(request), selectors.staff_detail(_actor(request), staff.pk))


@staff_router.get("/{int:pk}", response={200: StaffOut, **ERRORS}, summary="One staff member")
def get_staff(request: HttpRequest, pk: int) -> Any:
    return _staff_out(_actor(request), selectors.staff_detail(_actor(request), pk))


@staff_router.get(
    "/{int:pk}/personal-data",
    response={200: PersonalDataOut, **ERRORS},
    summary="Reveal the ID number and phone (owning scope only; audited)",
)
def personal_data(request: HttpRequest, pk: int) -> Any:
    return selectors.reveal_personal_data(
        _actor(request), pk, reauthenticated_at=reauthenticated_at(request)
    )


@staff_router.patch(
    "/{int:pk}", response={200: StaffOut, **ERRORS}, summary="Change a staff record"
)
def update_staff(request: HttpRequest, pk: int, payload: StaffPatch) -> Any:
    data = payload.model_dump(exclude_unset=True)
    if "title" in data and data["title"] is None:
        data["title"] = ""
    services.update_staff(_actor(request), pk, data)
    return _staff_out(_actor(request), selectors.staff_detail(_actor(request), pk))


@staff_router.delete("/{int:pk}", response={204: None, **ERRORS}, summary="Remove a staff record")
def delete_staff(request: HttpRequest, pk: int) -> Any:
    services.delete_staff(_actor(request), pk)
    return 204, None


__all__ = ["InstitutionRef", "router", "staff_router"]
