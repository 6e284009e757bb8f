"""The collaboration network read live for any date: the press's measure, the graph, gaps.

The press reports "N Beijing/Tianjin schools cooperating with M Hebei schools". Here that is:

* a partnership *counts on a day* when its status is active or ended, its period covers
  the day, and among its members on that day (joined on or before it, not left before it)
  there is a Beijing or Tianjin school **and** a Hebei school;
* a *school* is any institution but an authority, a teacher-training institution or a
  research institute;
* N is the number of distinct Beijing (``110000/``) or Tianjin (``120000/``) schools that are
  members on that day of a partnership that counts, M the distinct Hebei (``130000/``)
  schools likewise.

:func:`cooperation_counts` is the one place this is computed (page, API and CLI call it).
The filters narrow which partnerships count (``kind``) and which schools are counted on
each side (``stage``; ``region`` and ``group`` narrow the side they lie in).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.filters import DateTextField, option
from xietong.core.terms import SchoolTerm
from xietong.institutions.choices import Kind, Stage
from xietong.institutions.models import Institution
from xietong.partnerships.choices import PartnershipKind, PartnershipStatus
from xietong.partnerships.models import Activity, Member, Partnership
from xietong.partnerships.selectors import region_option
from xietong.regions.models import Region, RegionGroup
from xietong.regions.selectors import under_paths_q

BJTJ = ("110000/", "120000/")
HEBEI = "130000/"
NOT_SCHOOLS = (Kind.AUTHORITY, Kind.TRAINING, Kind.RESEARCH)
COUNTING = (PartnershipStatus.ACTIVE, PartnershipStatus.ENDED)
BASIC_STAGES = (Stage.PRESCHOOL, Stage.PRIMARY, Stage.JUNIOR, Stage.SENIOR)
XIONGAN = "xiongan"
BEISANXIAN = "beisanxian"


def _groups() -> list[tuple[str, str]]:
    return [(g.key, g.name) for g in RegionGroup.objects.order_by("key")]


@dataclass(frozen=True)
class NetworkFilters:
    """The network's filters (page, API and CLI alike)."""

    date: str = option(
        "", label=_("On"), field=DateTextField, help=_("The day the network is read for.")
    )
    kind: str = option("", label=_("Kind"), choices=PartnershipKind.choices, empty=_("All kinds"))
    stage: str = option("", label=_("Stage"), choices=Stage.choices, empty=_("All stages"))
    region_id: int | None = region_option()
    group: str = option("", label=_("Region group"), choices=_groups, empty=_("All groups"))

    def day(self) -> dt.date:
        return dt.date.fromisoformat(self.date) if self.date else timezone.localdate()


@dataclass(frozen=True)
class Counts:
    day: dt.date
    bjtj: int
    hebei: int


def _area_paths(f: NetworkFilters) -> list[str] | None:
    """The region paths the region and group filters narrow to (None: no narrowing)."""
    paths: list[str] | None = None
    if f.region_id is not None:
        region = Region.objects.filter(pk=f.region_id).only("path").first()
        paths = [region.path] if region else []
    if f.group:
        group = [m.path for m in Region.objects.filter(groups__key=f.group).only("path")]
        if paths is None:
            paths = group
        else:
            region_paths = paths
            paths = [p for p in group if any(p.startswith(q) for q in region_paths)]
            paths += [q for q in region_paths if any(q.startswith(p) for p in group)]
    return paths


def _member_on(day: dt.date, prefix: str = "") -> Q:
    """Member rows (``prefix`` before the field names) that had joined by ``day`` and not
    left before it."""
    p = prefix
    return Q(**{f"{p}joined_on__lte": day}) & (
        Q(**{f"{p}left_on__isnull": True}) | Q(**{f"{p}left_on__gte": day})
    )


def _partnership_on(day: dt.date) -> Q:
    """Member rows whose partnership is active or ended and in force on ``day``."""
    return Q(partnership__status__in=COUNTING, partnership__starts_on__lte=day) & (
        Q(partnership__ends_on__isnull=True) | Q(partnership__ends_on__gte=day)
    )


def _counting_on(day: dt.date) -> Q:
    """Member rows counting on ``day``: joined, not left, their partnership in force."""
    return _partnership_on(day) & _member_on(day)


def _schools(f: NetworkFilters, prefix: str = "") -> Q:
    """School members (``prefix`` before the field names), the stage applied.

    Said positively (the kinds that are schools): a negated condition across the
    partnership's other members would exclude the partnerships with any non-school member.
    """
    q = Q(**{f"{prefix}institution__kind__in": [k for k in Kind.values if k not in NOT_SCHOOLS]})
    if f.stage:
        q &= Q(**{f"{prefix}institution__stages__contains": f",{f.stage},"})
    return q


def _kind(f: NetworkFilters) -> Q:
    return Q(partnership__kind=f.kind) if f.kind else Q()


def members_on(day: dt.date, f: NetworkFilters | None = None) -> QuerySet[Member]:
    """School members on ``day`` of partnerships counting on it (kind and stage applied)."""
    f = f or NetworkFilters()
    return Member.objects.filter(_schools(f), _kind(f), _counting_on(day))


def _side_qs(paths: list[str] | None, prefix: str = "") -> tuple[Q, Q]:
    """Where each side's members lie: Beijing/Tianjin and Hebei, each narrowed by the
    ``paths`` that lie on its side (None: no narrowing)."""
    field = f"{prefix}region_path"
    bjtj = under_paths_q(list(BJTJ), field)
    hebei = Q(**{f"{field}__startswith": HEBEI})
    if paths is not None:
        if any(p.startswith(BJTJ) for p in paths):
            bjtj &= under_paths_q([p for p in paths if p.startswith(BJTJ)], field)
        if any(p.startswith(HEBEI) for p in paths):
            hebei &= under_paths_q([p for p in paths if p.startswith(HEBEI)], field)
        if not any(p.startswith((*BJTJ, HEBEI)) for p in paths):
            hebei = Q(pk__in=[])
    return bjtj, hebei


_UNSET: Any = object()


def sides_on(
    day: dt.date, f: NetworkFilters, paths: list[str] | None = _UNSET
) -> tuple[QuerySet[Member], QuerySet[Member]]:
    """The Beijing/Tianjin and the Hebei members counted on ``day``: each side's members
    with a member of the other side in the same partnership. ``paths`` (the region paths
    to narrow to) default to the filters' region and group."""
    members = members_on(day, f)
    bjtj_q, hebei_q = _side_qs(_area_paths(f) if paths is _UNSET else paths)
    bjtj, hebei = members.filter(bjtj_q), members.filter(hebei_q)
    bjtj_paired = bjtj.filter(Exists(hebei.filter(partnership=OuterRef("partnership"))))
    hebei_paired = hebei.filter(Exists(bjtj.filter(partnership=OuterRef("partnership"))))
    return bjtj_paired, hebei_paired


def counts_on_days(
    days: list[dt.date], f: NetworkFilters, paths: list[str] | None = _UNSET
) -> dict[dt.date, Counts]:
    """:func:`cooperation_counts` for each of ``days``, in one query (a trend's quarters).

    The definition of :func:`sides_on` over the pairs of members of one partnership (a
    self-join): on each day, the distinct schools of one side with a member of the other
    side in the same partnership, both counting that day.
    """
    if not days:
        return {}
    other = "partnership__members__"
    bjtj_q, hebei_q = _side_qs(_area_paths(f) if paths is _UNSET else paths)
    bjtj_o, hebei_o = _side_qs(_area_paths(f) if paths is _UNSET else paths, other)
    first, last = min(days), max(days)
    pairs = Member.objects.filter(
        _schools(f),
        _schools(f, other),
        _kind(f),
        Q(partnership__status__in=COUNTING, partnership__starts_on__lte=last),
        Q(partnership__ends_on__isnull=True) | Q(partnership__ends_on__gte=first),
        Q(joined_on__lte=last) & (Q(left_on__isnull=True) | Q(left_on__gte=first)),
        Q(**{f"{other}joined_on__lte": last})
        & (Q(**{f"{other}left_on__isnull": True}) | Q(**{f"{other}left_on__gte": first})),
        (bjtj_q & hebei_o) | (hebei_q & bjtj_o),
    )
    # A pair counts on a day between the latest of its three beginnings (the partnership's
    # start, each member's joining) and the earliest of its three ends.
    never = dt.date.max
    pairs = pairs.annotate(
        xt_side=Case(When(bjtj_q & hebei_o, then=Value("b")), default=Value("h")),
        xt_from=Greatest("partnership__starts_on", "joined_on", f"{other}joined_on"),
        xt_until=Least(
            Coalesce("partnership__ends_on", Value(never)),
            Coalesce("left_on", Value(never)),
            Coalesce(f"{other}left_on", Value(never)),
        ),
    )
    aggregates: dict[str, Any] = {}
    for i, day in enumerate(days):
        on_day = Q(xt_from__lte=day, xt_until__gte=day)
        aggregates[f"b{i}"] = Count("institution_id", distinct=True, filter=on_day & Q(xt_side="b"))
        aggregates[f"h{i}"] = Count("institution_id", distinct=True, filter=on_day & Q(xt_side="h"))
    row = pairs.aggregate(**aggregates)
    return {d: Counts(d, row[f"b{i}"] or 0, row[f"h{i}"] or 0) for i, d in enumerate(days)}


def cooperating_schools(
    day: dt.date, filters: NetworkFilters | None = None, paths: list[str] | None = _UNSET
) -> tuple[QuerySet[Institution], QuerySet[Institution]]:
    """The schools :func:`cooperation_counts` counts on ``day``: (Beijing/Tianjin, Hebei)."""
    f = filters or NetworkFilters()
    bjtj, hebei = sides_on(day, f, paths)
    return (
        Institution.objects.filter(pk__in=bjtj.values("institution_id")),
        Institution.objects.filter(pk__in=hebei.values("institution_id")),
    )


def cooperation_counts(day: dt.date, filters: NetworkFilters | None = None) -> Counts:
    """N Beijing/Tianjin schools cooperating with M Hebei schools on ``day``: the counts of
    :func:`cooperating_schools`.

    >>> cooperation_counts(dt.date(2025, 11, 30))  # doctest: +SKIP
    Counts(day=datetime.date(2025, 11, 30), bjtj=314, hebei=496)
    """
    bjtj, hebei = cooperating_schools(day, filters)
    return Counts(day, bjtj.count(), hebei.count())


def xiongan_partner_schools(day: dt.date) -> QuerySet[Institution]:
    """Xiong'an schools cooperating on ``day`` with a Beijing/Tianjin school."""
    _bjtj, hebei = cooperating_schools(day)
    xa_paths = list(Region.objects.filter(groups__key=XIONGAN).values_list("path", flat=True))
    return hebei.filter(under_paths_q(xa_paths))


def stages_covered(schools: QuerySet[Institution]) -> list[str]:
    """The basic stages (preschool … senior) at least one of ``schools`` teaches (one query)."""
    found = schools.aggregate(
        **{s.value: Count("pk", filter=Q(stages__contains=f",{s.value},")) for s in BASIC_STAGES}
    )
    return [s.value for s in BASIC_STAGES if found[s.value]]


@dataclass(frozen=True)
class Graph:
    nodes: list[dict[str, Any]]
    links: list[dict[str, Any]]
    truncated: bool


def network_graph(day: dt.date, f: NetworkFilters, limit: int = 1500) -> Graph:
    """The schools of both sides as nodes, one link per Beijing/Tianjin–Hebei pair."""
    bjtj, hebei = sides_on(day, f)
    left = list(bjtj.values_list("partnership_id", "institution_id", "partnership__kind"))
    right = list(hebei.values_list("partnership_id", "institution_id"))
    by_p: dict[int, list[int]] = {}
    for pid, inst in right:
        by_p.setdefault(pid, []).append(inst)
    pairs: dict[tuple[int, int], str] = {}
    for pid, inst, kind in left:
        for other in by_p.get(pid, ()):
            pairs.setdefault((inst, other), kind)
    ids = {i for pair in pairs for i in pair}
    truncated = len(ids) > limit
    if truncated:
        keep = sorted(ids)[:limit]
        ids = set(keep)
        pairs = {k: v for k, v in pairs.items() if k[0] in ids and k[1] in ids}
    insts = (
        Institution.objects.filter(pk__in=ids)
        .select_related("region")
        .only("pk", "name", "kind", "region__name", "region_path")
    )
    degree: dict[int, int] = {}
    for a, b in pairs:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    nodes = [
        {
            "id": str(i.pk),
            "name": i.name,
            "region": i.region.name,
            "category": 0
            if i.region_path.startswith("110000/")
            else 1
            if i.region_path.startswith("120000/")
            else 2,
            "value": degree.get(i.pk, 0),
        }
        for i in insts
    ]
    links = [{"source": str(a), "target": str(b), "kind": k} for (a, b), k in pairs.items()]
    return Graph(nodes, links, truncated)


# --- gaps -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gaps:
    day: dt.date
    counties: list[Region]
    xiongan_stages: list[tuple[str, str]]
    beisanxian_schools: list[Institution]
    beisanxian_total: int
    quiet: list[Partnership]
    term: SchoolTerm


def _within(paths: list[str] | None, path: str) -> bool:
    return paths is None or any(path.startswith(p) or p.startswith(path) for p in paths)


def last_finished_term(day: dt.date) -> SchoolTerm:
    term = SchoolTerm.containing(day)
    return term if term.ends_on < day else term.previous()


def gaps(day: dt.date, paths: list[str] | None, *, school_limit: int = 200) -> Gaps:
    """The gaps on ``day`` within ``paths`` (None: everywhere).

    Hebei counties with no Hebei school cooperating with a Beijing/Tianjin school; the basic
    stages of Xiong'an with no partner; the schools of 北三县 without a partner; active
    partnerships with no activity in the last finished term.
    """
    _bjtj, covered = cooperating_schools(day)
    partnered = covered.values("pk")
    counties = Region.objects.filter(level=Region.Level.COUNTY, path__startswith=HEBEI)
    if paths is not None:
        counties = counties.filter(under_paths_q(paths, "path"))
    covered_paths = set(covered.values_list("region_path", flat=True))
    county_gaps = [
        c for c in counties.order_by("path") if not any(p.startswith(c.path) for p in covered_paths)
    ]
    xa_paths = list(Region.objects.filter(groups__key=XIONGAN).values_list("path", flat=True))
    xa_stages: list[tuple[str, str]] = []
    if any(_within(paths, p) for p in xa_paths):
        covered_stages = stages_covered(covered.filter(under_paths_q(xa_paths)))
        xa_stages = [(s.value, str(s.label)) for s in BASIC_STAGES if s not in covered_stages]
    b3_paths = list(Region.objects.filter(groups__key=BEISANXIAN).values_list("path", flat=True))
    if paths is not None:
        b3_paths = [p for p in b3_paths if _within(paths, p)]
    b3 = (
        Institution.objects.filter(under_paths_q(b3_paths))
        .exclude(kind__in=NOT_SCHOOLS)
        .exclude(pk__in=partnered)
        .select_related("region")
        .order_by("region_path", "name")
    )
    term = last_finished_term(day)
    quiet = Partnership.objects.filter(
        status=PartnershipStatus.ACTIVE, starts_on__lte=term.starts_on
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
    if paths is not None:
        quiet = quiet.filter(
            under_paths_q(paths)
            | Exists(Member.objects.filter(under_paths_q(paths), partnership=OuterRef("pk")))
        )
    quiet = quiet.exclude(
        Exists(Activity.objects.filter(partnership=OuterRef("pk"), term_key=term.key))
    ).order_by("name")
    return Gaps(
        day=day,
        counties=county_gaps,
        xiongan_stages=xa_stages,
        beisanxian_schools=list(b3[:school_limit]),
        beisanxian_total=b3.count(),
        quiet=list(quiet[:school_limit]),
        term=term,
    )


def scope_paths(actor: Any) -> list[str] | None:
    """The regions whose gaps an actor sees: its authority regions (None: the system's all)."""
    if actor.is_system_admin:
        return None
    return list(actor.authority_region_paths)
