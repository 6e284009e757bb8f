"""Attendance per session (the provider's roster check, or a one-time code shown in the
room), assessment results, and completion: hours credited only to those who completed."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as chmac
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong import access
from xietong.access.actor import Actor
from xietong.access.transitions import Notify, transition
from xietong.accounts import audit
from xietong.core import keys
from xietong.core.errors import Conflict, PermissionDenied
from xietong.training.choices import Assessment, CheckIn, EnrollmentStatus
from xietong.training.models import Attendance, Enrollment, Program, Session
from xietong.training.services.common import hours, hours_text, invalid, load

CODE_DIGITS = 6
CODE_MINUTES = 15
ENROLLED = EnrollmentStatus.ENROLLED


def record_roster(
    actor: Actor, session_id: int, present: Iterable[int], absent: Iterable[int] = ()
) -> int:
    """Mark enrollments (ids) present or absent at a session; returns how many were marked.

    Every id must be an enrolled teacher of the session's program: a name not on the
    roster is refused, and nothing is recorded.
    """
    session = load(actor, Session, session_id, "program")
    access.require(actor, "attend", session.program)
    marks = {int(i): True for i in present}
    marks.update({int(i): False for i in absent if int(i) not in marks})
    if not marks:
        raise invalid("present", _("Mark at least one teacher present or absent."))
    roster = set(
        Enrollment.objects.filter(
            program=session.program, status=ENROLLED, pk__in=list(marks)
        ).values_list("pk", flat=True)
    )
    if stray := sorted(set(marks) - roster):
        raise invalid(
            "present",
            _("Not enrolled in this program: %(ids)s. Attendance is kept for its roster only.")
            % {"ids": ", ".join(map(str, stray))},
        )
    with transaction.atomic():
        for pk, here in marks.items():
            Attendance.objects.update_or_create(
                enrollment_id=pk,
                session=session,
                defaults={
                    "present": here,
                    "method": CheckIn.ROSTER,
                    "recorded_by_id": actor.user_id,
                },
            )
        audit.record(
            actor,
            "training.attendance.roster",
            target=session.program,
            after={
                "session": session.pk,
                "present": sum(marks.values()),
                "absent": len(marks) - sum(marks.values()),
            },
        )
    return len(marks)


def _code_hash(session: Session, code: str) -> str:
    mac = chmac.HMAC(keys.key("checkin"), hashes.SM3())
    mac.update(f"{session.pk}:{code}".encode())
    return mac.finalize().hex()


def issue_code(
    actor: Actor, session_id: int, minutes: int = CODE_MINUTES
) -> tuple[str, dt.datetime]:
    """A new check-in code for the session, shown in the room; valid for ``minutes``."""
    session = load(actor, Session, session_id, "program")
    access.require(actor, "attend", session.program)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    until = timezone.now() + dt.timedelta(minutes=max(1, min(int(minutes), 240)))
    with transaction.atomic():
        session.code_hash, session.code_expires_at = _code_hash(session, code), until
        session.save(update_fields=["code_hash", "code_expires_at"])
        audit.record(
            actor, "training.attendance.code", target=session.program, after={"session": session.pk}
        )
    return code, until


def check_in(actor: Actor, code: str) -> Attendance:
    """A teacher checks in with the code shown in the room (one of their sessions now)."""
    text = "".join(ch for ch in str(code or "") if ch.isdigit())
    if len(text) != CODE_DIGITS:
        raise invalid("code", _("The check-in code has %(n)s digits.") % {"n": CODE_DIGITS})
    if actor.own_staff_id is None:
        raise PermissionDenied(_("Only a teacher with a staff record checks in."))
    now = timezone.now()
    mine = Enrollment.objects.filter(staff_id=actor.own_staff_id, status=ENROLLED)
    sessions = Session.objects.filter(
        program__in=mine.values("program_id"), code_hash__gt=""
    ).select_related("program")
    for session in sessions:
        if not hmac.compare_digest(session.code_hash, _code_hash(session, text)):
            continue
        if session.code_expires_at is None or session.code_expires_at < now:
            raise Conflict(_("This check-in code has expired: ask for the new one."))
        enrollment = mine.get(program=session.program)
        with transaction.atomic():
            row, _created = Attendance.objects.update_or_create(
                enrollment=enrollment,
                session=session,
                defaults={"present": True, "method": CheckIn.CODE, "recorded_by_id": actor.user_id},
            )
            audit.record(
                actor,
                "training.attendance.check_in",
                target=enrollment,
                after={"session": session.pk},
            )
        return row
    raise invalid("code", _("This check-in code is wrong: check it and try again."))


def assess(actor: Actor, enrollment_id: int, result: str, score: Any = None) -> Enrollment:
    row = load(actor, Enrollment, enrollment_id, "program")
    access.require(actor, "assess", row)
    if result not in (Assessment.PASS, Assessment.FAIL):
        raise invalid("assessment", _("Choose passed or failed."))
    value: Decimal | None = None
    if score not in (None, ""):
        try:
            value = Decimal(str(score)).quantize(Decimal("0.1"))
        except ArithmeticError:
            raise invalid("score", _("Give the score as a number from 0 to 100.")) from None
        if not 0 <= value <= 100:
            raise invalid("score", _("Give the score as a number from 0 to 100."))
    with transaction.atomic():
        row.assessment, row.score = result, value
        row.save(update_fields=["assessment", "score"])
        audit.record(actor, "training.enrollment.assess", target=row, after={"result": result})
    return row


def attendance_rates(program: Program) -> dict[int, tuple[int, int]]:
    """For each enrolled teacher (enrollment id): sessions attended and sessions held."""
    held = program.sessions.count()
    rows = Enrollment.objects.filter(program=program, status=ENROLLED).annotate(
        attended=Count("attendance", filter=Q(attendance__present=True))
    )
    return {e.pk: (e.attended, held) for e in rows}


def completes(program: Program, attended: int, held: int, assessment: str) -> bool:
    """The completion rule: at least ``min_attendance`` % of sessions, and a pass if assessed."""
    if held == 0:
        return False
    if attended * 100 < program.min_attendance * held:
        return False
    return not program.assessed or assessment == Assessment.PASS


def complete_program(actor: Actor, program_id: int) -> dict[str, int]:
    """End the program: each enrolled teacher completes (hours credited, a certificate
    issued) or does not by the rule; the waitlist is closed."""
    from xietong.training.services.certificates import issue_for

    program = load(actor, Program, program_id, "provider")
    access.require(actor, "complete", program)
    if program.sessions.filter(starts_at__gt=timezone.now()).exists():
        raise Conflict(_("Sessions are still to come: complete the program after the last one."))
    rates = attendance_rates(program)
    now = timezone.now()
    counts = {"completed": 0, "not_completed": 0}
    with transaction.atomic():
        for row in Enrollment.objects.select_for_update().filter(program=program, status=ENROLLED):
            attended, held = rates.get(row.pk, (0, 0))
            if completes(program, attended, held, row.assessment):
                row.status, row.hours_credited = EnrollmentStatus.COMPLETED, program.hours
                counts["completed"] += 1
            else:
                row.status, row.hours_credited = EnrollmentStatus.NOT_COMPLETED, None
                counts["not_completed"] += 1
            row.completed_at = now
            row.save(update_fields=["status", "hours_credited", "completed_at"])
        Enrollment.objects.filter(program=program, status=EnrollmentStatus.WAITLISTED).update(
            status=EnrollmentStatus.WITHDRAWN, withdrawn_at=now
        )
        transition(
            actor,
            "complete",
            program,
            detail=counts,
            notify=Notify(
                completed_user_ids(program),
                "training.completed",
                target=program,
                params={"title": program.title, "hours": hours_text(program.hours)},
            ),
        )
        counts["certificates"] = issue_for(actor, program)
    return counts


def completed_user_ids(program: Program) -> set[int]:
    rows = Enrollment.objects.filter(program=program, status=EnrollmentStatus.COMPLETED)
    return {u for u in rows.values_list("staff__user_id", flat=True) if u is not None}


def adjust_hours(actor: Actor, enrollment_id: int, value: Any) -> Enrollment:
    """Credit a completed teacher fewer hours than the program's (a part missed)."""
    row = load(actor, Enrollment, enrollment_id, "program")
    access.require(actor, "credit", row)
    n = hours(value, "hours", upper=row.program.hours)
    with transaction.atomic():
        before = str(row.hours_credited)
        row.hours_credited = n
        row.save(update_fields=["hours_credited"])
        audit.record(
            actor,
            "training.enrollment.hours",
            target=row,
            before={"hours": before},
            after={"hours": str(n)},
        )
    return row
