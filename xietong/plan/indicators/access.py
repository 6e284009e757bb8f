"""Who reports an indicator's values and who reviews them (the ``IndicatorValue`` policy).

* a value of a *reported* indicator is written and submitted by the admin acting for the
  indicator's reporting body (the ``reporter`` relation of the ``Indicator`` policy in
  :mod:`xietong.plan.access`: a school's admin, or for an authority the authority admin
  of exactly its region);
* it is approved or returned by the plan's managers — the authority admins acting for a
  signatory of a plan one of the indicator's tasks belongs to (the indicator's
  :data:`~xietong.plan.access.MANAGER` relation) — and counts once approved;
* every authority admin and viewer reads the history, as they read the plan.

The capabilities ``plan.read`` and ``plan.manage`` are the plan's (:mod:`xietong.plan.access`).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xietong import access
from xietong.access import Policy, Rule, declare
from xietong.access import reach as r
from xietong.access.actor import Actor
from xietong.accounts.models import Role
from xietong.plan.access import MANAGER
from xietong.plan.choices import ValueStatus
from xietong.plan.models import Indicator, IndicatorValue, Plan

REPORTER = "reporter"

REPORTS = _("Only the body that reports this indicator reports its values.")
REVIEWS_MANAGE = _(
    "Only an authority administrator of a province that signed the plan defines its indicators."
)
REVIEWS = _("Only an authority administrator of a province that signed the plan reviews values.")


def managed_plans(actor: Actor) -> list[int]:
    """The plans the actor manages (acts for one of their signatories)."""
    q = access.relation_q(actor, Plan, (MANAGER,))
    if q == r.NOTHING:
        return []
    return sorted(Plan.objects.filter(q).values_list("pk", flat=True))


def manages(actor: Actor, indicator: Indicator) -> bool:
    return MANAGER in access.relations_of(actor, indicator)


def reports(actor: Actor, indicator: Indicator) -> bool:
    return REPORTER in access.relations_of(actor, indicator)


OPEN = frozenset({ValueStatus.DRAFT, ValueStatus.RETURNED})

declare(
    Policy(
        model=IndicatorValue,
        relations={
            REPORTER: r.via("indicator", Indicator, REPORTER),
            MANAGER: r.via("indicator", Indicator, MANAGER),
            "authority": r.roles(Role.AUTHORITY_ADMIN, Role.AUTHORITY_VIEWER),
        },
        read=(REPORTER, MANAGER, "authority"),
        rules=(
            Rule(
                "edit",
                by=(REPORTER,),
                states=OPEN,
                denied=REPORTS,
                not_now=_("This value is with its reviewers or approved; it cannot be changed."),
            ),
            Rule(
                "submit",
                by=(REPORTER,),
                states=OPEN,
                to=ValueStatus.SUBMITTED,
                denied=REPORTS,
                not_now=_("This value has been submitted already."),
            ),
            Rule(
                "approve",
                by=(MANAGER,),
                states=frozenset({ValueStatus.SUBMITTED}),
                to=ValueStatus.APPROVED,
                stamp="reviewed_at",
                denied=REVIEWS,
                not_now=_("Only a submitted value is approved or returned."),
            ),
            Rule(
                "return",
                by=(MANAGER,),
                states=frozenset({ValueStatus.SUBMITTED}),
                to=ValueStatus.RETURNED,
                stamp="reviewed_at",
                denied=REVIEWS,
                not_now=_("Only a submitted value is approved or returned."),
            ),
        ),
        state_field="status",
        audit_prefix="plan.indicator_value",
    )
)
