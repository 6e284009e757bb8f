"""Synthetic partnerships at scale, so that the live network follows the reported outcomes.

The press reports "N Beijing/Tianjin schools cooperating with M Hebei schools" (facts.md):
202 ↔ 273 at the plan's signing (2023-10), 246 ↔ 370 in 2024-05 and 314 ↔ 496 in 2025-11.
After the named partnerships are loaded, this module adds partnerships between synthetic
Beijing/Tianjin schools and synthetic Hebei schools, started over 2023–2025, so that
:func:`xietong.partnerships.network.cooperation_counts` — counting the named partnerships
too — equals the target at the end of each reported month (:data:`DATES`).

At a demo scale below 1.0 the targets are scaled and rounded, with a floor (the counts of
scale :data:`FLOOR_SCALE`) so that the default 0.02 demo still shows a network; a target is
never below what the named partnerships alone give, and never above the schools there are.
Each synthetic partnership pairs one Beijing or Tianjin school with one Hebei school
(assumed: the press gives only the counts), managed in the Hebei school's county, with two
evidence-free activities a term from its start to the end of 2025.

All rows are written with :mod:`xietong.core.bulk` (one audit event per batch). The
partnerships carry :data:`NOTE` as their description: that is how a second load finds
them (and writes nothing) and how ``--replace`` removes them before the population goes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xietong.accounts import audit
from xietong.core import bulk
from xietong.core.terms import SchoolTerm
from xietong.demo import named
from xietong.demo.models import DemoLoad
from xietong.institutions.choices import Kind
from xietong.institutions.models import Institution
from xietong.partnerships.choices import ActivityKind, MemberRole, PartnershipKind
from xietong.partnerships.choices import PartnershipStatus as S
from xietong.partnerships.models import Activity, Member, Partnership
from xietong.partnerships.network import (
    BJTJ,
    HEBEI,
    NOT_SCHOOLS,
    NetworkFilters,
    cooperation_counts,
    sides_on,
)
from xietong.partnerships.recommendation_models import Proposal, RecommendationRun

NOTE = "示例数据：按报道的京津冀学校合作规模合成的合作项目。"
# The reported outcomes, read at the end of the month they were reported for (facts.md).
TARGETS: tuple[tuple[dt.date, int, int], ...] = (
    (dt.date(2023, 10, 31), 202, 273),
    (dt.date(2024, 5, 31), 246, 370),
    (dt.date(2025, 11, 30), 314, 496),
)
DATES = tuple(d for d, _n, _m in TARGETS)
STAGE_STARTS = (dt.date(2023, 1, 1), dt.date(2023, 11, 1), dt.date(2024, 6, 1))
FLOOR_SCALE = Decimal("0.1")
ACTIVITIES_PER_TERM = 2
# A share of partnerships falls quiet after some terms (the gaps page's "no activity in the
# last term"); assumed, as the press reports none.
QUIET_SHARE = 0.15
# The named partnerships' activities are on the platform from the school year the plan was
# signed in; what came before was kept on paper.
RECORDS_FROM = dt.date(2023, 9, 1)
SEED_OFFSET = 9
KINDS = (
    (PartnershipKind.PAIRED, "结对帮扶", 5),
    (PartnershipKind.DISTANCE, "远程教育", 2),
    (PartnershipKind.RESEARCH_COMMUNITY, "教研共同体", 2),
    (PartnershipKind.COOPERATIVE, "合作办学", 1),
)
ACTIVITY_TITLES: dict[str, str] = {
    ActivityKind.VISIT: "校际互访",
    ActivityKind.LECTURE: "名师专题讲座",
    ActivityKind.JOINT_RESEARCH: "联合教研",
    ActivityKind.REMOTE_CLASS: "同步课堂",
    ActivityKind.SHARED_LESSON: "同课异构",
    ActivityKind.TRAINING: "教师培训",
    ActivityKind.STUDENT_EXCHANGE: "学生研学交流",
    ActivityKind.TEAM_WORK: "派驻管理团队驻校工作",
}
# What is done under each kind of partnership (the first kinds the most often).
ACTIVITY_KINDS: dict[str, tuple[str, ...]] = {
    PartnershipKind.PAIRED: ("visit", "lecture", "shared_lesson", "remote_class", "training"),
    PartnershipKind.DISTANCE: ("remote_class", "remote_class", "shared_lesson", "lecture"),
    PartnershipKind.RESEARCH_COMMUNITY: ("joint_research", "shared_lesson", "lecture"),
    PartnershipKind.COOPERATIVE: ("shared_lesson", "joint_research", "visit", "student_exchange"),
    PartnershipKind.BRANCH: ("shared_lesson", "joint_research", "training", "visit"),
    PartnershipKind.AID: ("team_work", "lecture", "shared_lesson", "training", "visit"),
    PartnershipKind.ENTRUSTMENT: ("team_work", "joint_research", "training"),
    PartnershipKind.DISPATCHED_TEAM: ("team_work", "team_work", "training"),
    PartnershipKind.GROUP: ("joint_research", "shared_lesson", "training", "visit"),
    PartnershipKind.SCHOOL_ALLIANCE: ("joint_research", "visit", "student_exchange"),
    PartnershipKind.UNIVERSITY_ALLIANCE: ("joint_research", "lecture", "training"),
    PartnershipKind.INSTITUTE: ("joint_research", "training", "lecture"),
}


@dataclass(frozen=True)
class Result:
    status: str  # "loaded", "already_loaded", "skipped"
    partnerships: int = 0
    activities: int = 0
    counts: tuple[tuple[dt.date, int, int], ...] = ()

    def summary(self) -> str:
        if self.status == "skipped":
            return "Synthetic partnerships: none (no synthetic population)."
        if self.status == "already_loaded":
            return "Synthetic partnerships: already loaded, nothing to do."
        reached = "; ".join(f"{d}: {n} ↔ {m}" for d, n, m in self.counts)
        return (
            f"Synthetic partnerships: {self.partnerships:,} with {self.activities:,} "
            f"activities; Beijing/Tianjin ↔ Hebei schools {reached}"
        )


def targets(
    scale: Decimal | float | str,
    named_counts: list[tuple[int, int]],
    available: tuple[int, int] = (10**9, 10**9),
) -> list[tuple[int, int]]:
    """The N ↔ M to reach at each of :data:`DATES` for a demo at ``scale``.

    The reported figures times ``max(scale, FLOOR_SCALE)`` (1.0 at most), rounded; never
    below what the named partnerships give alone. The synthetic schools a date needs beyond
    the named ones never fall over time (synthetic partnerships do not end) and are capped
    by the synthetic schools available (``available``: Beijing/Tianjin, Hebei).
    """
    s = min(max(Decimal(str(scale)), FLOOR_SCALE), Decimal(1))
    out: list[tuple[int, int]] = []
    synthetic = [0, 0]
    for (_d, n, m), named_now in zip(TARGETS, named_counts, strict=True):
        row = []
        for side, reported in enumerate((n, m)):
            want = max(round(reported * s) - named_now[side], synthetic[side])
            synthetic[side] = min(want, available[side])
            row.append(named_now[side] + synthetic[side])
        out.append((row[0], row[1]))
    return out


def _pools(load: DemoLoad, rng: random.Random) -> tuple[list[Institution], list[Institution]]:
    """Synthetic schools in no partnership yet: Beijing/Tianjin ones and Hebei ones."""
    ids: list[int] = []
    for a, b in load.institution_ids:
        ids.extend(range(a, b + 1))
    taken = set(Member.objects.values_list("institution_id", flat=True))
    rows = (
        Institution.objects.filter(pk__in=ids)
        .exclude(kind__in=NOT_SCHOOLS)
        .only("pk", "name", "kind", "region_id", "region_path")
        .order_by("pk")
    )
    bjtj, hebei = [], []
    for inst in rows.iterator():
        if inst.pk in taken:
            continue
        if inst.region_path.startswith(BJTJ):
            bjtj.append(inst)
        elif inst.region_path.startswith(HEBEI):
            hebei.append(inst)
    rng.shuffle(bjtj)
    rng.shuffle(hebei)
    return bjtj, hebei


def _day_between(rng: random.Random, a: dt.date, b: dt.date) -> dt.date:
    return a + dt.timedelta(days=rng.randrange(max((b - a).days, 1)))


@dataclass
class _Plan:
    pid: int
    bjtj: Institution
    hebei: Institution
    starts_on: dt.date
    kind: str
    label: str


# Schools pair with schools of their own band of education: a kindergarten with a
# kindergarten, a senior high school with a secondary school (assumed, as the pairs are).
BANDS: dict[str, str] = {
    Kind.KINDERGARTEN: "preschool",
    Kind.PRIMARY: "primary",
    Kind.NINE_YEAR: "primary",
    Kind.JUNIOR: "secondary",
    Kind.SENIOR: "secondary",
    Kind.COMPLETE_SECONDARY: "secondary",
    Kind.TWELVE_YEAR: "secondary",
    Kind.SECONDARY_VOCATIONAL: "vocational",
    Kind.HIGHER_VOCATIONAL: "higher",
    Kind.UNIVERSITY: "higher",
}


def band(school: Institution) -> str:
    return BANDS.get(school.kind, "other")


class _Partners:
    """Candidate partners by band: fresh ones (each taken once) before already counted ones."""

    def __init__(self, rng: random.Random, fresh: list[Institution], old: list[Institution]):
        self.rng = rng
        self.fresh: dict[str, list[Institution]] = {}
        self.old: dict[str, list[Institution]] = {}
        for school in fresh:
            self.fresh.setdefault(band(school), []).append(school)
        for school in old:
            self.old.setdefault(band(school), []).append(school)

    def take(self, wanted: str) -> Institution | None:
        """A partner of band ``wanted``, else of any band; None when there is none."""
        for pool, once in ((self.fresh, True), (self.old, False)):
            if pool.get(wanted):
                return self._pick(pool[wanted], once)
        for pool, once in ((self.fresh, True), (self.old, False)):
            for key in sorted(pool):
                if pool[key]:
                    return self._pick(pool[key], once)
        return None

    def left(self) -> list[Institution]:
        return [s for key in sorted(self.fresh) for s in self.fresh[key]]

    def _pick(self, schools: list[Institution], once: bool) -> Institution:
        return schools.pop() if once else schools[self.rng.randrange(len(schools))]


def _plans(
    rng: random.Random,
    wanted: list[tuple[int, int]],
    named_counts: list[tuple[int, int]],
    bjtj: list[Institution],
    hebei: list[Institution],
) -> list[tuple[Institution, Institution, dt.date]]:
    """Pairs (Beijing/Tianjin school, Hebei school, start) that add exactly the schools
    wanted at each date: every new school is in a pair started in its stage, with a partner
    new in that stage or counted before it, of its own band where one is to be had."""
    pairs: list[tuple[Institution, Institution, dt.date]] = []
    used = [0, 0]
    for i, ((tn, tm), (nn, nm)) in enumerate(zip(wanted, named_counts, strict=True)):
        new_n = max(tn - nn - used[0], 0)
        new_m = max(tm - nm - used[1], 0)
        fresh_n = bjtj[used[0] : used[0] + new_n]
        fresh_m = hebei[used[1] : used[1] + new_m]
        old_n = bjtj[: used[0]] or ([] if fresh_n else _counted(DATES[i], 0))
        old_m = hebei[: used[1]] or ([] if fresh_m else _counted(DATES[i], 1))
        used[0] += len(fresh_n)
        used[1] += len(fresh_m)
        start, end = STAGE_STARTS[i], DATES[i]
        hebei_side = _Partners(rng, fresh_m, old_m)
        for a in fresh_n:
            b = hebei_side.take(band(a))
            if b is not None:
                pairs.append((a, b, _day_between(rng, start, end)))
        bjtj_side = _Partners(rng, [], fresh_n + old_n)
        for school in hebei_side.left():
            partner = bjtj_side.take(band(school))
            if partner is not None:
                pairs.append((partner, school, _day_between(rng, start, end)))
    return pairs


def _counted(day: dt.date, side: int) -> list[Institution]:
    """Schools of one side already counted on ``day`` (pairing one changes no count)."""
    members = sides_on(day, NetworkFilters())[side]
    return list(
        Institution.objects.filter(pk__in=members.values("institution_id"))
        .only("pk", "name", "kind", "region_id", "region_path")
        .order_by("pk")
    )


def _kind(rng: random.Random) -> tuple[str, str]:
    kinds = [(k, label) for k, label, w in KINDS for _ in range(w)]
    return kinds[rng.randrange(len(kinds))]


def _terms(start: dt.date, until: dt.date) -> Iterator[SchoolTerm]:
    term = SchoolTerm.containing(start)
    while term.starts_on <= until:
        yield term
        term = term.next()


def _term_name(term: SchoolTerm) -> str:
    which = "一" if term.term == 1 else "二"
    return f"{term.start_year}–{term.start_year + 1}学年第{which}学期"


def unload() -> int:
    """Delete the synthetic partnerships (for ``--replace``); returns how many."""
    qs = Partnership.objects.filter(description=NOTE)
    ids = list(qs.values_list("pk", flat=True))
    if not ids:
        return 0
    Activity.objects.filter(partnership_id__in=ids).delete()
    Member.objects.filter(partnership_id__in=ids).delete()
    qs.delete()
    audit.record(
        named.demo_actor(),
        "demo.network_delete",
        object_type="partnerships.partnership",
        label="synthetic partnerships",
        detail={"partnerships": len(ids)},
    )
    return len(ids)


def unload_recommendations(institution_ids: list[list[int]]) -> tuple[int, int]:
    """Delete the partner recommendations that name an institution of the id ranges (a
    population ``--replace`` deletes) and the draft partnerships their accepted proposals
    registered with such an institution; returns how many of each.

    Both are worked on the demo — a recommendation is asked for and accepted on its page —
    and both refer to the schools being replaced, which the registry refuses to delete. A
    recommendation is computed again in a moment; a partnership past its draft is not
    touched (the replacement is then refused by name)."""
    in_ranges = Q(pk__in=[])
    for first, last in institution_ids:
        in_ranges |= Q(institution_id__gte=first, institution_id__lte=last)
    named_here = Q(pk__in=[])
    for first, last in institution_ids:
        named_here |= Q(school_id__gte=first, school_id__lte=last)
        named_here |= Q(partner_id__gte=first, partner_id__lte=last)
    runs = RecommendationRun.objects.filter(
        pk__in=Proposal.objects.filter(named_here).values("run_id")
    )
    drafts = Partnership.objects.filter(
        recommended=True,
        status=S.DRAFT,
        pk__in=Member.objects.filter(in_ranges).values("partnership_id"),
    )
    draft_ids = list(drafts.values_list("pk", flat=True))
    run_ids = list(runs.values_list("pk", flat=True))
    if not draft_ids and not run_ids:
        return 0, 0
    Activity.objects.filter(partnership_id__in=draft_ids).delete()
    Member.objects.filter(partnership_id__in=draft_ids).delete()
    Partnership.objects.filter(pk__in=draft_ids).delete()
    RecommendationRun.objects.filter(pk__in=run_ids).delete()  # with their proposals
    audit.record(
        named.demo_actor(),
        "demo.recommendations_delete",
        object_type="partnerships.recommendationrun",
        label="partner recommendations of the replaced population",
        detail={"recommendations": len(run_ids), "partnerships": len(draft_ids)},
    )
    return len(run_ids), len(draft_ids)


def load(seed: int = 0) -> Result:
    """Add the synthetic partnerships and their activities for the loaded population."""
    population = DemoLoad.objects.order_by("-loaded_at", "-id").first()
    if population is None or population.scale <= 0:
        return Result("skipped")
    if Partnership.objects.filter(description=NOTE).exists():
        return Result("already_loaded")
    rng = random.Random(population.seed * 1000 + SEED_OFFSET + seed)
    with transaction.atomic():
        named_counts = [(c.bjtj, c.hebei) for c in (cooperation_counts(d) for d in DATES)]
        bjtj, hebei = _pools(population, rng)
        wanted = targets(population.scale, named_counts, (len(bjtj), len(hebei)))
        pairs = _plans(rng, wanted, named_counts, bjtj, hebei)
        written = _write(rng, pairs)
        named_activities = _activities(
            rng, _named(), audit.batch_recorder(named.demo_actor(), demo="named_activities")
        )
        reached = tuple(
            (d, c.bjtj, c.hebei) for d, c in ((d, cooperation_counts(d)) for d in DATES)
        )
    return Result("loaded", written[0], written[1] + named_activities, reached)


def _named() -> list[_Logged]:
    """The active named partnerships (not synthetic, not from a recommendation), logged by
    their lead and their first other member."""
    out = []
    named_ones = (
        Partnership.objects.filter(status=S.ACTIVE, recommended=False)
        .exclude(description=NOTE)
        .prefetch_related("members")
        .order_by("pk")
    )
    for p in named_ones:
        members = sorted(p.members.all(), key=lambda m: (m.role != MemberRole.LEAD, m.pk))
        if len(members) < 2:
            continue
        out.append(
            _Logged(
                p.pk,
                p.kind,
                max(p.starts_on, RECORDS_FROM),
                members[0].pk,
                members[1].pk,
                tuple(m.institution_id for m in members),
            )
        )
    return out


def _write(
    rng: random.Random, pairs: list[tuple[Institution, Institution, dt.date]]
) -> tuple[int, int]:
    actor = named.demo_actor()
    on_batch = audit.batch_recorder(actor, demo="network")
    pids = list(bulk.reserve_ids(Partnership, len(pairs)))
    mids = list(bulk.reserve_ids(Member, 2 * len(pairs)))
    now = timezone.now()
    plans = []
    for pid, (a, b, start) in zip(pids, pairs, strict=True):
        kind, label = _kind(rng)
        plans.append(_Plan(pid, a, b, start, kind, label))
    bulk.insert(
        Partnership,
        [
            "id",
            "kind",
            "name",
            "region_id",
            "region_path",
            "status",
            "starts_on",
            "description",
            "activated_at",
        ],
        (
            (
                p.pid,
                p.kind,
                f"{p.bjtj.name}—{p.hebei.name}{p.label}"[:150],
                p.hebei.region_id,
                p.hebei.region_path,
                S.ACTIVE,
                p.starts_on,
                NOTE,
                now,
            )
            for p in plans
        ),
        on_batch=on_batch,
    )
    members: list[tuple[object, ...]] = []
    logged_for: dict[int, tuple[int, int]] = {}
    for k, p in enumerate(plans):
        lead, supported = mids[2 * k], mids[2 * k + 1]
        members.append((lead, p.pid, p.bjtj.pk, p.bjtj.region_path, MemberRole.LEAD, p.starts_on))
        members.append(
            (supported, p.pid, p.hebei.pk, p.hebei.region_path, MemberRole.SUPPORTED, p.starts_on)
        )
        logged_for[p.pid] = (lead, supported)
    bulk.insert(
        Member,
        ["id", "partnership_id", "institution_id", "region_path", "role", "joined_on"],
        members,
        on_batch=on_batch,
    )
    logged = [
        _Logged(p.pid, p.kind, p.starts_on, *logged_for[p.pid], (p.bjtj.pk, p.hebei.pk))
        for p in plans
    ]
    return len(plans), _activities(rng, logged, on_batch)


@dataclass(frozen=True)
class _Logged:
    """A partnership whose activities are written: two of its members log them."""

    pid: int
    kind: str
    starts_on: dt.date
    lead_member: int
    other_member: int
    institutions: tuple[int, ...]


def _activities(
    rng: random.Random, partnerships: list[_Logged], on_batch: Callable[..., object]
) -> int:
    """Two activities a term, of the kinds done under each partnership's kind, from its
    start to today; a share (:data:`QUIET_SHARE`) falls quiet after a few terms."""
    today = timezone.localdate()
    rows: list[list[object]] = []
    ends: list[tuple[int, ...]] = []
    for p in partnerships:
        kinds = ACTIVITY_KINDS.get(p.kind, tuple(ACTIVITY_TITLES))
        terms = list(_terms(p.starts_on, today))
        if rng.random() < QUIET_SHARE and len(terms) > 2:
            terms = terms[: rng.randrange(2, len(terms))]
        for term in terms:
            first = max(term.starts_on, p.starts_on)
            last = min(term.ends_on, today)
            if last < first:
                continue
            for _ in range(ACTIVITIES_PER_TERM):
                kind = kinds[rng.randrange(len(kinds))]
                rows.append(
                    [
                        p.pid,
                        kind,
                        f"{ACTIVITY_TITLES[kind]}（{_term_name(term)}）",
                        _day_between(rng, first, last + dt.timedelta(days=1)),
                        term.key,
                        rng.randint(2, 20),
                        0 if kind == ActivityKind.TEAM_WORK else rng.randint(0, 120),
                        Decimal(rng.randint(2, 16)) / 2,
                        (p.lead_member, p.other_member)[rng.randrange(2)],
                    ]
                )
                ends.append(p.institutions)
    aids = list(bulk.reserve_ids(Activity, len(rows)))
    links = [(aid, inst) for aid, insts in zip(aids, ends, strict=True) for inst in insts]
    bulk.insert(
        Activity,
        [
            "id",
            "partnership_id",
            "kind",
            "title",
            "occurred_on",
            "term_key",
            "teachers",
            "students",
            "hours",
            "logged_for_id",
        ],
        ((aid, *row) for aid, row in zip(aids, rows, strict=True)),
        on_batch=on_batch,
    )
    through = Activity.institutions.through
    bulk.insert(through, ["activity_id", "institution_id"], links, on_batch=on_batch)
    return len(rows)
