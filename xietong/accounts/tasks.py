"""The background jobs of accounts: verifying the audit chain (registered with xietong.jobs).

Recomputing every hash takes minutes on a log of millions of events, so the auditor runs it
as a job; its result stays on the job, and the workbench shows the last one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from xietong import access
from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.jobs.registry import register

VERIFY_JOB = "accounts.audit_verify"
MAX_PROBLEMS = 20


def _auditors(actor: Actor) -> Q:
    """Every auditor sees and may retry every verification (not only their own)."""
    return Q() if access.can(actor, "audit.read") else Q(pk__in=[])


@register(VERIFY_JOB, label=_("Audit chain verification"), visible=_auditors, manage=_auditors)
def verify_chain(job: Any, report: Any) -> dict[str, Any]:
    report(0, None, gettext_noop("Checking the audit chain"))
    result = audit.verify(
        progress=lambda done, total: report(done, total, gettext_noop("Checking the audit chain"))
    )
    return {"ok": result.ok, "checked": result.checked, "problems": result.problems[:MAX_PROBLEMS]}
