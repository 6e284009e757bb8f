"""What waits for the actor in partnerships, registered with the workbench
(:mod:`xietong.workbench.queues`) from ``PartnershipsConfig.ready``: an institution admin's
agreement versions to approve; an authority admin's draft partnerships to activate and
partner recommendations with proposals still to decide. The selectors apply the rules."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xietong.partnerships import recommendation_selectors
from xietong.partnerships import selectors as partnership_selectors
from xietong.partnerships.agreements import selectors as agreement_selectors
from xietong.partnerships.choices import PartnershipStatus
from xietong.partnerships.models import AgreementVersion, Partnership
from xietong.partnerships.recommendation_models import RecommendationRun
from xietong.workbench.queues import (
    INSTITUTION,
    REGION,
    Item,
    Queue,
    QueueSource,
    queue_of,
    register_queue,
)


def agreements_to_approve(actor: Any, limit: int) -> Queue:
    """Agreement versions waiting for the approval of a member the actor administers."""

    def item(v: AgreementVersion) -> Item:
        detail = reverse("partnerships:agreement_detail", args=[v.agreement_id])
        return Item(
            title=f"{v.agreement.partnership.name} · {v.title}",
            step=_("Read version %(number)s and approve it for your institution")
            % {"number": v.number},
            url=f"{detail}#v{v.number}",
            status=str(v.get_status_display()),
        )

    return queue_of(
        "agreements-to-approve",
        _("Agreements awaiting your approval"),
        agreement_selectors.inbox_for(actor),
        item,
        reverse("partnerships:agreement_inbox"),
        limit,
        _("Open the approval inbox"),
    )


def drafts_to_activate(actor: Any, limit: int) -> Queue:
    """Draft partnerships of the actor's region, to activate once their members agree."""

    def item(p: Partnership) -> Item:
        return Item(
            title=p.name,
            step=_("Check the members and terms, then activate it"),
            url=reverse("partnerships:detail", args=[p.pk]),
            status=str(p.get_kind_display()),
        )

    return queue_of(
        "drafts-to-activate",
        _("Draft partnerships to activate"),
        partnership_selectors.drafts_to_activate(actor),
        item,
        f"{reverse('partnerships:list')}?status={PartnershipStatus.DRAFT}",
        limit,
        _("All draft partnerships"),
    )


def recommendations_to_decide(actor: Any, limit: int) -> Queue:
    """Partner recommendations of the actor's area with proposals not yet decided."""

    def item(run: RecommendationRun) -> Item:
        n = run.undecided  # type: ignore[attr-defined]
        return Item(
            title=run.area_name,
            step=ngettext(
                "%(n)d proposed partner to accept or dismiss",
                "%(n)d proposed partners to accept or dismiss",
                n,
            )
            % {"n": n},
            url=reverse("partnerships:recommendation", args=[run.pk]),
        )

    return queue_of(
        "recommendations-to-decide",
        _("Partner recommendations to decide"),
        recommendation_selectors.runs_to_decide(actor),
        item,
        reverse("partnerships:recommendations"),
        limit,
        _("All partner recommendations"),
    )


def register() -> None:
    register_queue(
        QueueSource(
            "partnerships.agreements_to_approve",
            INSTITUTION,
            agreements_to_approve,
            "partnerships.approve",
            60,
        )
    )
    register_queue(
        QueueSource(
            "partnerships.drafts_to_activate", REGION, drafts_to_activate, "partnerships.manage", 60
        )
    )
    register_queue(
        QueueSource(
            "partnerships.recommendations_to_decide",
            REGION,
            recommendations_to_decide,
            "partnerships.recommend",
            61,
        )
    )
