"""Keeping the staff tallies (``StaffTally``): staff per institution and position.

Every write of staff or of an institution's region goes through the services, and each of
them calls :func:`refresh` for the institutions it touched, in its own transaction: the
tallies of those institutions are recounted from their staff (an index range per
institution), so they cannot drift however the write changed the rows. Bulk loaders (the
demo, an importer) call :func:`rebuild` once at the end; ``xietong refresh_counts``
rebuilds or checks them by hand. See docs/decisions/0004-staff-tallies.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, F, Sum

from xietong.institutions.models import Institution, Staff, StaffTally


def refresh(institution_ids: Iterable[int | None]) -> None:
    """Recount the tallies of these institutions (in the caller's transaction)."""
    ids = sorted({i for i in institution_ids if i is not None})
    if not ids:
        return
    with transaction.atomic():
        # Lock the institutions first (in id order): two writers of one institution's staff
        # then recount one after the other, each seeing the other's committed rows.
        places = {
            pk: (region_id, path)
            for pk, region_id, path in Institution.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "region_id", "region_path")
        }
        StaffTally.objects.filter(institution_id__in=ids).delete()
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
    StaffTally.objects.all().delete()
    sql = _REBUILD_SQL.format(
        tally=connection.ops.quote_name(StaffTally._meta.db_table),
        staff=connection.ops.quote_name(Staff._meta.db_table),
        inst=connection.ops.quote_name(Institution._meta.db_table),
    )
    with connection.cursor() as cur:
        cur.execute(sql)
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
    return out


def total() -> int:
    return StaffTally.objects.aggregate(n=Sum("staff"))["n"] or 0
