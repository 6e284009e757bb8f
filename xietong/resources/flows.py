"""The flows of use: who uses whose shared resources, term by term (proof of use).

A flow runs from a provider (a Beijing or Tianjin institution, or its city) to a user side
(the using school, its county, or a region group: 北三县, 滨海新区, 雄安新区). Every number
is one grouped query over :class:`~.models.Use`, scoped by the Use policy
(``access.read_q(actor, Use)``): a county authority sees the flows into its county and out
of its providers, a provider's admin the flows of its own resources.

A use runs *along a partnership* when, on the day of use, the using institution and the
provider are both members (``joined_on`` ≤ day ≤ ``left_on``) of one active partnership
whose period covers the day — an ``EXISTS`` in SQL (:func:`along_partnership`). Ended
partnerships do not count. Uses recorded without a user institution (a person with no
school) have no user side and are left out of the flows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Substr
from django.utils.translation import get_language, gettext_lazy, pgettext, pgettext_lazy
from django.utils.translation import gettext as _

from xietong import access
from xietong.access import capability
from xietong.access import reach as r
from xietong.access.actor import Actor
from xietong.accounts.models import Role
from xietong.core.errors import InvalidInput, NotFound, PermissionDenied
from xietong.core.filters import option
from xietong.core.termfields import (
    MAX_TERMS,
    TermCodeField,
    check_span_length,
    current_term,
    terms_in,
)
from xietong.core.terms import SchoolTerm, TermError, TermSpan
from xietong.institutions.models import Institution
from xietong.partnerships.choices import PartnershipStatus
from xietong.partnerships.models import Member
from xietong.regions.models import Region, RegionGroup
from xietong.regions.selectors import under_paths_q
from xietong.resources.choices import UseKind
from xietong.resources.models import Resource, Use

# Who opens the flows: authorities and provider admins (stricter than resources.browse).
capability("resources.flows", Role.AUTHORITY_ADMIN, Role.AUTHORITY_VIEWER, Role.INSTITUTION_ADMIN)

# The user-side region groups the flows name, in this order (first match wins).
FLOW_GROUPS = ("beisanxian", "binhai", "xiongan")
# Provinces without a city level: a provider's "city" is the province itself.
MUNICIPALITIES = ("110000/", "120000/", "310000/", "500000/")
BJTJ = ("110000/", "120000/")
HEBEI = "130000/"
OTHER = "other"
TABLE_ROWS = 200
CHART_LINKS = 60
TOP_SCHOOLS = 10
PROVIDER_RESOURCES = 100
PROVIDER_FEEDBACK = 10


class Level:
    INSTITUTION = "institution"
    REGION = "region"
    GROUP = "group"


LEVELS = [
    (Level.INSTITUTION, gettext_lazy("Institution → school")),
    (Level.REGION, gettext_lazy("City → county")),
    (Level.GROUP, gettext_lazy("City → region group")),
]


def group_choices() -> list[tuple[str, str]]:
    return [(g.key, label_of_group(g)) for g in RegionGroup.objects.order_by("key")]


def label_of_group(g: RegionGroup) -> str:
    lang = get_language() or ""
    return g.name_en if lang.startswith("en") and g.name_en else g.name


@dataclass(frozen=True)
class FlowFilters:
    term: str = option(
        "",
        label=gettext_lazy("Term"),
        field=TermCodeField,
        help=gettext_lazy("2025-2026-1; empty: the latest term with uses"),
    )
    last: str = option(
        "",
        label=pgettext_lazy("resource flows", "Until term"),
        field=TermCodeField,
        help=gettext_lazy("the last term of a range; empty: one term"),
    )
    by: str = option(
        Level.REGION,
        label=pgettext_lazy("resource flows", "Grouped by"),
        choices=LEVELS,
        empty=None,
    )
    group: str = option(
        "",
        label=pgettext_lazy("resource flows", "Users in"),
        choices=group_choices,
        empty=pgettext_lazy("resource flows", "Every area"),
        max_length=30,
    )


# --- scope and spans ----------------------------------------------------------------------


def _gate(actor: Actor) -> None:
    if not access.can(actor, "resources.flows"):
        raise PermissionDenied(_("Your roles do not include the flows of shared resources."))


def visible_uses(actor: Actor) -> QuerySet[Use]:
    """The uses the actor reads, with a user institution (the flows' rows)."""
    return Use.objects.filter(access.read_q(actor, Use), institution__isnull=False)


def latest_term(uses: QuerySet[Use]) -> SchoolTerm:
    """The latest term with uses in ``uses``; today's term when there are none."""
    key = uses.order_by("-term").values_list("term", flat=True).first()
    if key is None:
        return current_term()
    return SchoolTerm.from_key(key)


def span_of(f: FlowFilters, uses: QuerySet[Use]) -> TermSpan:
    """The terms the filters name (parsed, in order, at most ``termfields.MAX_TERMS``)."""
    try:
        first = SchoolTerm.parse(f.term) if f.term else latest_term(uses)
        last = SchoolTerm.parse(f.last) if f.last else first
        span = TermSpan(first, last)
    except TermError as e:
        raise InvalidInput(e.message, fields={"last" if f.last else "term": [e.message]}) from e
    return check_span_length(span)


def check(f: FlowFilters) -> FlowFilters:
    """Refuse a grouping or a region group that does not exist, with its own message
    (no grouping: by region)."""
    if not f.by:
        f = dataclasses.replace(f, by=Level.REGION)
    if f.by not in {v for v, _label in LEVELS}:
        message = _("“%(value)s” is not a way to group the flows; choose %(choices)s.") % {
            "value": f.by[:40],
            "choices": ", ".join(v for v, _label in LEVELS),
        }
        raise InvalidInput(message, fields={"by": [message]})
    if f.group and not RegionGroup.objects.filter(key=f.group).exists():
        message = _("“%(value)s” is not a region group.") % {"value": f.group[:40]}
        raise InvalidInput(message, fields={"group": [message]})
    return f


# --- the SQL expressions ------------------------------------------------------------------


def along_partnership(prefix: str = "") -> Exists:
    """The use's institution and provider are members of one active partnership on the
    day of use (both members' and the partnership's periods cover the day)."""
    day = OuterRef(f"{prefix}used_on")
    provider_member = Member.objects.filter(
        partnership_id=OuterRef("partnership_id"),
        institution_id=OuterRef(OuterRef(f"{prefix}provider_id")),
        joined_on__lte=OuterRef(day),
    ).filter(Q(left_on__isnull=True) | Q(left_on__gte=OuterRef(day)))
    user_member = (
        Member.objects.filter(
            institution_id=OuterRef(f"{prefix}institution_id"),
            joined_on__lte=day,
            partnership__status=PartnershipStatus.ACTIVE,
            partnership__starts_on__lte=day,
        )
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .filter(Q(partnership__ends_on__isnull=True) | Q(partnership__ends_on__gte=day))
        .filter(Exists(provider_member))
    )
    return Exists(user_member)


def city_of(path_field: str) -> Any:
    """The city-level path of ``path_field`` (a municipality's: the province's)."""
    return Case(
        *[
            When(**{f"{path_field}__startswith": m}, then=Substr(path_field, 1, 7))
            for m in MUNICIPALITIES
        ],
        default=Substr(path_field, 1, 14),
    )


def group_of(paths_by_group: Sequence[tuple[str, list[str]]]) -> Any:
    """The key of the first group whose member regions hold the use's region, else "other"."""
    whens = [
        When(under_paths_q(paths, "region_path"), then=Value(key))
        for key, paths in paths_by_group
        if paths
    ]
    if not whens:
        return Value(OTHER)
    return Case(*whens, default=Value(OTHER))


def groups_paths(keys: Iterable[str]) -> list[tuple[str, list[str]]]:
    """Each group's member paths (one query), in the order of ``keys``."""
    keys = list(keys)
    found: dict[str, list[str]] = {k: [] for k in keys}
    rows = Region.objects.filter(groups__key__in=keys).values_list("groups__key", "path")
    for key, path in rows.order_by("path"):
        found[key].append(path)
    return [(k, found[k]) for k in keys]


# --- the flows ----------------------------------------------------------------------------


@dataclass
class Node:
    id: str
    name: str
    side: str  # "provider" or "user"
    value: int = 0


@dataclass
class FlowRow:
    source: str
    target: str
    provider: str
    user: str
    uses: int
    lesson_uses: int
    teachers: int
    schools: int
    along: int


@dataclass
class TermShare:
    term: SchoolTerm
    uses: int
    along: int

    @property
    def share(self) -> float | None:
        return round(100 * self.along / self.uses, 1) if self.uses else None


@dataclass
class Flows:
    span: TermSpan
    by: str
    group: str
    rows: list[FlowRow]
    nodes: list[Node]
    truncated: bool
    totals: dict[str, int]
    shares: list[TermShare]
    group_label: str = ""
    links: list[FlowRow] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        uses = self.totals.get("uses", 0)
        return round(100 * self.totals.get("along", 0) / uses, 1) if uses else None


def _counts() -> dict[str, Any]:
    return {
        "uses": Count("pk"),
        "lesson_uses": Count("pk", filter=Q(kind=UseKind.LESSON)),
        "teachers": Count("staff_id", distinct=True),
        "schools": Count("institution_id", distinct=True),
        "along": Count("pk", filter=Q(along_partnership())),
    }


def flows(actor: Actor, f: FlowFilters) -> Flows:
    """The flows of the filters' terms, grouped by ``f.by``, within the actor's scope."""
    _gate(actor)
    f = check(f)
    base = visible_uses(actor)
    span = span_of(f, base)
    uses = base.filter(term__range=span.keys)
    group_label = ""
    if f.group:
        ((key, paths),) = groups_paths([f.group])
        uses = uses.filter(under_paths_q(paths, "region_path"))
        group_label = label_of_group(RegionGroup.objects.get(key=key))
    if f.by == Level.INSTITUTION:
        source, target = F("provider_id"), F("institution_id")
    elif f.by == Level.REGION:
        source, target = city_of("provider__region_path"), F("region_path")
    else:
        source, target = city_of("provider__region_path"), group_of(groups_paths(FLOW_GROUPS))
    grouped = (
        uses.order_by()
        .annotate(src=source, dst=target)
        .values("src", "dst")
        .annotate(**_counts())
        .order_by("-uses", "src", "dst")
    )
    raw = list(grouped[: TABLE_ROWS + 1])
    truncated = len(raw) > TABLE_ROWS
    raw = raw[:TABLE_ROWS]
    names = _names(f.by, raw)
    rows = [
        FlowRow(
            source=f"p:{x['src']}",
            target=f"u:{x['dst']}",
            provider=names[0].get(x["src"], str(x["src"])),
            user=names[1].get(x["dst"], str(x["dst"])),
            uses=x["uses"],
            lesson_uses=x["lesson_uses"],
            teachers=x["teachers"],
            schools=x["schools"],
            along=x["along"],
        )
        for x in raw
    ]
    totals = uses.order_by().aggregate(**_counts())
    totals = {k: v or 0 for k, v in totals.items()}
    links = rows[:CHART_LINKS]
    return Flows(
        span=span,
        by=f.by,
        group=f.group,
        rows=rows,
        nodes=_nodes(links),
        truncated=truncated or len(rows) > CHART_LINKS,
        totals=totals,
        shares=shares(uses, span),
        group_label=group_label,
        links=links,
    )


def _nodes(links: list[FlowRow]) -> list[Node]:
    nodes: dict[str, Node] = {}
    for row in links:
        for key, name, side in (
            (row.source, row.provider, "provider"),
            (row.target, row.user, "user"),
        ):
            node = nodes.setdefault(key, Node(key, name, side))
            node.value += row.uses
    return sorted(nodes.values(), key=lambda n: (n.side != "provider", -n.value, n.name))


def _names(by: str, raw: list[dict[str, Any]]) -> tuple[dict[Any, str], dict[Any, str]]:
    """The display names of the rows' sources and targets (one or two queries); a county
    is named with its city (廊坊市三河市), as two cities may have counties of one name."""
    src = {x["src"] for x in raw}
    dst = {x["dst"] for x in raw}
    if by == Level.INSTITUTION:
        found = dict(Institution.objects.filter(pk__in=src | dst).values_list("pk", "name"))
        return found, found
    paths = src | (dst if by == Level.REGION else set())
    regions = {
        path: f"{parent}{name}" if level == Region.Level.COUNTY and parent else name
        for path, name, level, parent in Region.objects.filter(path__in=paths).values_list(
            "path", "name", "level", "parent__name"
        )
    }
    if by == Level.REGION:
        return regions, regions
    groups = {g.key: label_of_group(g) for g in RegionGroup.objects.filter(key__in=dst)}
    groups[OTHER] = pgettext("resource flows", "Other areas")
    return regions, groups


def shares(uses: QuerySet[Use], span: TermSpan) -> list[TermShare]:
    """Per term of the span: the uses and those along a partnership (one grouped query)."""
    rows = {
        x["term"]: x
        for x in uses.order_by()
        .values("term")
        .annotate(uses=Count("pk"), along=Count("pk", filter=Q(along_partnership())))
    }
    return [
        TermShare(t, rows.get(t.key, {}).get("uses", 0), rows.get(t.key, {}).get("along", 0))
        for t in terms_in(span)
    ]


# --- one provider -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderFilters:
    term: str = option(
        "",
        label=gettext_lazy("Term"),
        field=TermCodeField,
        help=gettext_lazy("empty: every term"),
    )
    last: str = option(
        "",
        label=pgettext_lazy("resource flows", "Until term"),
        field=TermCodeField,
        help=gettext_lazy("the last term of a range; empty: one term"),
    )


@dataclass
class ProviderView:
    provider: Institution
    span: TermSpan | None
    terms: list[dict[str, Any]]
    resources: list[dict[str, Any]]
    schools: list[dict[str, Any]]
    totals: dict[str, Any]
    feedback: list[dict[str, Any]]  # the latest words of the users, school and day


def providers_for(actor: Actor) -> QuerySet[Institution]:
    """The institutions whose provider view the actor opens: those it administers (a
    branch's parent too) and those within its authority's region."""
    return Institution.objects.filter(r.school()(actor, "") | r.viewer()(actor, ""))


def own_provider(actor: Actor) -> Institution | None:
    """The institution an admin keeps resources for (its first), for "my provider view"."""
    ids = actor.admin_institution_ids
    return Institution.objects.filter(pk__in=ids).order_by("pk").first() if ids else None


def provider_of(actor: Actor, pk: int) -> Institution:
    """The provider whose view the actor opens, or NotFound."""
    _gate(actor)
    provider = providers_for(actor).select_related("region").filter(pk=pk).first()
    if provider is None:
        raise NotFound(_("This institution does not exist or its provider view is not yours."))
    return provider


def provider_view(actor: Actor, pk: int, f: ProviderFilters) -> ProviderView:
    """One provider's resources and their use by term, for its keepers and authorities."""
    provider = provider_of(actor, pk)
    uses = visible_uses(actor).filter(provider_id=pk)
    span: TermSpan | None = None
    if f.term or f.last:
        span = span_of(FlowFilters(term=f.term or f.last, last=f.last), uses)
    in_span = uses.filter(term__range=span.keys) if span else uses
    per_term = [
        {"term": SchoolTerm.from_key(x.pop("term")), **x, "share": _share(x)}
        for x in uses.order_by()
        .values("term")
        .annotate(**_counts())
        .order_by("-term")[: MAX_TERMS * 2]
    ]
    per_resource = {
        x["resource_id"]: x
        for x in in_span.order_by()
        .values("resource_id")
        .annotate(
            uses=Count("pk"),
            lesson_uses=Count("pk", filter=Q(kind=UseKind.LESSON)),
            teachers=Count("staff_id", distinct=True),
            schools=Count("institution_id", distinct=True),
        )
    }
    resources = []
    readable = Resource.objects.filter(access.read_q(actor, Resource), provider_id=pk)
    for res in readable.order_by("-uses", "title", "pk").only(
        "pk", "title", "kind", "status", "uses", "lesson_uses", "rating_count", "rating_sum"
    )[:PROVIDER_RESOURCES]:
        found = per_resource.get(res.pk, {})
        resources.append(
            {
                "resource": res,
                "uses": found.get("uses", 0),
                "lesson_uses": found.get("lesson_uses", 0),
                "teachers": found.get("teachers", 0),
                "schools": found.get("schools", 0),
                "rating": res.rating,
                "rating_count": res.rating_count,
            }
        )
    schools = list(
        in_span.order_by()
        .values("institution_id", "institution__name", "institution__region__name")
        .annotate(
            uses=Count("pk"),
            lesson_uses=Count("pk", filter=Q(kind=UseKind.LESSON)),
            teachers=Count("staff_id", distinct=True),
        )
        .order_by("-uses", "institution__name")[:TOP_SCHOOLS]
    )
    totals: dict[str, Any] = {
        k: v or 0 for k, v in in_span.order_by().aggregate(**_counts()).items()
    }
    ratings = readable.aggregate(n=Sum("rating_count"), total=Sum("rating_sum"))
    totals["rating_count"] = ratings["n"] or 0
    totals["rating"] = round(ratings["total"] / ratings["n"], 1) if ratings["n"] else None
    totals["resources"] = readable.count()
    totals["share"] = _share(totals)
    latest = in_span.exclude(feedback="").order_by("-used_on", "-id")
    feedback = [
        dict(x)
        for x in latest.values(
            "feedback", "kind", "used_on", "resource_id", "resource__title", "institution__name"
        )[:PROVIDER_FEEDBACK]
    ]
    return ProviderView(provider, span, per_term, resources, schools, totals, feedback)


def _share(row: dict[str, Any]) -> float | None:
    return round(100 * row["along"] / row["uses"], 1) if row.get("uses") else None
