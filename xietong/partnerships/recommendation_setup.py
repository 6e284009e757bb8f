"""Partner recommendations plugged into the app (imported from PartnershipsConfig.ready):
their access rules, job kind, audit sentences and navigation entry."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import by_pk, describe, object_type
from xietong.partnerships import recommendation_access  # noqa: F401  (declares the rules)
from xietong.partnerships.audit_texts import GROUP
from xietong.partnerships.recommendation_models import Proposal, RecommendationRun
from xietong.partnerships.services import recommendations  # noqa: F401  (the job kind)
from xietong.workbench.navigation import NavItem, register


def _runs(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(RecommendationRun.objects.only("area_name"), lambda r: {"name": r.area_name}, keys)


def _proposals(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = Proposal.objects.select_related("school", "partner").only("school__name", "partner__name")
    return by_pk(
        qs,
        lambda p: {"name": f"{p.partner.name if p.partner else '—'} → {p.school.name}"},
        keys,
    )


object_type("partnerships.recommendationrun", gettext_lazy("partner recommendation"), _runs)
object_type("partnerships.proposal", gettext_lazy("proposed partner"), _proposals)

describe(
    GROUP,
    "partnerships.recommendation.run",
    gettext_lazy("Partner recommendation run"),
    lambda f: _("%(actor)s asked for partner recommendations for %(object)s") % f,
)
describe(
    GROUP,
    "partnerships.proposal.accept",
    gettext_lazy("Proposed partner accepted"),
    lambda f: _("%(actor)s accepted the proposed partner %(object)s") % f,
)
describe(
    GROUP,
    "partnerships.proposal.dismiss",
    gettext_lazy("Proposed partner dismissed"),
    lambda f: _("%(actor)s dismissed the proposed partner %(object)s") % f,
)

register(
    NavItem(
        label=gettext_lazy("Partner recommendations"),
        url_name="partnerships:recommendations",
        icon="magic",
        capability="partnerships.recommend",
        order=36,
        section=gettext_lazy("Collaboration"),
    )
)
