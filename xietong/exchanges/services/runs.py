"""Matching runs: start (queued as a background task), execute, publish.

The instance handed to :mod:`xietong.matching`:

* hosts are the program's offer slots with free places (capacity − taken);
* an applicant's preferences are the slots of its ranked offers that fit its stages and
  subjects, in the order of its ranking (slots of one offer by id);
* a slot's ranking of applicants follows the program run's ranking rule (for example
  ``["backbone_first", "years_desc", "score_desc"]``), ties broken by application id, so a
  run is deterministic;
* min-cost costs: ``rank·(choice − 1) + distance·km/100 + fit·(subject ≠ first subject)``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from xietong import access, matching
from xietong.access.transitions import transition
from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.core import bulk
from xietong.core.delimited import unpack
from xietong.core.errors import Conflict, InvalidInput
from xietong.core.geo import km_between as _km
from xietong.core.geo import radians_of as _radians_of
from xietong.exchanges.choices import (
    BACKBONE_HONOURS,
    RANKING_RULES,
    AppStatus,
    ProgramStatus,
    RunMode,
    RunStatus,
)
from xietong.exchanges.explanations import explain_all
from xietong.exchanges.models import (
    Application,
    ApplicationChoice,
    MatchingRun,
    MatchResult,
    OfferSlot,
    Program,
)
from xietong.exchanges.services.bulk import update_from_values
from xietong.exchanges.services.common import invalid, load
from xietong.exchanges.services.programs import require_manager
from xietong.institutions.choices import Title
from xietong.institutions.models import full_years
from xietong.jobs import services as jobs
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job
from xietong.jobs.registry import JobFailed
from xietong.jobs.runner import Reporter
from xietong.notifications.services import Notice, notify_each

log = logging.getLogger("xietong.exchanges")

MATCHING_JOB = "exchanges.matching_run"  # the job kind (registered in exchanges/tasks.py)
DEFAULT_RANKING = ["backbone_first", "years_desc", "score_desc"]
DEFAULT_WEIGHTS = {"rank": 1.0, "distance": 0.5, "fit": 0.25}
TITLE_ORDER = {t: i for i, t in enumerate(Title.values)}


# --- starting --------------------------------------------------------------------------------


def _clean_params(mode: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    if mode not in RunMode.values:
        raise invalid("mode", _("The mode is stable or min_cost."))
    params = dict(params or {})
    unknown = sorted(set(params) - {"ranking", "weights"})
    if unknown:
        raise invalid("parameters", _("Unknown parameters: %(p)s") % {"p": ", ".join(unknown)})
    ranking = params.get("ranking", DEFAULT_RANKING)
    if not isinstance(ranking, list) or any(r not in RANKING_RULES for r in ranking):
        raise invalid(
            "parameters",
            _("The ranking rule is a list of: %(rules)s") % {"rules": ", ".join(RANKING_RULES)},
        )
    weights = {**DEFAULT_WEIGHTS, **dict(params.get("weights") or {})}
    if set(weights) != set(DEFAULT_WEIGHTS) or not all(
        isinstance(v, int | float) and v >= 0 for v in weights.values()
    ):
        raise invalid("parameters", _("Weights are rank, distance and fit, each a number ≥ 0."))
    return {"ranking": ranking, "weights": weights}


def check_instance(program: Program) -> None:
    """Refuse a run that cannot place anyone, with the reason (lazy: a job shows it later)."""
    slots = OfferSlot.objects.filter(offer__program=program)
    if not slots.exists():
        raise InvalidInput(gettext_lazy("This program has no host offers to match with."))
    if not slots.filter(taken__lt=F("capacity")).exists():
        raise InvalidInput(gettext_lazy("Every slot of this program is full or has no places."))
    if not Application.objects.filter(program=program, status=AppStatus.APPROVED).exists():
        raise InvalidInput(gettext_lazy("This program has no approved applications to match."))


@transaction.atomic
def start_matching_run(
    actor: Actor,
    program_id: int,
    mode: str = RunMode.STABLE,
    params: Mapping[str, Any] | None = None,
    *,
    enqueue: bool = True,
) -> MatchingRun:
    """Create a run and its job; ``enqueue=False`` leaves the job for execute_matching_run."""
    program = load(Program, program_id, lock=True)
    require_manager(actor, program, "match")
    clean = _clean_params(mode, params)
    check_instance(program)
    run = MatchingRun.objects.create(
        program=program, mode=mode, parameters=clean, created_by_id=actor.user_id
    )
    run.job = jobs.enqueue(actor, MATCHING_JOB, {"run": run.pk}, target=run, dispatch=enqueue)
    run.save(update_fields=["job"])
    if program.status != ProgramStatus.MATCHING:
        program.status = ProgramStatus.MATCHING
        program.save(update_fields=["status", "updated_at"])
    audit.record(actor, "exchanges.run.start", target=run, after={"mode": mode, **clean})
    return run


# --- building the instance ---------------------------------------------------------------------


@dataclass
class Instance:
    apps: list[Candidate]
    slots: list[OfferSlot]
    ranked: list[int] = field(default_factory=list)  # offers each applicant ranked
    prefs: list[list[int]] = field(default_factory=list)
    pref_ranks: list[list[int]] = field(default_factory=list)  # choice rank per entry
    host_prefs: list[list[int]] = field(default_factory=list)
    capacities: list[int] = field(default_factory=list)
    costs: list[list[float]] = field(default_factory=list)
    distances: list[list[float | None]] = field(default_factory=list)


def _radians(inst: Any) -> tuple[float, float] | None:
    """An institution's coordinates in radians (None without them)."""
    return _radians_of(inst.latitude, inst.longitude)


@dataclass(slots=True)
class Candidate:
    """What a run reads of one approved application, its applicant and home school: plain
    values, not model rows (100,000 applications as three joined model instances each were
    most of the loading time)."""

    pk: int
    score: Decimal | None
    submitted_at: dt.datetime | None
    stages: frozenset[str]
    subjects: list[str]
    honours: frozenset[str]
    title: str
    joined_on: dt.date
    home_at: tuple[float, float] | None
    region_code: str
    region_name: str


def _candidates(approved: QuerySet[Application]) -> list[Candidate]:
    rows = (
        approved.order_by("pk")
        .values_list(
            "pk", "score", "submitted_at", "applicant__stages", "applicant__subjects",
            "applicant__honours", "applicant__title", "applicant__joined_on",
            "home__latitude", "home__longitude", "home__region__code", "home__region__name",
        )
        .iterator(chunk_size=20_000)
    )  # fmt: skip
    return [
        Candidate(
            pk=pk,
            score=score,
            submitted_at=submitted,
            stages=frozenset(unpack(stages)),
            subjects=unpack(subjects),
            honours=frozenset(unpack(honours)),
            title=title,
            joined_on=joined,
            home_at=_radians_of(lat, lon),
            region_code=code,
            region_name=name,
        )
        for (
            pk, score, submitted, stages, subjects, honours, title, joined, lat, lon, code, name
        ) in rows
    ]  # fmt: skip


def _sort_key(ranking: list[str], program: Program) -> Callable[[Candidate], tuple[Any, ...]]:
    backbone = frozenset(BACKBONE_HONOURS)

    def key(app: Candidate) -> tuple[Any, ...]:
        parts: list[Any] = []
        for rule in ranking:
            if rule == "backbone_first":
                parts.append(0 if app.honours & backbone else 1)
            elif rule == "years_desc":
                parts.append(-full_years(app.joined_on, program.starts_on))
            elif rule == "score_desc":
                parts.append((app.score is None, -(app.score or 0)))
            elif rule == "title_desc":
                parts.append(TITLE_ORDER.get(app.title, len(TITLE_ORDER)))
            elif rule == "applied_first":
                parts.append(app.submitted_at.timestamp() if app.submitted_at else math.inf)
        parts.append(app.pk)
        return tuple(parts)

    return key


def build_instance(run: MatchingRun) -> Instance:
    program = run.program
    approved = Application.objects.filter(program=program, status=AppStatus.APPROVED)
    apps = _candidates(approved)
    # The ranked offers as plain tuples: 500,000 choice rows at 100,000 applicants, which
    # as model instances took a third of the load.
    choices: dict[int, list[tuple[int, int]]] = {}
    for app_id, offer_id, rank in (
        ApplicationChoice.objects.filter(application__in=approved)
        .order_by("application_id", "rank")
        .values_list("application_id", "offer_id", "rank")
        .iterator(chunk_size=20_000)
    ):
        choices.setdefault(app_id, []).append((offer_id, rank))
    slots = list(
        OfferSlot.objects.filter(offer__program=program, taken__lt=F("capacity"))
        .select_related("offer", "offer__host")
        .order_by("pk")
    )
    inst = Instance(apps=apps, slots=slots, capacities=[s.capacity - s.taken for s in slots])
    by_offer: dict[int, list[int]] = {}
    for h, slot in enumerate(slots):
        by_offer.setdefault(slot.offer_id, []).append(h)
    weights = run.parameters.get("weights", DEFAULT_WEIGHTS)
    # Coordinates converted once per host and per applicant, not once per choice.
    host_at = [_radians(slot.offer.host) for slot in slots]
    listed: list[list[int]] = [[] for _ in slots]
    for a, app in enumerate(apps):
        stages, subjects, home_at = app.stages, app.subjects, app.home_at
        prefs, ranks, costs, dists = [], [], [], []
        ranked = choices.get(app.pk, [])
        inst.ranked.append(len(ranked))
        for offer_id, rank in ranked:
            for h in by_offer.get(offer_id, []):
                slot = slots[h]
                if slot.stage not in stages or slot.subject not in subjects:
                    continue
                km = _km(home_at, host_at[h])
                prefs.append(h)
                ranks.append(rank)
                dists.append(km)
                costs.append(
                    weights["rank"] * (rank - 1)
                    + weights["distance"] * (km or 0.0) / 100
                    + weights["fit"] * (0 if subjects and slot.subject == subjects[0] else 1)
                )
                listed[h].append(a)
        inst.prefs.append(prefs)
        inst.pref_ranks.append(ranks)
        inst.costs.append(costs)
        inst.distances.append(dists)
    key = _sort_key(run.parameters.get("ranking", DEFAULT_RANKING), program)
    keys = [key(app) for app in apps]  # once per applicant, not once per host listing them
    inst.host_prefs = [sorted(lst, key=keys.__getitem__) for lst in listed]
    return inst


# --- statistics ---------------------------------------------------------------


def _statistics(inst: Instance, assignment: list[int]) -> dict[str, Any]:
    n = len(inst.apps)
    ranks: Counter[str] = Counter()
    distances: list[float] = []
    by_region: dict[str, dict[str, Any]] = {}
    for a, h in enumerate(assignment):
        app = inst.apps[a]
        region = by_region.setdefault(
            app.region_code, {"name": app.region_name, "applicants": 0, "matched": 0}
        )
        region["applicants"] += 1
        if h < 0:
            ranks["unmatched"] += 1
            continue
        region["matched"] += 1
        i = inst.prefs[a].index(h)
        ranks[str(inst.pref_ranks[a][i])] += 1
        if inst.distances[a][i] is not None:
            distances.append(inst.distances[a][i])  # type: ignore[arg-type]
    matched = n - ranks["unmatched"]
    return {
        "applicants": n,
        "slots": len(inst.slots),
        "places": sum(inst.capacities),
        "matched": matched,
        "matched_share": round(matched / n, 4) if n else 0.0,
        "rank_distribution": dict(sorted(ranks.items())),
        "mean_distance_km": round(sum(distances) / len(distances), 1) if distances else None,
        "by_region": by_region,
    }


# --- executing ---------------------------------------------------------------------------------


_STEPS = 4  # load, solve, explain and store: the progress of a run counts these


def execute_matching_run(run_id: int, progress: Callable[[Job], None] | None = None) -> MatchingRun:
    """Execute a run's queued job in this process (the console, the demo, tests)."""
    run = MatchingRun.objects.select_related("job").get(pk=run_id)
    if run.job is None or run.job.status != JobStatus.QUEUED:
        raise Conflict(_("This run is not waiting to be executed."))
    jobs.run_now(run.job, progress)
    run.refresh_from_db()
    return run


def compute_matching_run(job: Job, report: Reporter) -> dict[str, Any]:
    """The job handler: compute the run and store its results in one transaction.

    A failure leaves the run without results (still ``queued``), so retrying its job runs
    it again from the stored applications.
    """
    run = MatchingRun.objects.select_related("program").get(job=job)
    if run.status != RunStatus.QUEUED:
        raise JobFailed(gettext_noop("This run already has its results."))
    report(0, _STEPS, gettext_noop("Checking the program"))
    check_instance(run.program)
    report(1, _STEPS, gettext_noop("Loading applications and places"))
    inst = build_instance(run)
    report(2, _STEPS, gettext_noop("Computing the matching"))
    try:
        if run.mode == RunMode.STABLE:
            result = matching.stable_match(inst.prefs, inst.host_prefs, inst.capacities)
        else:
            result = matching.min_cost_assign(inst.prefs, inst.costs, inst.capacities)
    except matching.MatchingInputError as e:
        raise JobFailed(str(e)) from None
    assignment = [int(h) for h in result]
    report(3, _STEPS, gettext_noop("Explaining and storing the results"))
    with transaction.atomic():
        explanations = explain_all(inst, assignment, run.mode)  # one pass over all applicants
        # COPY on PostgreSQL: 100,000 results in seconds (bulk_create: ~2,000 rows/s).
        bulk.insert(
            MatchResult,
            ("run", "application", "slot", "rank", "explanation"),
            (
                (
                    run.pk,
                    app.pk,
                    inst.slots[assignment[a]].pk if assignment[a] >= 0 else None,
                    inst.pref_ranks[a][inst.prefs[a].index(assignment[a])]
                    if assignment[a] >= 0
                    else None,
                    explanations[a],
                )
                for a, app in enumerate(inst.apps)
            ),
        )
        run.inputs = {
            "applications": [x.pk for x in inst.apps],
            "slots": [s.pk for s in inst.slots],
            "capacities": inst.capacities,
            "applicant_prefs": inst.prefs,
            "host_prefs": inst.host_prefs,
            **({"costs": inst.costs} if run.mode == RunMode.MIN_COST else {}),
        }
        run.statistics = _statistics(inst, assignment)
        run.status = RunStatus.DONE
        run.save(update_fields=["inputs", "statistics", "status"])
    report(_STEPS, _STEPS)
    return {"run": run.pk, "matched": run.statistics["matched"], "applicants": len(inst.apps)}


# --- publishing --------------------------------------------------------------------------------


@transaction.atomic
def publish_run(actor: Actor, run_id: int) -> MatchingRun:
    """Make a run's results official: matched applications get their slot, places are taken.

    A bounded number of queries whatever the number of applicants: the results are read
    once, the still-approved applications locked once, places taken and applications
    updated by one statement each (per 5,000 rows), the notifications inserted in bulk.
    """
    run = load(MatchingRun, run_id, lock=True, related=["program"])
    program = Program.objects.select_for_update().get(pk=run.program_id)
    access.require(actor, "publish", run)
    if MatchingRun.objects.filter(program=program, status=RunStatus.PUBLISHED).exists():
        raise Conflict(_("Another run of this program has already been published."))
    # Plain rows, not 100,000 results with four related models each: what publishing needs.
    results: list[Any] = list(
        run.results.order_by("application_id")
        .annotate(user_id=F("application__applicant__user_id"), host=F("slot__offer__host__name"))
        .values_list("application_id", "slot_id", "rank", "user_id", "host", named=True)
    )
    # Withdrawn or rejected since the run: skipped. The rest is locked until we commit.
    approved = set(
        Application.objects.select_for_update()
        .filter(program=program, status=AppStatus.APPROVED)
        .values_list("pk", flat=True)
    )
    live = [r for r in results if r.application_id in approved]
    matched = [r for r in live if r.slot_id is not None]
    _take_places(Counter(r.slot_id for r in matched))
    now = timezone.now()
    update_from_values(
        Application,
        [("matched_slot_id", "bigint"), ("matched_rank", "integer")],
        [(r.application_id, r.slot_id, r.rank) for r in matched],
        fixed={
            "status": AppStatus.MATCHED,
            "matched_at": connection.ops.adapt_datetimefield_value(now),
            "updated_at": connection.ops.adapt_datetimefield_value(now),
        },
    )
    notify_each(_publish_notice(r, program) for r in live)
    program.status = ProgramStatus.PUBLISHED
    program.save(update_fields=["status", "updated_at"])
    return transition(
        actor,
        "publish",
        run,
        detail={
            "matched": len(matched),
            "unmatched": len(live) - len(matched),
            "skipped": len(results) - len(live),
        },
    )


def _take_places(per_slot: Mapping[int, int]) -> None:
    """Take ``n`` places of each slot in one conditional UPDATE; refuse if one is too full."""
    rows = sorted(per_slot.items())
    taken = update_from_values(
        OfferSlot,
        [("taken", "integer")],
        rows,
        set_sql="taken = t.taken + CAST(v.column2 AS integer)",
        where="t.taken + CAST(v.column2 AS integer) <= t.capacity",
    )
    if taken != len(rows):
        full = next(
            s
            for s in OfferSlot.objects.filter(pk__in=list(per_slot)).order_by("pk")
            if s.taken + per_slot[s.pk] > s.capacity
        )
        raise Conflict(
            _("The slot %(slot)s has been filled since the run; start a new run.") % {"slot": full}
        )


def _publish_notice(r: Any, program: Program) -> Notice:
    """The notice of one published result (a row of ``publish_run``'s read)."""
    app = Application(pk=r.application_id)  # the target: its type and key
    if r.slot_id is None:
        return Notice(
            r.user_id,
            "exchanges.run_published_unmatched",
            target=app,
            params={"program": program.title},
        )
    return Notice(
        r.user_id,
        "exchanges.run_published_matched",
        target=app,
        params={"program": program.title, "host": r.host},
    )
