"""Who reports an indicator's values and who reviews them (the ``IndicatorValue`` policy).

* a value of a *reported* indicator is written and submitted by the admin acting for the
  indicator's reporting body (:func:`xietong.access.reach.acts_for`: a school's admin, or
  for an authority the authority admin of exactly its region);
* it is approved or returned by the plan's managers — the authority admins acting for a
  signatory of a plan one of the indicator's tasks belongs to — and counts once approved;
* every authority admin and viewer reads the history, as they read the plan.

The capabilities ``plan.read`` and ``plan.manage`` are the plan's (``xietong.plan.access``
declares them); they are declared here as well so this module stands on its own — a second
declaration of a capability replaces the first, with the same roles.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from xietong.access import Policy, Rule, capability, declare
from xietong.access import reach as r
from xietong.access.actor import Actor
from xietong.access.reach import NOTHING, join
from xietong.accounts.models import Role
from xietong.plan.choices import ValueStatus
from xietong.plan.models import Indicator, IndicatorValue, Plan

capability("plan.read", Role.AUTHORITY_ADMIN, Role.AUTHORITY_VIEWER, Role.INSTITUTION_ADMIN)
capability("plan.manage", Role.AUTHORITY_ADMIN)

REPORTER = "reporter"
MANAGER = "manager"

REPORTS = _("Only the body that reports this indicator reports its values.")
REVIEWS_MANAGE = _(
    "Only an authority administrator of a province that signed the plan defines its indicators."
)
REVIEWS = _("Only an authority administrator of a province that signed the plan reviews values.")


def managed_plans(actor: Actor) -> list[int]:
    """The plans whose signatory the actor acts for."""
    acting = r.acts_for("institution")(actor, "")
    if acting == NOTHING:
        return []
    rows = Plan.signatories.through.objects.filter(acting)
    return sorted(set(rows.values_list("plan_id", flat=True)))


def indicator_manager(path: str = "") -> r.Reach:
    """Rows whose indicator (at ``path``) serves a task of a plan the actor manages."""

    def q(actor: Actor, prefix: str) -> Q:
        plans = managed_plans(actor)
        if not plans:
            return NOTHING
        tasks = Indicator.tasks.through.objects.filter(
            indicator=OuterRef(join(prefix, path, "pk")), task__plan_id__in=plans
        )
        return Q(Exists(tasks))

    return q


def manages(actor: Actor, indicator: Indicator) -> bool:
    return Indicator.objects.filter(indicator_manager()(actor, ""), pk=indicator.pk).exists()


def reports(actor: Actor, indicator: Indicator) -> bool:
    return Indicator.objects.filter(r.acts_for("reporter")(actor, ""), pk=indicator.pk).exists()


OPEN = frozenset({ValueStatus.DRAFT, ValueStatus.RETURNED})

declare(
    Policy(
        model=IndicatorValue,
        relations={
            REPORTER: r.acts_for("indicator__reporter"),
            MANAGER: indicator_manager("indicator"),
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
