"""``xietong demo [--scale S] [--seed N] [--replace]``: load the demo data.

Checks the regions, loads every entity named in the source documents (idempotent), a
seeded synthetic population at scale S (a fraction of the real region; see
``xietong.demo.synthetic``), the demo sign-ins, the named partnerships and the exchanges.
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from tqdm import tqdm

from xietong.core import bulk
from xietong.core.errors import ServiceError
from xietong.demo import exchanges, named, plan_history, synthetic
from xietong.demo import network as demo_network
from xietong.demo import partnerships as demo_partnerships
from xietong.demo import plan as demo_plan
from xietong.demo import plan_reports as demo_plan_reports
from xietong.demo import resources as demo_resources
from xietong.demo import training as demo_training
from xietong.demo.models import DemoLoad
from xietong.demo.users import ensure_demo_users
from xietong.institutions import tallies
from xietong.institutions.models import Institution, RegionMix, RegionTally, Staff, StaffTally
from xietong.regions.loading import load_regions, read_tsv
from xietong.regions.models import Region, RegionGroup

# Loads in well under a minute on SQLite on a 2-core machine (~820 institutions, ~28,000
# staff); `make demo` uses the same default.
DEFAULT_SCALE = Decimal("0.02")


class Command(BaseCommand):
    help = (
        "Load the demo data: the regions check, every entity named in the Action Plan and a "
        "seeded synthetic population of institutions and staff at --scale (1.0 = the real "
        "size of the region, ~41,000 institutions and 1.4 million staff)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            default=str(DEFAULT_SCALE),
            help=(
                f"fraction of the real region to generate, 0 to {synthetic.MAX_SCALE} "
                f"(default {DEFAULT_SCALE}; 0 loads the named entities only)"
            ),
        )
        parser.add_argument(
            "--seed",
            default=str(synthetic.DEFAULT_SEED),
            help=f"seed of the generator (default {synthetic.DEFAULT_SEED})",
        )
        parser.add_argument(
            "--resources",
            default="0",
            help="also write N synthetic published resources (the catalogue at scale), "
            "after the rest of the demo",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete an earlier synthetic population of another scale or seed first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scale = synthetic.parse_scale(options["scale"])
        except synthetic.DemoError as e:
            raise CommandError(str(e)) from None
        seed = _parse_seed(options["seed"])
        verbosity = options["verbosity"]
        started = time.monotonic()
        db = connection.vendor

        _require_migrated()
        regions = _check_regions()
        self.stdout.write(f"Regions: {regions} ({db})")

        try:
            result = named.load_named()
        except ServiceError as e:
            raise CommandError(f"The named entities could not be loaded: {e}") from None
        self.stdout.write(
            f"Named entities: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged; {result.labs_created} labs and "
            f"{result.staff_created} staff created"
        )
        if verbosity >= 2:
            for line in result.changes:
                self.stdout.write(f"  {line}")

        previous = synthetic.current_load()
        same = previous is not None and (previous.scale, previous.seed) == (scale, seed)
        total = 0 if same and not options["replace"] else _planned_rows(scale)
        bar = tqdm(
            total=total,
            unit=" rows",
            unit_scale=True,
            desc="Synthetic population",
            file=sys.stderr,
            disable=verbosity == 0 or total == 0,
        )
        # Removing what refers to a replaced population and replacing it are one
        # transaction: a refusal leaves the database as it was.
        removed: list[str] = []
        try:
            with transaction.atomic():
                if options["replace"] and previous is not None:
                    removed = _unload_for(previous)
                load_started = time.monotonic()
                with bar:
                    loaded = synthetic.load(
                        scale, seed, replace=options["replace"], progress=bar.update
                    )
        except synthetic.DemoError as e:
            raise CommandError(str(e)) from None
        for line in removed:
            self.stdout.write(line)
        if loaded.status != "already_loaded":
            # The population is written with COPY, past the services that keep the tallies.
            tallies.rebuild()
            # ... and past the statistics the planner reads (docs/decisions/0012).
            bulk.analyze([Institution, Staff, StaffTally, RegionTally, RegionMix])

        if loaded.replaced is not None:
            old = loaded.replaced
            self.stdout.write(
                f"Replaced the synthetic population at scale {old.scale.normalize()}, seed "
                f"{old.seed}."
            )
        if loaded.status == "skipped":
            self.stdout.write("Synthetic population: none (scale 0).")
        elif loaded.status == "already_loaded":
            self.stdout.write(
                f"Synthetic population at scale {scale.normalize()}, seed {seed}: already "
                "loaded, nothing to do."
            )
        else:
            # Wall time of the load including the commit (PostgreSQL checks the deferred
            # foreign keys then), without the deletion of a replaced population.
            seconds = time.monotonic() - load_started - loaded.delete_seconds
            rows = loaded.institutions + loaded.staff
            self.stdout.write(
                f"Synthetic population at scale {scale.normalize()}, seed {seed}: "
                f"{loaded.institutions:,} institutions and {loaded.staff:,} staff in "
                f"{seconds:.1f} s ({rows / seconds:,.0f} rows/s, "
                f"{'COPY' if loaded.method == 'copy' else 'batched INSERT'})"
            )
        if loaded.counts:
            self.stdout.write(_counts_table(loaded.counts))
        # The sign-ins exist before the exchanges, so their notifications reach them.
        ensure_demo_users()
        try:
            self.stdout.write(demo_partnerships.load_partnerships().summary())
            self.stdout.write(demo_network.load().summary())  # synthetic, after the named
        except ServiceError as e:
            raise CommandError(f"The partnerships could not be loaded: {e}") from None
        # Fresh tables have no planner statistics until autovacuum comes by; the snapshots
        # below and the first dashboards would otherwise be planned for empty tables.
        bulk.analyze(apps.get_app_config("partnerships").get_models())
        # Shared resources and their use, weighted toward the partnerships above.
        try:
            self.stdout.write(demo_resources.load().summary())
        except ServiceError as e:
            raise CommandError(f"The shared resources could not be loaded: {e}") from None
        try:
            ex = exchanges.load_exchanges()
        except ServiceError as e:
            raise CommandError(f"The exchange programs could not be loaded: {e}") from None
        self.stdout.write(exchanges.summary(ex))
        # The providers' training programs, 2023–2025, after the population they enroll.
        try:
            self.stdout.write(demo_training.load().summary())
        except ServiceError as e:
            raise CommandError(f"The training programs could not be loaded: {e}") from None
        try:
            self.stdout.write(demo_plan.load().summary())
        except ServiceError as e:
            lines = [str(e)] + [f"  {m}" for ms in e.fields.values() for m in ms]
            raise CommandError("The plan could not be loaded: " + "\n".join(lines)) from None
        # The plan's computed indicators: a snapshot of every quarter (demo figures below 1.0).
        self.stdout.write(plan_history.load().summary())
        # The plan's progress reports, after the plan and its indicator history.
        self.stdout.write(demo_plan_reports.load_reports().summary())
        for label in ("exchanges", "plan", "plan_reports"):
            bulk.analyze(apps.get_app_config(label).get_models())
        if resources := _parse_resources(options["resources"]):
            self.stdout.write(_synthetic_resources(resources, seed, verbosity))
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s.")
        )


def _unload_for(previous: DemoLoad) -> list[str]:
    """Delete the demo's records that refer to the population being replaced (the same
    scale and seed too: ``--replace`` deletes it and loads it again); what was removed."""
    lines = []
    removed = exchanges.unload_exchanges()  # their applications name its staff
    if removed:
        lines.append(
            f"Removed the {removed} demo exchange programs of the replaced population "
            "(loaded again below)."
        )
    demo_network.unload()  # its partnerships' members are its institutions
    programs = demo_training.unload()  # their enrollments name its staff
    if programs:
        lines.append(
            f"Removed the {programs} demo training programs of the replaced population "
            "(loaded again below)."
        )
    uses = demo_resources.unload_uses(previous.institution_ids)  # they name its schools
    if uses:
        lines.append(
            f"Removed the {uses} demo uses of shared resources by the replaced population "
            "(written again below)."
        )
    runs, drafts = demo_network.unload_recommendations(previous.institution_ids)
    if runs or drafts:
        lines.append(
            f"Removed {runs} partner recommendations and {drafts} draft partnerships they "
            "registered, which named schools of the replaced population."
        )
    return lines


def _parse_resources(value: str) -> int:
    from xietong.resources import synthetic as resources_synthetic

    try:
        n = int(str(value).strip().replace(",", "").replace("_", ""))
    except ValueError:
        raise CommandError(f"--resources must be a whole number; got {value!r}.") from None
    if not 0 <= n <= resources_synthetic.MAX_RESOURCES:
        raise CommandError(
            f"--resources must lie between 0 and {resources_synthetic.MAX_RESOURCES:,}."
        )
    return n


def _synthetic_resources(n: int, seed: int, verbosity: int) -> str:
    """Write n synthetic resources and index them (two passes over n on the bar)."""
    from xietong.resources import synthetic as resources_synthetic

    with tqdm(
        total=2 * n,
        unit=" rows",
        unit_scale=True,
        desc="Synthetic resources + index",
        file=sys.stderr,
        disable=verbosity == 0,
    ) as bar:
        try:
            loaded = resources_synthetic.load(n, seed=seed, progress=bar.update)
        except ServiceError as e:
            raise CommandError(str(e)) from None
    return (
        f"Synthetic resources: {loaded.resources:,} written and {loaded.indexed:,} indexed "
        f"in {loaded.seconds:.1f} s ({'COPY' if loaded.method == 'copy' else 'batched INSERT'})"
    )


def _parse_seed(value: str) -> int:
    try:
        seed = int(str(value).strip())
    except ValueError:
        raise CommandError(f"--seed must be a whole number (e.g. 2025); got {value!r}.") from None
    if not 0 <= seed < 2**63:
        raise CommandError("--seed must lie between 0 and 2^63 − 1.")
    return seed


def _require_migrated() -> None:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError(
            "The database is not up to date: run `xietong migrate` first, then `xietong demo`."
        )


def _check_regions() -> str:
    """The regions of the shipped list are all there; reload them if any is missing."""
    codes = {r["code"] for r in read_tsv("regions-jjj.tsv")}
    present = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    if present == codes and RegionGroup.objects.exists():
        return f"{len(codes)} divisions present"
    with transaction.atomic():
        n, groups = load_regions(Region, RegionGroup)
    return f"{len(codes - present)} missing divisions loaded ({n} divisions, {groups} groups)"


def _planned_rows(scale: Decimal) -> int:
    total = 0
    for prov, kinds in synthetic.planned_counts(scale).items():
        n = sum(kinds.values())
        total += n + synthetic.planned_staff(scale, n, prov)
    return total


def _counts_table(counts: dict[str, dict[str, int]]) -> str:
    lines = [f"  {'province':<8} {'institutions':>12} {'staff':>10}"]
    for prov, c in counts.items():
        name = synthetic.PROVINCES.get(prov, prov)
        lines.append(f"  {name:<8} {c['institutions']:>12,} {c['staff']:>10,}")
    total_i = sum(c["institutions"] for c in counts.values())
    total_s = sum(c["staff"] for c in counts.values())
    lines.append(f"  {'total':<8} {total_i:>12,} {total_s:>10,}")
    return "\n".join(lines)
