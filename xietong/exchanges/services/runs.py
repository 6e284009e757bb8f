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

import logging
import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong import matching
from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.core.codes import SUBJECTS
from xietong.core.errors import Conflict, InvalidInput, ServiceError
from xietong.exchanges.choices import (
    BACKBONE_HONOURS,
    RANKING_RULES,
    AppStatus,
    ProgramStatus,
    RunMode,
    RunStatus,
)
from xietong.exchanges.models import (
    Application,
    ApplicationChoice,
    MatchingRun,
    MatchResult,
    OfferSlot,
    Program,
)
from xietong.exchanges.services.applications import link, take_place
from xietong.exchanges.services.common import invalid, load, notify
from xietong.exchanges.services.programs import require_manager
from xietong.institutions.choices import Stage, Title

log = logging.getLogger("xietong.exchanges")

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
    """Refuse a run that cannot place anyone, with the reason."""
    slots = OfferSlot.objects.filter(offer__program=program)
    if not slots.exists():
        raise InvalidInput(_("This program has no host offers to match with."))
    if not slots.filter(taken__lt=F("capacity")).exists():
        raise InvalidInput(_("Every slot of this program is full or has no places."))
    if not Application.objects.filter(program=program, status=AppStatus.APPROVED).exists():
        raise InvalidInput(_("This program has no approved applications to match."))


@transaction.atomic
def start_matching_run(
    actor: Actor,
    program_id: int,
    mode: str = RunMode.STABLE,
    params: Mapping[str, Any] | None = None,
    *,
    enqueue: bool = True,
) -> MatchingRun:
    program = load(Program, program_id, lock=True)
    require_manager(actor, program)
    if program.status not in (ProgramStatus.CLOSED, ProgramStatus.MATCHING):
        raise Conflict(_("Close the applications of the program before matching."))
    clean = _clean_params(mode, params)
    check_instance(program)
    run = MatchingRun.objects.create(
        program=program, mode=mode, parameters=clean, created_by_id=actor.user_id
    )
    if program.status != ProgramStatus.MATCHING:
        program.status = ProgramStatus.MATCHING
        program.save(update_fields=["status", "updated_at"])
    audit.record(actor, "exchanges.run.start", target=run, after={"mode": mode, **clean})
    if enqueue:
        from xietong.exchanges.tasks import run_matching

        transaction.on_commit(lambda: run_matching.enqueue(run.pk))
    return run


# --- building the instance ---------------------------------------------------------------------


@dataclass
class Instance:
    apps: list[Application]
    slots: list[OfferSlot]
    prefs: list[list[int]] = field(default_factory=list)
    pref_ranks: list[list[int]] = field(default_factory=list)  # choice rank per entry
    host_prefs: list[list[int]] = field(default_factory=list)
    capacities: list[int] = field(default_factory=list)
    costs: list[list[float]] = field(default_factory=list)
    distances: list[list[float | None]] = field(default_factory=list)


def haversine_km(a: Any, b: Any) -> float | None:
    """Great-circle distance between two institutions (None unless both have coordinates)."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(
        math.radians, (float(a.latitude), float(a.longitude), float(b.latitude), float(b.longitude))
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _sort_key(ranking: list[str], program: Program) -> Callable[[Application], tuple[Any, ...]]:
    def key(app: Application) -> tuple[Any, ...]:
        s = app.applicant
        parts: list[Any] = []
        for rule in ranking:
            if rule == "backbone_first":
                parts.append(0 if set(s.honour_list) & set(BACKBONE_HONOURS) else 1)
            elif rule == "years_desc":
                parts.append(-s.years_at_institution(program.starts_on))
            elif rule == "score_desc":
                parts.append((app.score is None, -(app.score or 0)))
            elif rule == "title_desc":
                parts.append(TITLE_ORDER.get(s.title, len(TITLE_ORDER)))
            elif rule == "applied_first":
                parts.append(app.submitted_at.timestamp() if app.submitted_at else math.inf)
        parts.append(app.pk)
        return tuple(parts)

    return key


def build_instance(run: MatchingRun) -> Instance:
    program = run.program
    apps = list(
        Application.objects.filter(program=program, status=AppStatus.APPROVED)
        .select_related("applicant", "home", "home__region")
        .prefetch_related(Prefetch("choices", queryset=ApplicationChoice.objects.order_by("rank")))
        .order_by("pk")
    )
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
    listed: list[list[int]] = [[] for _ in slots]
    for a, app in enumerate(apps):
        staff = app.applicant
        stages, subjects = set(staff.stage_list), staff.subject_list
        prefs, ranks, costs, dists = [], [], [], []
        for choice in app.choices.all():
            for h in by_offer.get(choice.offer_id, []):
                slot = slots[h]
                if slot.stage not in stages or slot.subject not in subjects:
                    continue
                km = haversine_km(app.home, slot.offer.host)
                prefs.append(h)
                ranks.append(choice.rank)
                dists.append(km)
                costs.append(
                    weights["rank"] * (choice.rank - 1)
                    + weights["distance"] * (km or 0.0) / 100
                    + weights["fit"] * (0 if subjects and slot.subject == subjects[0] else 1)
                )
                listed[h].append(a)
        inst.prefs.append(prefs)
        inst.pref_ranks.append(ranks)
        inst.costs.append(costs)
        inst.distances.append(dists)
    key = _sort_key(run.parameters.get("ranking", DEFAULT_RANKING), program)
    inst.host_prefs = [sorted(lst, key=lambda a: key(apps[a])) for lst in listed]
    return inst


# --- explanations and statistics ---------------------------------------------------------------


def _host_name(slot: OfferSlot, lang: str) -> str:
    stage = dict(Stage.choices).get(slot.stage, slot.stage)
    return (
        f"{slot.offer.host.name}（{stage}·{SUBJECTS.label(slot.subject, 'zh-hans')}）"
        if lang == "zh"
        else (f"{slot.offer.host.name} ({slot.stage}, {SUBJECTS.label(slot.subject, 'en')})")
    )


def _explain(inst: Instance, a: int, assignment: list[int], mode: str) -> tuple[str, str]:
    app = inst.apps[a]
    if not inst.prefs[a]:
        if not app.choices.all():
            return (
                "您没有填报任何志愿，因此未参加匹配。",
                "You ranked no offer, so you were not matched.",
            )
        return (
            "您填报的岗位中没有与您的学段和学科相符且仍有名额的岗位，因此未能匹配。",
            "None of the offers you ranked has a free slot for your stage and subject, "
            "so you were not matched.",
        )
    if mode == RunMode.STABLE:
        names = [f"#{x.pk}" for x in inst.apps]
        out = []
        for lang in ("zh", "en"):
            hosts = [_host_name(s, lang) for s in inst.slots]
            sentences = matching.explain(
                a, inst.prefs, inst.host_prefs, inst.capacities, assignment,
                applicant_names=names, host_names=hosts, lang=lang,
            )  # fmt: skip
            out.append(("" if lang == "zh" else " ").join(sentences))
        return out[0], out[1]
    h = assignment[a]
    if h < 0:
        return (
            "按最小总成本方案，您填报的岗位名额已分配给其他申请人，未能匹配。",
            "Under the minimum total cost plan the places you ranked went to other "
            "applicants; you were not matched.",
        )
    rank = inst.pref_ranks[a][inst.prefs[a].index(h)]
    return (
        f"第{rank}志愿 {_host_name(inst.slots[h], 'zh')}：按最小总成本方案录取。",
        f"Your choice no. {rank} {_host_name(inst.slots[h], 'en')}: "
        "assigned under the minimum total cost plan.",
    )


def _statistics(inst: Instance, assignment: list[int]) -> dict[str, Any]:
    n = len(inst.apps)
    ranks: Counter[str] = Counter()
    distances: list[float] = []
    by_region: dict[str, dict[str, Any]] = {}
    for a, h in enumerate(assignment):
        app = inst.apps[a]
        region = by_region.setdefault(
            app.home.region.code, {"name": app.home.region.name, "applicants": 0, "matched": 0}
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


def _progress(run_id: int, value: int, callback: Callable[[int], None] | None) -> None:
    MatchingRun.objects.filter(pk=run_id).update(progress=value)
    if callback:
        callback(value)


def execute_matching_run(run_id: int, progress: Callable[[int], None] | None = None) -> MatchingRun:
    """Compute a queued run and store its results; a failure is recorded on the run."""
    if not MatchingRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, progress=0
    ):
        raise Conflict(_("This run is not waiting to be executed."))
    run = MatchingRun.objects.select_related("program").get(pk=run_id)
    try:
        check_instance(run.program)
        _progress(run_id, 10, progress)
        inst = build_instance(run)
        _progress(run_id, 40, progress)
        if run.mode == RunMode.STABLE:
            result = matching.stable_match(inst.prefs, inst.host_prefs, inst.capacities)
        else:
            result = matching.min_cost_assign(inst.prefs, inst.costs, inst.capacities)
        assignment = [int(h) for h in result]
        _progress(run_id, 70, progress)
        with transaction.atomic():
            rows = []
            for a, app in enumerate(inst.apps):
                zh, en = _explain(inst, a, assignment, run.mode)
                h = assignment[a]
                rows.append(
                    MatchResult(
                        run=run,
                        application=app,
                        slot=inst.slots[h] if h >= 0 else None,
                        rank=inst.pref_ranks[a][inst.prefs[a].index(h)] if h >= 0 else None,
                        explanation_zh=zh,
                        explanation_en=en,
                    )
                )
            MatchResult.objects.bulk_create(rows, batch_size=1000)
            run.inputs = {
                "applications": [x.pk for x in inst.apps],
                "slots": [s.pk for s in inst.slots],
                "capacities": inst.capacities,
                "applicant_prefs": inst.prefs,
                "host_prefs": inst.host_prefs,
                **({"costs": inst.costs} if run.mode == RunMode.MIN_COST else {}),
            }
            run.statistics = _statistics(inst, assignment)
            run.status, run.progress, run.finished_at = RunStatus.DONE, 100, timezone.now()
            run.save(update_fields=["inputs", "statistics", "status", "progress", "finished_at"])
        if progress:
            progress(100)
    except (ServiceError, matching.MatchingInputError) as e:
        _fail(run, str(e))
    except Exception:
        log.exception("matching run %s failed", run_id)
        _fail(run, _("An unexpected error occurred; it has been logged."))
    run.refresh_from_db()
    return run


def _fail(run: MatchingRun, message: str) -> None:
    MatchingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, error=message[:500], finished_at=timezone.now()
    )


# --- publishing --------------------------------------------------------------------------------


@transaction.atomic
def publish_run(actor: Actor, run_id: int) -> MatchingRun:
    """Make a run's results official: matched applications get their slot, places are taken."""
    run = load(MatchingRun, run_id, lock=True, related=["program"])
    program = Program.objects.select_for_update().get(pk=run.program_id)
    require_manager(actor, program)
    if run.status != RunStatus.DONE:
        raise Conflict(_("Only a finished run that is not yet published can be published."))
    if MatchingRun.objects.filter(program=program, status=RunStatus.PUBLISHED).exists():
        raise Conflict(_("Another run of this program has already been published."))
    results = list(
        run.results.select_related(
            "application", "application__applicant", "slot", "slot__offer__host"
        ).order_by("application_id")
    )
    matched = unmatched = skipped = 0
    now = timezone.now()
    for res in results:
        app = res.application
        if app.status != AppStatus.APPROVED:
            skipped += 1  # withdrawn or rejected since the run
            continue
        slot = res.slot
        if slot is None:
            unmatched += 1
            notify(
                [app.applicant.user_id],
                _("Matching for “%(program)s” is published: no place this time.")
                % {"program": program.title},
                link(app),
            )
            continue
        if not take_place(slot.pk):
            raise Conflict(
                _("The slot %(slot)s has been filled since the run; start a new run.")
                % {"slot": slot}
            )
        Application.objects.filter(pk=app.pk).update(
            status=AppStatus.MATCHED,
            matched_slot=slot.pk,
            matched_rank=res.rank,
            updated_at=now,
        )
        matched += 1
        notify(
            [app.applicant.user_id],
            _("Matching for “%(program)s” is published: you were matched to %(host)s.")
            % {"program": program.title, "host": slot.offer.host.name},
            link(app),
        )
    run.status, run.published_at = RunStatus.PUBLISHED, now
    run.save(update_fields=["status", "published_at"])
    program.status = ProgramStatus.PUBLISHED
    program.save(update_fields=["status", "updated_at"])
    audit.record(
        actor,
        "exchanges.run.publish",
        target=run,
        detail={"matched": matched, "unmatched": unmatched, "skipped": skipped},
    )
    return run
