"""Who reads and acts on partner recommendations: the authorities over the run's region.

A run is managed by the authority admins whose region covers its ``region`` (the smallest
region holding the whole area asked for); its proposals are read, accepted and dismissed
through the run.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.access import Policy, Rule, capability, declare
from xietong.access import reach as r
from xietong.accounts.models import Role
from xietong.partnerships.recommendation_models import (
    Proposal,
    ProposalStatus,
    RecommendationRun,
)

MANAGES = gettext_lazy(
    "Only an authority administrator over the recommendation's area decides on its proposals."
)


def _not_now(p: Any) -> str:
    if p.status == ProposalStatus.ACCEPTED:
        return _("This proposal has already been accepted; nothing was changed.")
    if p.status == ProposalStatus.DISMISSED:
        return _("This proposal was dismissed; run the recommendation again for a new one.")
    return _("No partner was found for this school, so there is nothing to accept.")


OPEN = frozenset({ProposalStatus.PROPOSED})

declare(
    Policy(
        model=RecommendationRun,
        relations={"manager": r.region("region")},
        read=("manager",),
        rules=(),
        audit_prefix="partnerships.recommendation",
    )
)
declare(
    Policy(
        model=Proposal,
        relations={"manager": r.via("run", RecommendationRun, "manager")},
        read=("manager",),
        rules=(
            Rule("accept", by=("manager",), states=OPEN, denied=MANAGES, not_now=_not_now),
            Rule("dismiss", by=("manager",), states=OPEN, denied=MANAGES, not_now=_not_now),
        ),
        audit_prefix="partnerships.proposal",
    )
)

capability("partnerships.recommend", Role.AUTHORITY_ADMIN)
