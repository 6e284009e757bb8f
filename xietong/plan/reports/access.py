"""Who files, reviews and reads progress reports.

* A report is filed — started, edited while a draft or returned, submitted — by the admin
  of the body named on it (:func:`xietong.access.reach.acts_for`): the institution admin
  of a school body, the authority admin of exactly the authority's region for an
  authority body (北京市教委: the admin of 110000; a province's admin does not file for
  its county's bureau).
* It is reviewed — returned with a comment or accepted — by the admins of the plan's
  signatory authorities (the plan's :data:`~xietong.plan.access.MANAGER`s), never by the
  admins of the filer's own body.
* A draft is read by its filers only; once submitted it is also read by the authorities
  and viewers whose region covers the body, by the reviewers and by the system admin.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xietong import access
from xietong.access import Policy, Rule, capability, declare
from xietong.access import reach as r
from xietong.access.actor import Actor
from xietong.accounts.models import Role
from xietong.plan.access import MANAGER
from xietong.plan.choices import ReportStatus
from xietong.plan.models import Plan, ProgressReport, ReviewNote

DRAFT = ReportStatus.DRAFT
SUBMITTED = ReportStatus.SUBMITTED
RETURNED = ReportStatus.RETURNED
ACCEPTED = ReportStatus.ACCEPTED
OPEN = frozenset({DRAFT, RETURNED})
EVIDENCE_TYPES = ("jpeg", "png", "pdf")

FILES = _("Only the admin of the body named on the report files it.")
REVIEWS = _("Only an admin of an authority that signed the plan reviews reports, not the filer.")
NOT_OPEN = _("A submitted or accepted report can no longer be changed.")


# Reports of a plan one of whose signatories the actor acts for: the plan's managers.
_signatory = r.via("task__plan", Plan, MANAGER)


def _reviewer(actor: Actor, prefix: str) -> Q:
    own = r.acts_for("body")(actor, prefix)
    q = _signatory(actor, prefix)
    if q == r.NOTHING:
        return q
    return q & ~own if own != r.NOTHING else q


READERS = ("filer", "reviewer", "over_region", "system")

declare(
    Policy(
        model=ProgressReport,
        relations={
            "filer": r.acts_for("body"),
            "reviewer": r.where_not(_reviewer, state=DRAFT),
            "over_region": r.where_not(r.viewer("body"), state=DRAFT),
            "system": r.where_not(r.roles(Role.SYSTEM_ADMIN), state=DRAFT),
        },
        read=READERS,
        rules=(
            Rule("edit", by=("filer",), states=OPEN, denied=FILES, not_now=NOT_OPEN),
            Rule(
                "submit",
                by=("filer",),
                states=OPEN,
                to=SUBMITTED,
                stamp="submitted_at",
                denied=FILES,
                not_now=_("Only a draft or a returned report can be submitted."),
            ),
            Rule(
                "return",
                by=("reviewer",),
                states=frozenset({SUBMITTED}),
                to=RETURNED,
                stamp="returned_at",
                denied=REVIEWS,
                not_now=_("Only a submitted report can be returned."),
            ),
            Rule(
                "accept",
                by=("reviewer",),
                states=frozenset({SUBMITTED}),
                to=ACCEPTED,
                stamp="accepted_at",
                denied=REVIEWS,
                not_now=_("Only a submitted report can be accepted."),
            ),
            Rule(
                "delete",
                by=("filer",),
                states=frozenset({DRAFT}),
                denied=FILES,
                not_now=_("Only a draft report can be deleted."),
            ),
        ),
        state_field="state",
        audit_prefix="plan.report",
    )
)

# Review notes are read with their report.
declare(
    Policy(
        model=ReviewNote,
        relations={n: r.via("report", ProgressReport, n) for n in READERS},
        read=READERS,
        rules=(),
        state_field="",
        audit_prefix="plan.report_note",
    )
)

# Not "plan.read": the system admin reads submitted reports (the "system" relation) but
# not the plan.
capability(
    "plan.reports",
    Role.AUTHORITY_ADMIN,
    Role.AUTHORITY_VIEWER,
    Role.INSTITUTION_ADMIN,
    Role.SYSTEM_ADMIN,
)


# The report list as a file: its readers (rows scoped as on the page).
capability(
    "plan.export_reports",
    Role.AUTHORITY_ADMIN,
    Role.AUTHORITY_VIEWER,
    Role.INSTITUTION_ADMIN,
    Role.SYSTEM_ADMIN,
)


def readable_reports(actor: Actor) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(access.read_q(actor, ProgressReport))


def may_add_evidence(actor: Actor, report: ProgressReport) -> bool:
    return "edit" in access.actions(actor, report)


def register() -> None:
    from xietong.attachments.registry import register_owner

    register_owner(
        ProgressReport,
        readable=readable_reports,
        manageable=may_add_evidence,
        types=EVIDENCE_TYPES,
    )
