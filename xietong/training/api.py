"""Teacher training over JSON (under /api/training): the same selectors and services as
the pages. ``GET /api/training/verify/{number}`` needs no sign-in and answers only what
:func:`xietong.training.services.certificates.verify` gives."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router

from xietong import access
from xietong.core import ratelimit
from xietong.core.delimited import unpack
from xietong.core.errors import PermissionDenied
from xietong.core.filters import parse_query
from xietong.core.paging import page_envelope
from xietong.core.termfields import term_out
from xietong.institutions.schemas import Error
from xietong.plan.api import ERRORS
from xietong.training import certificate_pdf, reach, record
from xietong.training import schemas as s
from xietong.training import selectors as sel
from xietong.training.models import Certificate, Enrollment, Program, Session
from xietong.training.services import attendance, certificates, enrollment, programs
from xietong.training.services.common import hours_text, load

router = Router(tags=["teacher training"])


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _gate(actor: Any) -> None:
    if not access.can(actor, "training.browse"):
        raise PermissionDenied()


def _session(x: Session) -> dict[str, Any]:
    return {
        "id": x.pk,
        "starts_at": x.starts_at,
        "ends_at": x.ends_at,
        "place": x.place,
        "link": x.link,
        "trainer": x.trainer,
        "topic": x.topic,
    }


def _program(actor: Any, p: Program) -> dict[str, Any]:
    return {
        "id": p.pk,
        "title": p.title,
        "provider": s.as_ref(p.provider),
        "status": p.status,
        "hours": hours_text(p.hours),
        "credit_type": p.credit_type,
        "mode": p.mode,
        "fee_yuan": str(p.fee_yuan),
        "capacity": p.capacity,
        "free_places": p.free_places,
        "applications_open": p.applications_open,
        "applications_close": p.applications_close,
        "actions": sorted(access.actions(actor, p)),
    }


def _enrollment(actor: Any, e: Enrollment, position: int | None = None) -> dict[str, Any]:
    return {
        "id": e.pk,
        "program": {"id": e.program_id, "name": e.program.title},
        "staff": s.as_ref(e.staff),
        "institution": s.as_ref(e.institution),
        "status": e.status,
        "enrolled_by": e.enrolled_by,
        "waitlist_position": position,
        "assessment": e.assessment,
        "score": None if e.score is None else str(e.score),
        "hours_credited": None if e.hours_credited is None else hours_text(e.hours_credited),
        "actions": sorted(access.actions(actor, e)),
    }


def _detail(actor: Any, pk: int) -> dict[str, Any]:
    d = sel.program_detail(actor, pk)
    p = d.program
    codes, keys = programs.target_codes(p)
    mine = None
    if d.enrollment is not None:
        mine = _enrollment(actor, d.enrollment, d.waitlist_position)
    return {
        **_program(actor, p),
        "actions": sorted(d.actions),
        "description": p.description,
        "eligibility": p.eligibility,
        "stages": unpack(p.stages),
        "subjects": unpack(p.subjects),
        "positions": unpack(p.positions),
        "titles": unpack(p.titles),
        "regions": codes,
        "region_groups": keys,
        "min_attendance": p.min_attendance,
        "assessed": p.assessed,
        "cancel_reason": p.cancel_reason,
        "sessions": [_session(x) for x in d.sessions],
        "quotas": [
            {
                "region": q.region.code,
                "region_name": q.region.name,
                "places": q.places,
                "taken": q.taken,
            }
            for q in d.quotas
        ],
        "enrolled": d.enrolled,
        "waitlisted": d.waitlisted,
        "my_enrollment": mine,
        "eligibility_problems": d.problems,
    }


def _certificate(actor: Any, c: Certificate) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "holder": c.holder,
        "program_title": c.program_title,
        "provider_name": c.provider_name,
        "hours": hours_text(c.hours),
        "credit_type": c.credit_type,
        "completed_on": c.completed_on,
        "revoked_at": c.revoked_at,
        "revoke_reason": c.revoke_reason,
        "actions": sorted(access.actions(actor, c)),
    }


def _program_in(payload: s.ProgramIn) -> programs.ProgramIn:
    return programs.ProgramIn(**payload.model_dump())


# --- programs -----------------------------------------------------------------------------


@router.get("/programs", response={200: s.ProgramPage, **ERRORS}, summary="The catalogue")
def list_programs(request: HttpRequest, query: Query[s.ProgramQuery]) -> Any:
    actor = _actor(request)
    _gate(actor)
    filters = parse_query(sel.ProgramFilters, query, actor=actor)
    qs = sel.programs_for(actor, filters)
    return page_envelope(qs, query.page, query.page_size, lambda p: _program(actor, p))


@router.get("/programs/{int:pk}", response={200: s.ProgramDetailOut, **ERRORS}, summary="A program")
def get_program(request: HttpRequest, pk: int) -> Any:
    return _detail(_actor(request), pk)


@router.post("/programs", response={201: s.ProgramDetailOut, **ERRORS}, summary="Create a draft")
def create_program(request: HttpRequest, payload: s.ProgramIn) -> Any:
    actor = _actor(request)
    p = programs.create_program(actor, _program_in(payload))
    return 201, _detail(actor, p.pk)


@router.put("/programs/{int:pk}", response={200: s.ProgramDetailOut, **ERRORS}, summary="Edit")
def edit_program(request: HttpRequest, pk: int, payload: s.ProgramIn) -> Any:
    actor = _actor(request)
    programs.edit_program(actor, pk, _program_in(payload))
    return _detail(actor, pk)


@router.post(
    "/programs/{int:pk}/open", response={200: s.ProgramDetailOut, **ERRORS}, summary="Open"
)
def open_program(request: HttpRequest, pk: int) -> Any:
    actor = _actor(request)
    programs.open_program(actor, pk)
    return _detail(actor, pk)


@router.post(
    "/programs/{int:pk}/close", response={200: s.ProgramDetailOut, **ERRORS}, summary="Close"
)
def close_program(request: HttpRequest, pk: int) -> Any:
    actor = _actor(request)
    programs.close_program(actor, pk)
    return _detail(actor, pk)


@router.post(
    "/programs/{int:pk}/cancel", response={200: s.ProgramDetailOut, **ERRORS}, summary="Cancel"
)
def cancel_program(request: HttpRequest, pk: int, payload: s.ReasonIn) -> Any:
    actor = _actor(request)
    programs.cancel_program(actor, pk, payload.reason)
    return _detail(actor, pk)


@router.post(
    "/programs/{int:pk}/complete",
    response={200: s.CompletedOut, **ERRORS},
    summary="Complete: credit hours and issue certificates by the completion rule",
)
def complete_program(request: HttpRequest, pk: int) -> Any:
    return attendance.complete_program(_actor(request), pk)


@router.post(
    "/programs/{int:pk}/sessions", response={201: s.SessionOut, **ERRORS}, summary="Add a session"
)
def add_session(request: HttpRequest, pk: int, payload: s.SessionIn) -> Any:
    data = programs.SessionIn(**payload.model_dump())
    return 201, _session(programs.add_session(_actor(request), pk, data))


@router.delete("/sessions/{int:pk}", response={204: None, **ERRORS}, summary="Remove a session")
def delete_session(request: HttpRequest, pk: int) -> Any:
    programs.delete_session(_actor(request), pk)
    return 204, None


@router.put(
    "/programs/{int:pk}/quotas",
    response={200: s.ProgramDetailOut, **ERRORS},
    summary="Set a region's places (0 removes its quota)",
)
def set_quota(request: HttpRequest, pk: int, payload: s.QuotaIn) -> Any:
    actor = _actor(request)
    programs.allocate_quota(actor, pk, payload.region, payload.places)
    return _detail(actor, pk)


# --- enrollment ---------------------------------------------------------------------------


@router.post(
    "/programs/{int:pk}/enroll",
    response={201: s.EnrollmentOut, **ERRORS},
    summary="Enroll yourself, or a teacher of yours (staff_id); full: the waitlist",
)
def enroll(request: HttpRequest, pk: int, payload: s.EnrollIn) -> Any:
    actor = _actor(request)
    row = enrollment.enroll(actor, pk, payload.staff_id)
    return 201, _enrollment(actor, row, sel.waitlist_position(row))


@router.get("/enrollments/mine", response={200: list[s.EnrollmentOut], **ERRORS}, summary="Mine")
def my_enrollments(request: HttpRequest) -> Any:
    actor = _actor(request)
    return [_enrollment(actor, r.enrollment) for r in sel.my_enrollments(actor)]


@router.post(
    "/enrollments/{int:pk}/withdraw", response={200: s.EnrollmentOut, **ERRORS}, summary="Withdraw"
)
def withdraw(request: HttpRequest, pk: int) -> Any:
    actor = _actor(request)
    row = enrollment.withdraw(actor, pk)
    return _enrollment(actor, load(actor, Enrollment, row.pk, "program", "staff", "institution"))


@router.post(
    "/enrollments/{int:pk}/assessment",
    response={200: s.EnrollmentOut, **ERRORS},
    summary="Record the assessment (pass or fail, a score from 0 to 100)",
)
def assess(request: HttpRequest, pk: int, payload: s.AssessIn) -> Any:
    actor = _actor(request)
    attendance.assess(actor, pk, payload.assessment, payload.score)
    return _enrollment(actor, load(actor, Enrollment, pk, "program", "staff", "institution"))


@router.post(
    "/enrollments/{int:pk}/hours",
    response={200: s.EnrollmentOut, **ERRORS},
    summary="Credit a completed teacher fewer hours",
)
def adjust_hours(request: HttpRequest, pk: int, payload: s.HoursIn) -> Any:
    actor = _actor(request)
    attendance.adjust_hours(actor, pk, payload.hours)
    return _enrollment(actor, load(actor, Enrollment, pk, "program", "staff", "institution"))


# --- roster and attendance ----------------------------------------------------------------


@router.get("/programs/{int:pk}/roster", response={200: s.RosterOut, **ERRORS}, summary="Roster")
def get_roster(request: HttpRequest, pk: int) -> Any:
    actor = _actor(request)
    r = sel.roster(actor, pk)
    return {
        "program": {"id": r.program.pk, "name": r.program.title},
        "sessions": [_session(x) for x in r.sessions],
        "rows": [
            {
                "enrollment": _enrollment(actor, row.enrollment),
                "attendance": {str(x.pk): row.present.get(x.pk) for x in r.sessions},
                "attended": row.attended,
                "held": row.held,
                "rate": row.rate,
            }
            for row in r.rows
        ],
        "waitlist": [s.as_ref(e.staff) for e in r.waitlist],
    }


@router.post(
    "/programs/{int:pk}/roster",
    response={200: s.RosterOut, **ERRORS},
    summary="Mark teachers (enrollment ids) present or absent at a session",
)
def post_roster(request: HttpRequest, pk: int, payload: s.RosterIn) -> Any:
    actor = _actor(request)
    p = sel.program_row(actor, pk)
    session = sel.session_of(actor, p, payload.session)
    attendance.record_roster(actor, session.pk, payload.present, payload.absent)
    return get_roster(request, pk)


@router.post(
    "/sessions/{int:pk}/code",
    response={201: s.CodeOut, **ERRORS},
    summary="A new one-time check-in code for the room",
)
def issue_code(request: HttpRequest, pk: int, payload: s.CodeIn) -> Any:
    code, until = attendance.issue_code(_actor(request), pk, payload.minutes)
    return 201, {"code": code, "expires_at": until}


@router.post(
    "/check-in", response={200: s.CheckInOut, **ERRORS}, summary="Check in with the room's code"
)
def check_in(request: HttpRequest, payload: s.CheckInIn) -> Any:
    row = attendance.check_in(_actor(request), payload.code)
    return {"session": row.session_id, "program": row.session.program_id, "present": row.present}


# --- certificates -------------------------------------------------------------------------


@router.get(
    "/programs/{int:pk}/certificates",
    response={200: list[s.CertificateOut], **ERRORS},
    summary="A program's certificates (its keepers)",
)
def program_certificates(request: HttpRequest, pk: int) -> Any:
    actor = _actor(request)
    p = sel.program_row(actor, pk)
    access.require(actor, "attend", p, now=False)
    return [_certificate(actor, c) for c in sel.certificates_of_program(actor, p)]


@router.post(
    "/programs/{int:pk}/certificates",
    response={200: s.IssuedOut, **ERRORS},
    summary="Issue the certificates still due",
)
def issue_certificates(request: HttpRequest, pk: int) -> Any:
    return {"issued": certificates.issue_pending(_actor(request), pk)}


@router.get("/certificates/mine", response={200: list[s.CertificateOut], **ERRORS}, summary="Mine")
def my_certificates(request: HttpRequest) -> Any:
    actor = _actor(request)
    return [_certificate(actor, c) for c in sel.my_certificates(actor)]


@router.get(
    "/certificates/{int:pk}", response={200: s.CertificateOut, **ERRORS}, summary="A certificate"
)
def get_certificate(request: HttpRequest, pk: int) -> Any:
    actor = _actor(request)
    return _certificate(actor, sel.certificate_for(actor, pk))


@router.post(
    "/certificates/{int:pk}/revoke",
    response={200: s.CertificateOut, **ERRORS},
    summary="Revoke with a reason",
)
def revoke(request: HttpRequest, pk: int, payload: s.ReasonIn) -> Any:
    actor = _actor(request)
    certificates.revoke(actor, pk, payload.reason)
    return _certificate(actor, sel.certificate_for(actor, pk))


@router.get(
    "/certificates/{int:pk}/pdf",
    response={200: None, **ERRORS},
    summary="The certificate as PDF (with the QR code of its verification page)",
)
def certificate_pdf_file(request: HttpRequest, pk: int) -> Any:
    c = sel.certificate_for(_actor(request), pk)
    url = request.build_absolute_uri(reverse("training:verify", args=[c.number]))
    response = HttpResponse(certificate_pdf.render(c, url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{c.number}.pdf"'
    return response


def _cycle(c: record.Cycle, hours: Any) -> dict[str, Any]:
    return {
        "first_year": c.first_year,
        "last_year": c.last_year,
        "required": hours_text(c.required),
        "hours": hours_text(hours),
        "met": hours >= c.required,
    }


def _record(r: record.Record) -> dict[str, Any]:
    def totals(rows: list[record.TypeTotal]) -> list[dict[str, Any]]:
        return [
            {"credit_type": t.credit_type, "label": t.label, "hours": hours_text(t.hours)}
            for t in rows
        ]

    return {
        "staff": s.as_ref(r.staff),
        "institution": s.as_ref(r.staff.institution),
        "masked_id_number": r.staff.masked_id_number,
        "cycle": _cycle(r.cycle, r.cycle_hours),
        "remaining": hours_text(r.remaining),
        "total_hours": hours_text(r.total_hours),
        "by_type": totals(r.by_type),
        "by_type_total": totals(r.by_type_total),
        "cycles": [_cycle(t.cycle, t.hours) for t in r.cycles],
        "lines": [{**asdict(x), "hours": hours_text(x.hours)} for x in r.lines],
        "lesson_hours": hours_text(r.lesson_hours),
        "lesson_term_cap": hours_text(r.lesson_cap),
    }


@router.get(
    "/record/",
    response={200: s.RecordOut, **ERRORS},
    summary="My training record (hours by credit type against the cycle)",
)
def my_record(request: HttpRequest) -> Any:
    return _record(record.own_record(_actor(request)))


@router.get(
    "/record/{int:staff_id}/",
    response={200: s.RecordOut, **ERRORS},
    summary="A staff member's training record (herself, her school, authorities over it)",
)
def staff_record(request: HttpRequest, staff_id: int) -> Any:
    return _record(record.record_of(_actor(request), staff_id))


def _cell(c: reach.Cell) -> dict[str, Any]:
    return {"teachers": c.teachers, "hours": hours_text(c.hours)}


@router.get(
    "/reach/",
    response={200: s.ReachOut, **ERRORS},
    summary="The providers' reach into Hebei counties, term by term",
    url_name="training_reach",
)
def get_reach(request: HttpRequest, query: Query[s.ReachQuery]) -> Any:  # type: ignore[valid-type]
    """Per provider, the Hebei counties whose teachers completed its programs in the terms
    ``term`` to ``last``: distinct teachers and credited hours per term and in all, over
    the completions the caller reads (counts only)."""
    actor = _actor(request)
    data = reach.reach(actor, parse_query(reach.ReachFilters, query, actor=actor))
    return {
        "first": term_out(data.span.first),
        "last": term_out(data.span.last),
        "terms": [term_out(t) for t in data.terms],
        "counties": [{"path": p, "name": n} for p, n in data.counties],
        "providers": [
            {
                "id": p.id,
                "name": p.name,
                "total": _cell(p.total),
                "counties": [
                    {
                        "path": c.path,
                        "name": c.name,
                        "terms": [_cell(x) for x in c.terms],
                        "total": _cell(c.total),
                    }
                    for c in p.counties
                ],
            }
            for p in data.providers
        ],
    }


@router.get(
    "/verify/{number}",
    auth=None,
    response={200: s.VerificationOut, 429: Error},
    summary="Verify a certificate number (public; so many a minute from one address)",
    description="outcome: valid, revoked, unknown (not issued) or forged (refused unread).",
)
def verify(request: HttpRequest, number: str) -> Any:
    ratelimit.check_request(request, "training.verify", settings.XIETONG_VERIFY_PER_MINUTE)
    return asdict(certificates.verify(number))
