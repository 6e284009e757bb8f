"""Reads of activities: the scoped list with its filters, one activity, the timelines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from xietong import access
from xietong.accounts.access import Actor
from xietong.core.errors import NotFound
from xietong.core.filters import DateTextField, option
from xietong.institutions.models import Institution
from xietong.partnerships import activity_access as _declarations  # noqa: F401
from xietong.partnerships.choices import ActivityKind, PartnershipKind
from xietong.partnerships.models import Activity
from xietong.partnerships.selectors import region_option
from xietong.regions.models import Region
from xietong.regions.selectors import under_paths_q


@dataclass(frozen=True)
class ActivityFilters:
    """The activity list's filters (page and API alike)."""

    partnership_id: int | None = option(
        None,
        label=_("Partnership"),
        param="partnership",
        picker="partnerships",
        empty=_("Any partnership"),
    )
    kind: str = option(
        "", label=_("Kind"), choices=ActivityKind.choices, empty=_("All kinds of activity")
    )
    partnership_kind: str = option(
        "",
        label=_("Kind of partnership"),
        choices=PartnershipKind.choices,
        empty=_("All kinds of partnership"),
    )
    region_id: int | None = region_option(
        _("Activities with a participating institution in this region.")
    )
    institution_id: int | None = option(
        None,
        label=_("Institution"),
        param="institution",
        picker="institutions",
        empty=_("Any institution"),
    )
    date_from: str = option("", label=_("From"), field=DateTextField)
    date_to: str = option("", label=_("Until"), field=DateTextField)


def activities_for(actor: Actor, filters: ActivityFilters | None = None) -> QuerySet[Activity]:
    """Activities the actor may read, newest first, with what a timeline shows."""
    f = filters or ActivityFilters()
    qs = Activity.objects.filter(access.read_q(actor, Activity))
    if f.partnership_id is not None:
        qs = qs.filter(partnership_id=f.partnership_id)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.partnership_kind:
        qs = qs.filter(partnership__kind=f.partnership_kind)
    if f.region_id is not None:
        region = Region.objects.filter(pk=f.region_id).only("path").first()
        paths = [region.path] if region is not None else []
        taking_part = Activity.institutions.through.objects.filter(
            under_paths_q(paths, "institution__region_path"), activity=OuterRef("pk")
        )
        qs = qs.filter(Exists(taking_part))
    if f.institution_id is not None:
        qs = qs.filter(institutions=f.institution_id)
    if f.date_from:
        qs = qs.filter(occurred_on__gte=dt.date.fromisoformat(f.date_from))
    if f.date_to:
        qs = qs.filter(occurred_on__lte=dt.date.fromisoformat(f.date_to))
    qs = qs.select_related("partnership", "logged_for__institution").prefetch_related(
        Prefetch("institutions", queryset=Institution.objects.only("pk", "name")),
    )
    return access.annotate(actor, qs.order_by("-occurred_on", "-id"), read=True)


def activity_detail(actor: Actor, pk: int) -> Activity:
    obj = activities_for(actor).prefetch_related("people").filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def institution_for_timeline(actor: Actor, pk: int) -> Institution:
    """The institution whose timeline is asked for: any the actor reads activities of."""
    inst = Institution.objects.filter(pk=pk).select_related("region").first()
    if inst is None:
        raise NotFound()
    return inst
