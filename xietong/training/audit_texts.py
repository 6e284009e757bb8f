"""The audit log's sentences for teacher training (see ``accounts.audit_reading``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import Events, by_pk, describe_all, object_type
from xietong.training.models import Certificate, Enrollment, Program

GROUP = gettext_lazy("Teacher training")


def _programs(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(Program.objects.only("title"), lambda p: {"name": p.title}, keys)


def _enrollments(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = Enrollment.objects.select_related("staff", "program").only("staff__name", "program__title")
    return by_pk(qs, lambda e: {"name": f"{e.staff.name} · {e.program.title}"}, keys)


def _certificates(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(Certificate.objects.only("number"), lambda c: {"name": c.number}, keys)


object_type("training.program", gettext_lazy("training program"), _programs)
object_type("training.enrollment", gettext_lazy("training enrollment"), _enrollments)
object_type("training.certificate", gettext_lazy("training certificate"), _certificates)

EVENTS: Events = [
    (
        "training.program.create",
        gettext_lazy("Training program added"),
        lambda f: _("%(actor)s added the training program %(object)s") % f,
        {},
    ),
    (
        "training.program.edit",
        gettext_lazy("Training program changed"),
        lambda f: _("%(actor)s changed the training program %(object)s") % f,
        {},
    ),
    (
        "training.program.open",
        gettext_lazy("Training program opened"),
        lambda f: _("%(actor)s opened the training program %(object)s for enrollment") % f,
        {},
    ),
    (
        "training.program.close",
        gettext_lazy("Training enrollment closed"),
        lambda f: _("%(actor)s closed the enrollment of the training program %(object)s") % f,
        {},
    ),
    (
        "training.program.complete",
        gettext_lazy("Training program completed"),
        lambda f: _("%(actor)s completed the training program %(object)s") % f,
        {},
    ),
    (
        "training.program.cancel",
        gettext_lazy("Training program cancelled"),
        lambda f: _("%(actor)s cancelled the training program %(object)s") % f,
        {},
    ),
    (
        "training.session.add",
        gettext_lazy("Training session added"),
        lambda f: _("%(actor)s added a session to the training program %(object)s") % f,
        {},
    ),
    (
        "training.session.delete",
        gettext_lazy("Training session removed"),
        lambda f: _("%(actor)s removed a session of the training program %(object)s") % f,
        {},
    ),
    (
        "training.quota.set",
        gettext_lazy("Training places shared out"),
        lambda f: _("%(actor)s shared out places of the training program %(object)s") % f,
        {},
    ),
    (
        "training.enrollment.enroll",
        gettext_lazy("Enrolled in training"),
        lambda f: _("%(actor)s enrolled %(object)s") % f,
        {},
    ),
    (
        "training.enrollment.withdraw",
        gettext_lazy("Training enrollment withdrawn"),
        lambda f: _("%(actor)s withdrew the enrollment %(object)s") % f,
        {},
    ),
    (
        "training.enrollment.promote",
        gettext_lazy("Moved up from the waitlist"),
        lambda f: _("%(actor)s gave a freed place to %(object)s") % f,
        {},
    ),
    (
        "training.enrollment.assess",
        gettext_lazy("Training assessment recorded"),
        lambda f: _("%(actor)s recorded the assessment of %(object)s") % f,
        {},
    ),
    (
        "training.enrollment.hours",
        gettext_lazy("Training hours adjusted"),
        lambda f: _("%(actor)s adjusted the hours credited to %(object)s") % f,
        {},
    ),
    (
        "training.attendance.roster",
        gettext_lazy("Attendance recorded"),
        lambda f: _("%(actor)s recorded attendance in the training program %(object)s") % f,
        {},
    ),
    (
        "training.attendance.code",
        gettext_lazy("Check-in code shown"),
        lambda f: _("%(actor)s showed a check-in code in the training program %(object)s") % f,
        {},
    ),
    (
        "training.attendance.check_in",
        gettext_lazy("Checked in with a code"),
        lambda f: _("%(actor)s checked in with a code: %(object)s") % f,
        {},
    ),
    (
        "training.certificate.issue",
        gettext_lazy("Training certificates issued"),
        lambda f: _("%(actor)s issued certificates of the training program %(object)s") % f,
        {},
    ),
    (
        "training.certificate.revoke",
        gettext_lazy("Training certificate revoked"),
        lambda f: _("%(actor)s revoked the training certificate %(object)s") % f,
        {},
    ),
]

describe_all(GROUP, EVENTS)
