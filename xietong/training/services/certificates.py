"""Certificates: issued on completion, signed, revoked with a reason, verified in public."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong import access
from xietong.access.actor import Actor
from xietong.accounts import audit
from xietong.training import signing
from xietong.training.choices import EnrollmentStatus
from xietong.training.models import Certificate, Enrollment, Program
from xietong.training.services.common import hours_text, invalid, load


def fields_of(c: Certificate) -> tuple[object, ...]:
    """The signed fields, in their fixed order."""
    return (
        c.number,
        c.holder,
        c.program_title,
        c.provider_name,
        f"{c.hours:.1f}",
        c.credit_type,
        c.completed_on.isoformat(),
        c.key_version,
    )


def issue_for(actor: Actor, program: Program) -> int:
    """Issue the certificates still due for the program's completions; returns how many."""
    access.require(actor, "attend", program, now=False)
    due = (
        Enrollment.objects.filter(
            program=program, status=EnrollmentStatus.COMPLETED, certificate__isnull=True
        )
        .select_related("staff", "program__provider")
        .order_by("pk")
    )
    made = 0
    with transaction.atomic():
        for row in due:
            done = timezone.localtime(row.completed_at or timezone.now()).date()
            c = Certificate(
                enrollment=row,
                number=signing.make_number(done.year, row.pk),
                holder=row.staff.name,
                program_title=program.title,
                provider_name=program.provider.name,
                hours=row.hours_credited or program.hours,
                credit_type=program.credit_type,
                completed_on=done,
                issued_by_id=actor.user_id,
            )
            c.signature = signing.sign(fields_of(c))
            c.save()
            made += 1
        if made:
            audit.record(
                actor, "training.certificate.issue", target=program, after={"issued": made}
            )
    return made


def issue_pending(actor: Actor, program_id: int) -> int:
    program = load(actor, Program, program_id, "provider")
    return issue_for(actor, program)


def revoke(actor: Actor, certificate_id: int, reason: str) -> Certificate:
    c = load(actor, Certificate, certificate_id, "enrollment__program")
    access.require(actor, "revoke", c)
    text = str(reason or "").strip()
    if not text:
        raise invalid("reason", _("Say why the certificate is revoked."))
    if c.revoked_at is not None:
        raise invalid("reason", _("This certificate is revoked already."))
    with transaction.atomic():
        c.revoked_at, c.revoke_reason = timezone.now(), text[:2000]
        c.save(update_fields=["revoked_at", "revoke_reason"])
        audit.record(actor, "training.certificate.revoke", target=c, after={"reason": text})
    return c


@dataclass(frozen=True)
class Verification:
    """What the public page shows for a number: the outcome and, when found, the masked
    holder, the program, its provider, the hours and the date — nothing else."""

    outcome: str  # "valid", "revoked", "unknown" (a well-formed number not issued), "forged"
    number: str
    holder: str = ""
    program: str = ""
    provider: str = ""
    hours: str = ""
    completed_on: str = ""
    revoked_on: str = ""


def mask_name(name: str) -> str:
    """张三 → 张*, 王小明 → 王*明, 欧阳小明 → 欧**明: the family name and, from three
    characters, the last; enough to match a person shown the certificate, no more."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def verify(number: str) -> Verification:
    text = signing.normalise(number)
    if not signing.check_number(text):
        return Verification("forged", text)
    c = Certificate.objects.filter(number=text).first()
    if c is None:
        return Verification("unknown", text)
    if not signing.verify(fields_of(c), c.signature):
        return Verification("forged", text)
    shown = Verification(
        "revoked" if c.revoked_at else "valid",
        text,
        holder=mask_name(c.holder),
        program=c.program_title,
        provider=c.provider_name,
        hours=hours_text(c.hours),
        completed_on=c.completed_on.isoformat(),
        revoked_on=timezone.localtime(c.revoked_at).date().isoformat() if c.revoked_at else "",
    )
    return shown
