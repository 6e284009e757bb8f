"""Every read of partnerships: takes the actor, returns only what it may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from xietong import access
from xietong.accounts.access import Actor
from xietong.core.errors import NotFound
from xietong.core.filters import DateTextField, option
from xietong.partnerships import access as _declarations  # noqa: F401  (declares the rules)
from xietong.partnerships.choices import PartnershipKind, PartnershipStatus
from xietong.partnerships.models import Dispatch, Member, Partnership, PartnershipTerm
from xietong.regions.models import Region
from xietong.regions.selectors import under_paths_q


def region_option(help: Any = None) -> Any:
    """The region filter of partnerships' lists (``?region=<id>``, the regions picker)."""
    return option(
        None, label=_("Region"), param="region", picker="regions", empty=_("All regions"), help=help
    )


@dataclass(frozen=True)
class PartnershipFilters:
    """The partnership list's filters (page and API alike)."""

    kind: str = option("", label=_("Kind"), choices=PartnershipKind.choices, empty=_("All kinds"))
    status: str = option(
        "",
        label=_("Status"),
        choices=PartnershipStatus.choices,
        empty=_("All statuses"),
    )
    region_id: int | None = region_option(
        _("Partnerships managed in this region or with a member in it.")
    )
    institution_id: int | None = option(
        None,
        label=_("Member institution"),
        param="institution",
        picker="institutions",
        empty=_("Any institution"),
    )
    q: str = option("", label=_("Name"), max_length=50, placeholder=_("Part of the name"))
    active_on: str = option(
        "",
        label=_("Active on"),
        field=DateTextField,
        help=_("Partnerships whose period includes this date."),
    )


def period_covers_q(day: dt.date, prefix: str = "") -> Q:
    """Rows (partnerships, members, dispatches) whose period includes ``day``."""
    return Q(**{f"{prefix}starts_on__lte": day}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day})
    )


def _member_under(paths: list[str]) -> Exists:
    return Exists(Member.objects.filter(under_paths_q(paths), partnership=OuterRef("pk")))


def partnerships_for(
    actor: Actor, filters: PartnershipFilters | None = None
) -> QuerySet[Partnership]:
    """Partnerships the actor may read, filtered, each marked with the actor's relations
    (``access.actions`` needs no query per row) and its number of members."""
    f = filters or PartnershipFilters()
    qs = Partnership.objects.filter(access.read_q(actor, Partnership)).select_related(
        "region", "institute"
    )
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.region_id is not None:
        region = Region.objects.filter(pk=f.region_id).only("path").first()
        paths = [region.path] if region is not None else []
        qs = qs.filter(under_paths_q(paths, "region_path") | Q(_member_under(paths)))
    if f.institution_id is not None:
        qs = qs.filter(
            Exists(
                Member.objects.filter(institution_id=f.institution_id, partnership=OuterRef("pk"))
            )
        )
    if f.q:
        qs = qs.filter(name__icontains=f.q)
    if f.active_on:
        qs = qs.filter(period_covers_q(dt.date.fromisoformat(f.active_on)))
    members = (
        Member.objects.filter(partnership=OuterRef("pk"))
        .order_by()
        .values("partnership")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = qs.annotate(member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0))
    return access.annotate(actor, qs, read=True)


def partnership_detail(actor: Actor, pk: int) -> Partnership:
    """One partnership with its members, terms and dispatched people (NotFound if hidden)."""
    obj = (
        partnerships_for(actor)
        .filter(pk=pk)
        .prefetch_related(
            Prefetch(
                "members",
                queryset=Member.objects.select_related(
                    "institution", "institution__region", "institution__parent"
                ).order_by("role", "joined_on", "id"),
            ),
            Prefetch("terms", queryset=PartnershipTerm.objects.order_by("school_year")),
            Prefetch(
                "dispatches",
                queryset=Dispatch.objects.select_related(
                    "staff", "staff__institution", "host"
                ).order_by("starts_on", "id"),
            ),
        )
        .first()
    )
    if obj is None:
        raise NotFound()
    return obj


def _child(actor: Actor, model: Any, pk: int, partnership_id: int | None = None) -> Any:
    qs = model.objects.filter(access.read_q(actor, model), pk=pk).select_related("partnership")
    if partnership_id is not None:
        qs = qs.filter(partnership_id=partnership_id)
    obj = qs.first()
    if obj is None:
        raise NotFound()
    return obj


def member_detail(actor: Actor, pk: int, partnership_id: int | None = None) -> Member:
    return _child(actor, Member, pk, partnership_id)  # type: ignore[no-any-return]


def term_detail(actor: Actor, pk: int, partnership_id: int | None = None) -> PartnershipTerm:
    return _child(actor, PartnershipTerm, pk, partnership_id)  # type: ignore[no-any-return]


def dispatch_detail(actor: Actor, pk: int, partnership_id: int | None = None) -> Dispatch:
    return _child(actor, Dispatch, pk, partnership_id)  # type: ignore[no-any-return]


def partnerships_of(actor: Actor, institution_id: int) -> QuerySet[Partnership]:
    """The partnerships the actor may read that an institution is a member of."""
    return partnerships_for(actor, PartnershipFilters(institution_id=institution_id))


def drafts_to_activate(actor: Actor) -> QuerySet[Partnership]:
    """Draft partnerships the actor may activate (it manages their region), oldest first."""
    return (
        Partnership.objects.filter(access.verb_q(actor, Partnership, "activate"))
        .select_related("region")
        .order_by("created_at", "id")
    )
