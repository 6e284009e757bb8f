"""Keeping the staff tallies (``StaffTally``): staff per institution and position.

Every write of staff or of an institution's region goes through the services, and each of
them calls :func:`refresh` for the institutions it touched, in its own transaction: the
tallies of those institutions are recounted from their staff (an index range per
institution), so they cannot drift however the write changed the rows. Bulk loaders (the
demo, an importer) call :func:`rebuild` once at the end; ``xietong refresh_counts``
rebuilds or checks them by hand. See docs/decisions/0010-staff-tallies.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, F, Sum

from xietong.core.delimited import pack
from xietong.institutions.choices import TEACHING_POSITIONS
from xietong.institutions.models import Institution, RegionMix, RegionTally, Staff, StaffTally


def refresh(institution_ids: Iterable[int | None]) -> None:
    """Recount the tallies of these institutions and their regions (in the caller's
    transaction)."""
    ids = sorted({i for i in institution_ids if i is not None})
    if not ids:
        return
    with transaction.atomic():
        # Lock the institutions first (in id order): two writers of one institution's staff
        # then recount one after the other, each seeing the other's committed rows.
        places = {
            pk: (region_id, path)
            for pk, region_id, path in Institution.objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "region_id", "region_path")
        }
        regions = {region for region, _ in places.values()}
        old = StaffTally.objects.filter(institution_id__in=ids)
        regions |= set(old.values_list("region_id", flat=True).distinct())
        old.delete()
        rows = (
            Staff.objects.filter(institution_id__in=list(places))
            .order_by()
            .values_list("institution_id", "position")
            .annotate(n=Count("pk"))
        )
        StaffTally.objects.bulk_create(
            [
                StaffTally(
                    institution_id=inst,
                    position=position,
                    staff=n,
                    region_id=places[inst][0],
                    region_path=places[inst][1],
                )
                for inst, position, n in rows
            ]
        )
        _refresh_teaching_staff(ids)
        _refresh_regions(regions)


_TEACHING_SQL = """
UPDATE {inst} SET teaching_staff = COALESCE((
    SELECT SUM(t.staff) FROM {tally} t
    WHERE t.institution_id = {inst}.id AND t.position IN ({positions})
), 0)
"""


def _refresh_teaching_staff(institution_ids: list[int] | None) -> None:
    """Re-sum ``Institution.teaching_staff`` from the tallies (of these institutions, or all)."""
    tables = {
        "inst": connection.ops.quote_name(Institution._meta.db_table),
        "tally": connection.ops.quote_name(StaffTally._meta.db_table),
        "positions": ", ".join(["%s"] * len(TEACHING_POSITIONS)),
    }
    sql = _TEACHING_SQL.format(**tables)
    params: list[str | int] = [str(p) for p in TEACHING_POSITIONS]
    if institution_ids is not None:
        sql += " WHERE id IN ({})".format(", ".join(["%s"] * len(institution_ids)))
        params += institution_ids
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _refresh_regions(region_ids: set[int]) -> None:
    """Re-sum the region tallies of these regions from their institutions' tallies."""
    from xietong.regions.models import Region

    # Locked like the institutions (NO KEY: new rows may still refer to the region).
    paths = dict(
        Region.objects.select_for_update(no_key=True)
        .filter(pk__in=region_ids)
        .order_by("pk")
        .values_list("pk", "path")
    )
    RegionTally.objects.filter(region_id__in=region_ids).delete()
    rows = (
        StaffTally.objects.filter(region_id__in=region_ids)
        .order_by()
        .values_list("region_id", "position")
        .annotate(n=Sum("staff"))
    )
    RegionTally.objects.bulk_create(
        [
            RegionTally(region_id=r, region_path=paths[r], position=p, staff=n)
            for r, p, n in rows
            if n
        ],
        batch_size=1000,
    )
    RegionMix.objects.filter(region_id__in=region_ids).delete()
    held: dict[int, set[str]] = defaultdict(set)
    region_of: dict[int, int] = {}
    for inst, region, position in StaffTally.objects.filter(region_id__in=region_ids).values_list(
        "institution_id", "region_id", "position"
    ):
        held[inst].add(position)
        region_of[inst] = region
    mixes: Counter[tuple[int, str]] = Counter(
        (region_of[inst], pack(sorted(positions))) for inst, positions in held.items()
    )
    RegionMix.objects.bulk_create(
        [
            RegionMix(region_id=r, region_path=paths[r], positions=key, institutions=n)
            for (r, key), n in mixes.items()
        ],
        batch_size=1000,
    )


_REBUILD_SQL = """
INSERT INTO {tally} (institution_id, position, staff, region_id, region_path)
SELECT s.institution_id, s.position, s.n, i.region_id, i.region_path
FROM (SELECT institution_id, position, COUNT(*) AS n FROM {staff}
      GROUP BY institution_id, position) s
JOIN {inst} i ON i.id = s.institution_id
"""


@transaction.atomic
def rebuild() -> int:
    """Recount every tally from the staff table (one INSERT … SELECT); returns the rows."""
    from xietong.regions.models import Region

    StaffTally.objects.all().delete()
    names = {"tally": StaffTally, "staff": Staff, "inst": Institution}
    tables = {k: connection.ops.quote_name(m._meta.db_table) for k, m in names.items()}
    with connection.cursor() as cur:
        cur.execute(_REBUILD_SQL.format(**tables))
    _refresh_teaching_staff(None)
    _refresh_regions(set(Region.objects.values_list("pk", flat=True)))
    return StaffTally.objects.count()


def drift() -> list[tuple[int, str, int, int]]:
    """(institution, position, tallied, counted) wherever a tally disagrees with the staff."""
    counted = {
        (inst, pos): n
        for inst, pos, n in Staff.objects.order_by()
        .values_list("institution_id", "position")
        .annotate(n=Count("pk"))
    }
    tallied = {
        (inst, pos): n
        for inst, pos, n in StaffTally.objects.values_list("institution_id", "position", "staff")
    }
    out = []
    for key in sorted(counted.keys() | tallied.keys()):
        a, b = tallied.get(key, 0), counted.get(key, 0)
        if a != b:
            out.append((key[0], key[1], a, b))
    # Misplaced rows (an institution moved without a refresh) are drift too.
    moved = (
        StaffTally.objects.exclude(region_path=F("institution__region_path"))
        .values_list("institution_id", "position", "staff")
        .order_by("institution_id")
    )
    out.extend((i, p, n, n) for i, p, n in moved)
    teaching: defaultdict[int, int] = defaultdict(int)
    for (inst, pos), n in tallied.items():
        if pos in TEACHING_POSITIONS:
            teaching[inst] += n
    for inst, kept in Institution.objects.filter(teaching_staff__gt=0).values_list(
        "pk", "teaching_staff"
    ):
        summed_here = teaching.pop(inst, 0)
        if summed_here != kept:
            out.append((inst, "teaching_staff", kept, summed_here))
    out.extend((inst, "teaching_staff", 0, n) for inst, n in sorted(teaching.items()) if n)
    summed = {
        (r, p): n
        for r, p, n in StaffTally.objects.order_by()
        .values_list("region_id", "position")
        .annotate(n=Sum("staff"))
    }
    regional = {
        (r, p): n for r, p, n in RegionTally.objects.values_list("region_id", "position", "staff")
    }
    for key in sorted(summed.keys() | regional.keys()):
        a, b = regional.get(key, 0), summed.get(key, 0)
        if a != b:
            out.append((-key[0], key[1], a, b))  # a region (negative id) disagrees
    held: dict[int, set[str]] = defaultdict(set)
    region_of: dict[int, int] = {}
    for inst, region, position in StaffTally.objects.values_list(
        "institution_id", "region_id", "position"
    ):
        held[inst].add(position)
        region_of[inst] = region
    expected = Counter((region_of[i], pack(sorted(p))) for i, p in held.items())
    mixed = {
        (r, k): n
        for r, k, n in RegionMix.objects.values_list("region_id", "positions", "institutions")
    }
    for key in sorted(expected.keys() | mixed.keys()):
        a, b = mixed.get(key, 0), expected.get(key, 0)
        if a != b:
            out.append((-key[0], key[1], a, b))
    return out


def total() -> int:
    return RegionTally.objects.aggregate(n=Sum("staff"))["n"] or 0
