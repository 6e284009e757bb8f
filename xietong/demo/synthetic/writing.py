"""Writing the planned institutions and their staff through :mod:`xietong.core.bulk`."""

from __future__ import annotations

from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass

from xietong.core import bulk
from xietong.demo.synthetic.counties import PROVINCES
from xietong.demo.synthetic.institutions import PlannedInstitution
from xietong.demo.synthetic.scale import DemoError
from xietong.demo.synthetic.staff import STAFF_COLUMNS, staff_rows
from xietong.institutions import personal_data
from xietong.institutions.models import Institution, Staff
from xietong.institutions.validators import SCHOOL_CATEGORY_OF_KIND
from xietong.regions.models import Region

# Every other column (name_en, parent, user, the timestamps) is filled by core.bulk as
# save() would fill it.
INSTITUTION_COLUMNS = (
    "id",
    "name",
    "school_code",
    "kind",
    "stages",
    "ownership",
    "locality",
    "region_id",
    "region_path",
    "address",
    "latitude",
    "longitude",
)
_INSTITUTION_INDEX = STAFF_COLUMNS.index("institution_id")
_ID_NUMBER_INDEX = STAFF_COLUMNS.index("id_number")
assert STAFF_COLUMNS[_ID_NUMBER_INDEX + 1] == "phone"
# The staff table's columns as written: the ID number and phone sealed, indexed and masked.
STAFF_DB_COLUMNS = (
    "id",
    *STAFF_COLUMNS[:_ID_NUMBER_INDEX],
    *personal_data.SEALED_COLUMNS,
    *STAFF_COLUMNS[_ID_NUMBER_INDEX + 2 :],
)


def staff_db_row(
    sid: int, row: Sequence[object], institution_id: int, version: int
) -> tuple[object, ...]:
    """A generated row (STAFF_COLUMNS, the institution's index in place of its id) as the
    table's row (STAFF_DB_COLUMNS): never a clear ID number or phone in the database."""
    cut, pid = _INSTITUTION_INDEX, _ID_NUMBER_INDEX
    sealed = personal_data.sealed_columns(
        row[pid],  # type: ignore[arg-type]
        row[pid + 1],  # type: ignore[arg-type]
        version=version,
    )
    return (sid, *row[:pid], *sealed, *row[pid + 2 : cut], institution_id, *row[cut + 1 :])


@dataclass(frozen=True)
class Written:
    counts: dict[str, dict[str, int]]  # per province: institutions, staff, kind:…
    institution_ids: bulk.IdBlock
    staff_ids: bulk.IdBlock
    method: bulk.Method


def write(
    insts: list[PlannedInstitution],
    seed: int,
    taken_ids: Container[str],
    on_batch: bulk.BatchHook,
    batch_size: int,
) -> Written:
    """Insert the planned institutions, then their staff, streaming the staff rows.

    The ids are reserved first, so each staff row carries its institution's id before
    anything is written.
    """
    n_staff = sum(i.staff for i in insts)
    inst_block = bulk.reserve_ids(Institution, len(insts))
    staff_block = bulk.reserve_ids(Staff, n_staff)
    inst_ids = list(inst_block)
    regions = region_ids(insts)
    codes = school_codes(
        insts,
        {c for c in Institution.objects.values_list("school_code", flat=True) if c},
    )
    institutions = (
        (
            inst_ids[k],
            p.name,
            codes[k],
            p.kind,
            p.stages,
            p.ownership,
            p.locality,
            regions[k],
            p.county.path,
            p.address,
            p.latitude,
            p.longitude,
        )
        for k, p in enumerate(insts)
    )
    done = bulk.insert(
        Institution, INSTITUTION_COLUMNS, institutions, batch_size=batch_size, on_batch=on_batch
    )

    version = personal_data.keyring().current_version()

    def staff() -> Iterator[tuple[object, ...]]:
        planned = staff_rows(insts, seed, taken_ids)
        for sid, (index, row) in zip(staff_block, planned, strict=True):
            yield staff_db_row(sid, row, inst_ids[index], version)

    bulk.insert(Staff, STAFF_DB_COLUMNS, staff(), batch_size=batch_size, on_batch=on_batch)
    return Written(_counts(insts), inst_block, staff_block, done.method)


def school_codes(insts: list[PlannedInstitution], taken: set[str]) -> list[str | None]:
    """A valid ten-digit school identifier for each planned school: its kind's category, its
    province and a serial from 500001 on (real identifiers of the named schools are kept
    free by skipping ``taken``); None for an authority."""
    out: list[str | None] = []
    serial = 500000
    for p in insts:
        category = SCHOOL_CATEGORY_OF_KIND.get(p.kind)
        if category is None:
            out.append(None)
            continue
        while True:
            serial += 1
            code = f"{category}{p.county.province}{serial:06d}"
            if code not in taken:
                break
        if serial > 999999:
            raise DemoError("More synthetic schools than six-digit serials.")
        out.append(code)
    return out


def region_ids(insts: list[PlannedInstitution]) -> list[int]:
    ids = dict(Region.objects.values_list("code", "id"))
    missing = {i.county.code for i in insts} - set(ids)
    if missing:
        raise DemoError(
            "The regions table lacks counties of the shipped region list "
            f"({', '.join(sorted(missing)[:5])} …): run `xietong migrate` first."
        )
    return [ids[i.county.code] for i in insts]


def _counts(insts: list[PlannedInstitution]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for prov in PROVINCES:
        group = [i for i in insts if i.county.province == prov]
        kinds: dict[str, int] = {}
        for i in group:
            kinds[i.kind] = kinds.get(i.kind, 0) + 1
        counts[prov] = {
            "institutions": len(group),
            "staff": sum(i.staff for i in group),
            **{f"kind:{k}": v for k, v in kinds.items()},
        }
    return counts
