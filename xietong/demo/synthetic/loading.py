"""Loading, replacing and deleting the synthetic population (idempotent, audited)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Model, ProtectedError
from django.utils import timezone

from xietong.accounts import audit
from xietong.accounts.access import Actor, system_actor
from xietong.core import bulk
from xietong.demo import named
from xietong.demo.models import DemoLoad
from xietong.demo.synthetic.institutions import plan
from xietong.demo.synthetic.scale import DEFAULT_SEED, DemoError, parse_scale
from xietong.demo.synthetic.writing import write
from xietong.institutions import personal_data
from xietong.institutions.models import Institution, Staff, StaffTally

Progress = Callable[[int], object]
BATCH_SIZE = 10_000  # rows per COPY or INSERT batch, and per audit event


@dataclass
class LoadResult:
    status: str  # "loaded", "already_loaded", "skipped"
    scale: Decimal
    seed: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0  # generating and writing, before the commit
    replaced: DemoLoad | None = None
    delete_seconds: float = 0.0  # deleting the replaced population
    method: bulk.Method | None = None  # how core.bulk wrote the rows

    @property
    def institutions(self) -> int:
        return sum(c["institutions"] for c in self.counts.values())

    @property
    def staff(self) -> int:
        return sum(c["staff"] for c in self.counts.values())


def current_load() -> DemoLoad | None:
    return DemoLoad.objects.order_by("-loaded_at", "-id").first()


def taken_names() -> dict[str, set[str]]:
    """The names of the institutions already in each county (by county code)."""
    taken: dict[str, set[str]] = {}
    for code, name in Institution.objects.values_list("region__code", "name").iterator():
        taken.setdefault(code, set()).add(name)
    return taken


def load(
    scale: Decimal | float | str,
    seed: int = DEFAULT_SEED,
    *,
    replace: bool = False,
    actor: Actor | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> LoadResult:
    """Load the synthetic population at ``scale`` in one transaction.

    * the same scale and seed already loaded: nothing happens (``already_loaded``);
    * another load present: a :class:`DemoError`, unless ``replace`` deletes it first;
    * scale 0: nothing to load (``skipped``).

    Each batch core.bulk writes leaves an audit event (``bulk.insert``); the load as a
    whole leaves one more (``demo.synthetic_load``) and a :class:`DemoLoad` row with the
    id ranges it used.
    """
    scale = parse_scale(scale)
    actor = actor or system_actor("demo")
    started = time.monotonic()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f'LOCK TABLE "{DemoLoad._meta.db_table}" IN EXCLUSIVE MODE')
        previous = current_load()
        if previous is not None and not replace:
            if previous.scale == scale and previous.seed == seed:
                return LoadResult("already_loaded", scale, seed, previous.counts)
            raise DemoError(
                f"This database already holds a synthetic population at scale "
                f"{previous.scale.normalize()} with seed {previous.seed} (loaded "
                f"{timezone.localtime(previous.loaded_at):%Y-%m-%d %H:%M}). Use a fresh "
                "database (XIETONG_VAR_DIR or DATABASE_URL), or --replace to delete that "
                "population and load this one."
            )
        replaced = None
        delete_seconds = 0.0
        if previous is not None:
            _delete(previous, actor)
            replaced = previous
            delete_seconds = time.monotonic() - started
            started = time.monotonic()  # the load's own time, without the deletion
        if scale == 0:
            return LoadResult("skipped", scale, seed, replaced=replaced)
        named.load_named()  # the named entities' names are kept free in every county
        insts = plan(scale, seed, taken_names())
        taken_ids = personal_data.RegisteredIdNumbers()
        record = audit.batch_recorder(actor, demo={"scale": str(scale), "seed": seed})

        def on_batch(batch: bulk.BatchResult) -> None:
            record(batch)
            if progress:
                progress(batch.rows)

        written = write(insts, seed, taken_ids, on_batch, batch_size)
        seconds = round(time.monotonic() - started, 2)
        load_row = DemoLoad.objects.create(
            scale=scale,
            seed=seed,
            counts=written.counts,
            institution_ids=written.institution_ids.as_json(),
            staff_ids=written.staff_ids.as_json(),
            seconds=seconds,
        )
        audit.record(
            actor,
            "demo.synthetic_load",
            target=load_row,
            detail={
                "counts": written.counts,
                "scale": str(scale),
                "seed": seed,
                "institution_ids": load_row.institution_ids,
                "staff_ids": load_row.staff_ids,
                "database": connection.vendor,
                "method": written.method,
            },
        )
    return LoadResult(
        "loaded", scale, seed, written.counts, seconds, replaced, delete_seconds, written.method
    )


def _delete(previous: DemoLoad, actor: Actor) -> None:
    """Delete the rows of an earlier synthetic load (``--replace``)."""
    try:
        with transaction.atomic():
            # The staff tallies of its institutions go first: a roll-up, rebuilt after the
            # load (they would otherwise hold every institution to the slow path below).
            for a, b in previous.institution_ids:
                StaffTally.objects.filter(institution_id__gte=a, institution_id__lte=b).delete()
            deleted_staff = sum(_delete_range(Staff, a, b) for a, b in previous.staff_ids)
            deleted_inst = sum(
                _delete_range(Institution, a, b) for a, b in previous.institution_ids
            )
    except ProtectedError as e:
        blockers = {type(o)._meta.verbose_name for o in list(e.protected_objects)[:50]}
        raise DemoError(
            "The previous synthetic population cannot be deleted: other records refer to its "
            f"institutions or staff ({', '.join(sorted(map(str, blockers)))}). Use a fresh "
            "database instead."
        ) from None
    audit.record(
        actor,
        "demo.synthetic_delete",
        target=previous,
        detail={
            "scale": str(previous.scale),
            "seed": previous.seed,
            "counts": previous.counts,
            "deleted": {"institutions": deleted_inst, "staff": deleted_staff},
        },
    )
    previous.delete()


def _relations_to(model: type[Model]) -> list[Any]:
    """Every relation that points at ``model``, those without a reverse name (``+``) too:
    ``_meta.related_objects`` leaves those out, and a row they refer to is not free."""
    return [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one or f.many_to_many)
    ]


def _delete_range(model: type[Institution] | type[Staff], first: int, last: int) -> int:
    """Delete the rows with ids first..last.

    When nothing refers to them (the usual case: a demo population nobody has worked with)
    one plain DELETE does it; otherwise Django's delete applies each relation's on_delete
    rule (cascade, set null, or refuse with ProtectedError), which is slower but right.
    """
    referenced = False
    for rel in _relations_to(model):
        name = f"{rel.field.name}__id" if rel.many_to_many else rel.field.attname
        lookup = {f"{name}__gte": first, f"{name}__lte": last}
        related = cast("type[Model]", rel.related_model)
        if related._base_manager.filter(**lookup).exists():
            referenced = True
            break
    if referenced:
        return model.objects.filter(id__range=(first, last)).delete()[1].get(model._meta.label, 0)
    with connection.cursor() as cur:
        cur.execute(
            f'DELETE FROM "{model._meta.db_table}" WHERE id BETWEEN %s AND %s', [first, last]
        )
        return cur.rowcount
