"""Who reads training programs, enrollments, attendance and certificates, and who acts.

* A program is kept — edited, opened, closed, completed, cancelled, its sessions and
  attendance recorded — by the admins acting for its provider (:func:`reach.acts_for`: a
  training institution's or university's admin; for an authority provider, the authority
  admin of exactly its region). They and the authorities over the provider read it in
  every state; once opened every business role reads it (the catalogue).
* Places are shared out among regions (quotas) by the program's keepers and by authority
  admins, each for regions within its own (checked in the service).
* An enrollment is read by the teacher, the admins of the teacher's institution, the
  authorities over it and the program's keepers. The teacher, the school's admin and an
  authority admin over the school withdraw it; the keepers record its assessment.
* Attendance and certificates are read with their enrollment; a certificate is revoked by
  the program's keepers. The public verification page reads a certificate by its number
  and shows only what :func:`xietong.training.selectors.verification` gives.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xietong import access
from xietong.access import Policy, Rule, capability, declare
from xietong.access import reach as r
from xietong.access.actor import Actor
from xietong.accounts.models import Role
from xietong.institutions.models import Staff
from xietong.training.choices import EnrollmentStatus, ProgramStatus
from xietong.training.models import Attendance, Certificate, Enrollment, Program, Quota, Session

DRAFT, OPEN, CLOSED = ProgramStatus.DRAFT, ProgramStatus.OPEN, ProgramStatus.CLOSED
RUNNING = frozenset({OPEN, CLOSED})
BUSINESS_ROLES = (
    Role.AUTHORITY_ADMIN,
    Role.AUTHORITY_VIEWER,
    Role.INSTITUTION_ADMIN,
    Role.STAFF,
    Role.SYSTEM_ADMIN,
)
KEEPS = _("Only the provider's administrators keep its training programs.")

declare(
    Policy(
        model=Program,
        relations={
            "keeper": r.acts_for("provider"),
            "over_provider": r.viewer("provider"),
            "allocator": r.where_not(r.roles(Role.AUTHORITY_ADMIN), status=DRAFT),
            "catalogue": r.where_not(r.roles(*BUSINESS_ROLES), status=DRAFT),
        },
        read=("keeper", "over_provider", "catalogue"),
        rules=(
            Rule(
                "edit",
                by=("keeper",),
                states=frozenset({DRAFT, OPEN}),
                denied=KEEPS,
                not_now=_("Only a draft or an open program can be changed."),
            ),
            Rule(
                "open",
                by=("keeper",),
                states=frozenset({DRAFT}),
                to=OPEN,
                stamp="opened_at",
                denied=KEEPS,
                not_now=_("Only a draft program can be opened."),
            ),
            Rule(
                "close",
                by=("keeper",),
                states=frozenset({OPEN}),
                to=CLOSED,
                stamp="closed_at",
                denied=KEEPS,
                not_now=_("Only an open program can close its enrollment."),
            ),
            Rule(
                "complete",
                by=("keeper",),
                states=RUNNING,
                to=ProgramStatus.COMPLETED,
                stamp="completed_at",
                denied=KEEPS,
                not_now=_("Only a running program can be completed."),
            ),
            Rule(
                "cancel",
                by=("keeper",),
                states=frozenset({DRAFT, OPEN, CLOSED}),
                to=ProgramStatus.CANCELLED,
                stamp="cancelled_at",
                denied=KEEPS,
                not_now=_("A completed or cancelled program cannot be cancelled."),
            ),
            Rule(
                "attend",
                by=("keeper",),
                states=RUNNING,
                denied=KEEPS,
                not_now=_("Attendance is recorded while the program runs."),
            ),
            Rule(
                "allocate",
                by=("keeper", "allocator"),
                states=frozenset({DRAFT, OPEN}),
                denied=_("Only the provider or an authority administrator shares out places."),
                not_now=_("Places are shared out before enrollment closes."),
            ),
            Rule(
                "enroll",
                by=("catalogue",),
                states=frozenset({OPEN}),
                denied=_("You cannot enroll in this program."),
                not_now=_("This program is not open for enrollment."),
            ),
        ),
        audit_prefix="training.program",
    )
)

PROGRAM_READERS = ("keeper", "over_provider", "catalogue")
for _model in (Session, Quota):
    declare(
        Policy(
            model=_model,
            relations={n: r.via("program", Program, n) for n in PROGRAM_READERS},
            read=PROGRAM_READERS,
            rules=(),
            state_field="",
            audit_prefix=f"training.{_model.__name__.lower()}",
        )
    )

HELD = frozenset({EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED})
ENROLLMENT_READERS = ("own", "school", "over_school", "keeper")

declare(
    Policy(
        model=Enrollment,
        relations={
            "own": r.person("staff"),
            "school": r.school("institution"),
            "over_school": r.viewer("institution"),
            "school_authority": r.authority("institution"),
            "keeper": r.via("program", Program, "keeper"),
        },
        read=ENROLLMENT_READERS,
        rules=(
            Rule(
                "withdraw",
                by=("own", "school", "school_authority"),
                states=frozenset(HELD),
                denied=_("Only the teacher or the school's administrators withdraw an enrollment."),
                not_now=_("Only a place or a place on the waitlist can be given up."),
            ),
            Rule(
                "credit",
                by=("keeper",),
                states=frozenset({EnrollmentStatus.COMPLETED}),
                denied=KEEPS,
                not_now=_("Hours are credited only on completion."),
            ),
            Rule(
                "assess",
                by=("keeper",),
                states=frozenset({EnrollmentStatus.ENROLLED}),
                denied=KEEPS,
                not_now=_("Only an enrolled teacher is assessed."),
            ),
        ),
        audit_prefix="training.enrollment",
    )
)

declare(
    Policy(
        model=Attendance,
        relations={n: r.via("enrollment", Enrollment, n) for n in ENROLLMENT_READERS},
        read=ENROLLMENT_READERS,
        rules=(),
        state_field="",
        audit_prefix="training.attendance",
    )
)

declare(
    Policy(
        model=Certificate,
        relations={n: r.via("enrollment", Enrollment, n) for n in ENROLLMENT_READERS},
        read=ENROLLMENT_READERS,
        rules=(
            Rule(
                "revoke",
                by=("keeper",),
                denied=_("Only the provider's administrators revoke its certificates."),
            ),
        ),
        state_field="",
        audit_prefix="training.certificate",
    )
)

capability("training.browse", *BUSINESS_ROLES)
capability("training.provide", Role.INSTITUTION_ADMIN, Role.AUTHORITY_ADMIN)
# The providers' reach into Hebei counties (counts only): authorities and the admins of
# providers and schools, each over what it reads (``xietong.training.reach``).
capability(
    "training.reach",
    Role.AUTHORITY_ADMIN,
    Role.AUTHORITY_VIEWER,
    Role.INSTITUTION_ADMIN,
    Role.SYSTEM_ADMIN,
)


RECORD_READERS = ("self", "school", "viewer")  # relations of the staff policy


def record_q(actor: Actor, prefix: str = "") -> Q:
    """The staff records whose training record the actor reads (see the module's doc)."""
    return access.relation_q(actor, Staff, RECORD_READERS, prefix)


def trains_in_person(actor: Actor) -> bool:
    """Whether the actor has a staff record of its own: it enrols, checks in and keeps a
    training record for itself."""
    return actor.own_staff_id is not None


def is_own_record(actor: Actor, staff_id: int) -> bool:
    return trains_in_person(actor) and actor.own_staff_id == staff_id


def may_read_record(actor: Actor, staff_id: int) -> bool:
    return Staff.objects.filter(record_q(actor), pk=staff_id).exists()


def readable_programs(actor: Actor) -> QuerySet[Program]:
    return Program.objects.filter(access.read_q(actor, Program))


def may_attach(actor: Actor, program: Program) -> bool:
    return "edit" in access.actions(actor, program)


def register() -> None:
    from xietong.attachments.registry import register_owner

    register_owner(
        Program,
        readable=readable_programs,
        manageable=may_attach,
        types=("pdf", "docx", "pptx", "xlsx", "jpeg", "png", "text"),
    )
