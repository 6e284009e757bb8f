"""Enrollment: by the teacher, by an admin on the teacher's behalf, through a region's
quota; the waitlist, served in order when a place frees; withdrawing.

No overbooking, by the database: a place is taken with one conditional ``UPDATE`` of the
program's (and the quota's) ``taken`` counter, ``WHERE taken < capacity``. Concurrent
enrollments for the last place queue on that row's lock; the second one re-reads the
row, finds it full, updates nothing and goes to the waitlist. A check constraint backs
this up, and the one-enrollment-per-teacher constraint turns a double click into a
clear message.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong import access
from xietong.access.actor import Actor
from xietong.access.transitions import Notify, send
from xietong.accounts import audit
from xietong.core.delimited import unpack
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.institutions.models import Staff
from xietong.institutions.selectors import administered_institutions_q
from xietong.training.choices import ACTIVE, EnrolledBy, EnrollmentStatus
from xietong.training.models import Enrollment, Program, Quota
from xietong.training.services.common import load

ENROLLED, WAITLISTED = EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED


def eligibility_problems(program: Program, staff: Staff) -> list[str]:
    """Why ``staff`` is outside the program's target audience (empty: eligible)."""
    from xietong.core.codes import STAGES, SUBJECTS, TITLES

    out: list[str] = []
    stages = set(unpack(staff.stages) or unpack(staff.institution.stages))
    if program.stages and not stages & set(unpack(program.stages)):
        out.append(
            _("The program is for teachers of %(list)s.")
            % {"list": "、".join(STAGES.labels(unpack(program.stages)))}
        )
    if program.subjects and not set(unpack(staff.subjects)) & set(unpack(program.subjects)):
        out.append(
            _("The program is for teachers of %(list)s.")
            % {"list": "、".join(SUBJECTS.labels(unpack(program.subjects)))}
        )
    if program.positions and staff.position not in unpack(program.positions):
        from xietong.institutions.choices import Position

        names = [str(Position(p).label) for p in unpack(program.positions)]
        out.append(_("The program is for %(list)s.") % {"list": "、".join(names)})
    if program.titles and staff.title not in unpack(program.titles):
        out.append(
            _("The program is for teachers with the title %(list)s.")
            % {"list": "、".join(TITLES.labels(unpack(program.titles)))}
        )
    paths = [r.path for r in program.regions.all()]
    paths += [m.path for g in program.region_groups.all() for m in g.members.all()]
    if paths and not any(staff.institution.region_path.startswith(p) for p in paths):
        out.append(_("The program is for teachers of other regions."))
    return out


def _staff_for(actor: Actor, staff_id: int | None) -> tuple[Staff, str]:
    """The teacher to enroll and how: oneself, or on behalf as a school or authority admin."""
    own = actor.own_staff_id
    if staff_id is None or staff_id == own:
        if own is None:
            raise PermissionDenied(_("Only a teacher with a staff record enrolls in training."))
        return Staff.objects.select_related("institution").get(pk=own), EnrolledBy.SELF
    staff = (
        Staff.objects.filter(administered_institutions_q(actor, "institution__"), pk=staff_id)
        .select_related("institution")
        .first()
    )
    if staff is None:
        raise NotFound()
    return staff, EnrolledBy.ADMIN


def _quota_for(program: Program, staff: Staff) -> Quota | None:
    """The quota of the deepest region covering the teacher's school (None: no quota)."""
    found = [
        q for q in program.quotas.all() if staff.institution.region_path.startswith(q.region_path)
    ]
    return max(found, key=lambda q: len(q.region_path)) if found else None


def _take_place(program: Program, quota: Quota | None) -> bool:
    """Take one place (of the quota and the program) if one is free: the database decides."""
    if quota is not None:
        got = Quota.objects.filter(pk=quota.pk, taken__lt=F("places")).update(taken=F("taken") + 1)
        if not got:
            return False
    got = Program.objects.filter(pk=program.pk, taken__lt=F("capacity")).update(
        taken=F("taken") + 1
    )
    if not got and quota is not None:
        Quota.objects.filter(pk=quota.pk).update(taken=F("taken") - 1)
    return bool(got)


def _give_back(enrollment: Enrollment) -> None:
    Program.objects.filter(pk=enrollment.program_id, taken__gt=0).update(taken=F("taken") - 1)
    if enrollment.quota_id:
        Quota.objects.filter(pk=enrollment.quota_id, taken__gt=0).update(taken=F("taken") - 1)


def enroll(actor: Actor, program_id: int, staff_id: int | None = None) -> Enrollment:
    """Enroll a teacher: a place if one is free, else a place on the waitlist."""
    program = load(actor, Program, program_id, "provider")
    access.require(actor, "enroll", program)
    today = timezone.localdate()
    if today < program.applications_open:
        raise Conflict(
            _("Applications open on %(day)s.") % {"day": program.applications_open.isoformat()}
        )
    if today > program.applications_close:
        raise Conflict(
            _("Applications closed on %(day)s.") % {"day": program.applications_close.isoformat()}
        )
    staff, how = _staff_for(actor, staff_id)
    if problems := eligibility_problems(program, staff):
        raise InvalidInput(" ".join(problems))
    quota = _quota_for(program, staff)
    if program.quotas.exists():
        if quota is None:
            raise Conflict(_("The places of this program are shared out by region, none to yours."))
        how = EnrolledBy.QUOTA if how == EnrolledBy.ADMIN else how
    try:
        with transaction.atomic():
            old = (
                Enrollment.objects.select_for_update().filter(program=program, staff=staff).first()
            )
            if old is not None and old.status in ACTIVE:
                raise _already(old, staff)
            if old is not None and old.status not in (EnrollmentStatus.WITHDRAWN,):
                raise Conflict(_("%(name)s has finished this program.") % {"name": staff.name})
            placed = _take_place(program, quota)
            now = timezone.now()
            row = old or Enrollment(program=program, staff=staff)
            row.institution = staff.institution
            row.region_path = staff.institution.region_path
            row.status = ENROLLED if placed else WAITLISTED
            row.enrolled_by, row.quota, row.created_by_id = how, quota, actor.user_id
            row.enrolled_at = now if placed else None
            row.waitlisted_at = None if placed else now
            row.withdrawn_at = None
            row.save()
            audit.record(
                actor,
                "training.enrollment.enroll",
                target=row,
                after={"status": row.status, "by": how, "program": program.pk},
            )
    except IntegrityError:
        raise _already(None, staff) from None
    return row


def _already(row: Enrollment | None, staff: Staff) -> InvalidInput:
    if row is not None and row.status == WAITLISTED:
        return InvalidInput(
            _("%(name)s is on this program's waitlist already.") % {"name": staff.name}
        )
    return InvalidInput(_("%(name)s is enrolled in this program already.") % {"name": staff.name})


def withdraw(actor: Actor, enrollment_id: int) -> Enrollment:
    """Give up a place (the first on the waitlist gets it) or a place on the waitlist."""
    row = load(actor, Enrollment, enrollment_id, "program", "staff")
    access.require(actor, "withdraw", row)
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=row.pk)
        if locked.status not in ACTIVE:
            raise Conflict(_("Only a place or a place on the waitlist can be given up."))
        held = locked.status == ENROLLED
        locked.status, locked.withdrawn_at = EnrollmentStatus.WITHDRAWN, timezone.now()
        locked.save(update_fields=["status", "withdrawn_at"])
        if held:
            _give_back(locked)
        audit.record(actor, "training.enrollment.withdraw", target=locked, before={"held": held})
        if held:
            promote_waitlist(actor, row.program)
    return locked


def promote_waitlist(actor: Actor, program: Program) -> list[Enrollment]:
    """Give free places to the waitlist in the order it was joined (within a quota, to the
    first waiting teacher of that quota's region); tells each teacher promoted."""
    promoted: list[Enrollment] = []
    waiting = (
        Enrollment.objects.select_for_update(skip_locked=True)
        .filter(program=program, status=WAITLISTED)
        .order_by("waitlisted_at", "id")
    )
    for row in waiting:
        if not _take_place(program, row.quota):
            if row.quota_id is None:
                break
            continue
        row.status, row.enrolled_at = ENROLLED, timezone.now()
        row.save(update_fields=["status", "enrolled_at"])
        audit.record(actor, "training.enrollment.promote", target=row)
        promoted.append(row)
    for row in promoted:
        send(
            Notify(
                [row.staff.user_id],
                "training.promoted",
                target=row.program,
                params={"title": program.title},
            )
        )
    return promoted


def enrolled_user_ids(program: Program) -> set[int]:
    """The accounts of the teachers holding a place or waiting for one."""
    rows = Enrollment.objects.filter(program=program, status__in=ACTIVE)
    return {u for u in rows.values_list("staff__user_id", flat=True) if u is not None}
