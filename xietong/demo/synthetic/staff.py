"""The staff rows of the planned institutions: names, ID numbers, positions, careers."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Container, Iterator, Sequence

from xietong.core.delimited import pack
from xietong.demo import named
from xietong.demo.synthetic.careers import (
    FEMALE_SHARE,
    FEMALE_SHARE_LEADERS,
    HONOURS,
    MANAGEMENT,
    REFERENCE_DATE,
    RETIREMENT_AGE,
    SUBJECT_PICKERS,
    TITLE_FLOOR,
    TITLE_RANK,
    draw_age,
    draw_joined,
    draw_title,
    position_of,
)
from xietong.demo.synthetic.institutions import PlannedInstitution
from xietong.demo.synthetic.names import given_name, surname
from xietong.demo.synthetic.scale import DEFAULT_SEED
from xietong.institutions.choices import DEFAULT_STAGES, Kind, Stage
from xietong.institutions.validators import id_check_char

K = Kind

# Mobile prefixes of the three operators.
PHONE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "175", "176", "177", "180",
    "181", "182", "183", "185", "186", "187", "188", "189", "198", "199",
)  # fmt: skip

_REF_ORDINAL = REFERENCE_DATE.toordinal()
_MAX_SEQ_PAIRS = named.NAMED_SEQUENCE_START // 2  # sequences 000–899: 450 per gender


# Columns of a generated staff row (after the id). The ID number and phone are clear here:
# the writer (writing.staff_db_row) seals them into Staff's sealed columns.
STAFF_COLUMNS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "institution_id",
    "position",
    "stages",
    "subjects",
    "title",
    "honours",
    "joined_on",
)


_date_text_cache: dict[int, tuple[dt.date, str]] = {}


def _date(ordinal: int) -> tuple[dt.date, str]:
    hit = _date_text_cache.get(ordinal)
    if hit is None:
        day = dt.date.fromordinal(ordinal)
        hit = _date_text_cache[ordinal] = (day, day.strftime("%Y%m%d"))
    return hit


def staff_rows(
    insts: Sequence[PlannedInstitution],
    seed: int = DEFAULT_SEED,
    taken_ids: Container[str] = frozenset(),
) -> Iterator[tuple[int, tuple[object, ...]]]:
    """Every staff member of the planned institutions, as ``(index of institution, row)``.

    ``row`` follows STAFF_COLUMNS with the institution's index in place of its id. ID
    numbers are the county's code, the birth date, a sequence and the GB 11643 check
    character; the sequence comes from a counter per county, birth date and gender (odd
    for men), so no two rows share a number; 900–999 stay free for the named staff, and
    ``taken_ids`` (numbers already in the database) are skipped.
    """
    rng = random.Random(f"xietong-demo-staff-{seed}")
    r = rng.random
    n_prefixes = len(PHONE_PREFIXES)
    counter: dict[int, int] = {}
    county = ""
    for index, inst in enumerate(insts):
        if inst.county.code != county:
            county = inst.county.code
            counter = {}  # ID numbers of different counties never collide
        kind = inst.kind
        stages = DEFAULT_STAGES[kind]
        all_stages = pack(stages)
        n = inst.staff
        vice = 2 if n >= 30 else 1
        cadres = round(n * 0.03) if n >= 20 else 0
        for k in range(n):
            leader = k <= vice
            position = position_of(k, vice, cadres)
            female_share = FEMALE_SHARE_LEADERS.get(kind, 0.35) if leader else FEMALE_SHARE[kind]
            female = r() < female_share
            gender = "F" if female else "M"
            u = r()
            honour = ""
            least = 40 if leader else 22
            acc = 0.0
            for h, share, min_age in HONOURS:
                acc += share
                if u < acc:
                    honour, least = h, max(least, min_age)
                    break
            most = RETIREMENT_AGE[gender] - (2 if leader else 1)
            age = draw_age(rng, least, most)
            birth_ordinal = _REF_ORDINAL - int(age * 365.25) - int(r() * 365)
            title = draw_title(rng, age, "senior" if leader else TITLE_FLOOR.get(honour, ""))
            # ID number: the next free sequence for (county, birth date, gender)
            parity = 0 if female else 1
            while True:
                key = birth_ordinal * 2 + parity
                pair = counter.get(key, 0)
                if pair >= _MAX_SEQ_PAIRS:
                    birth_ordinal -= 1  # this day is full: the day before
                    continue
                counter[key] = pair + 1
                birth, birth_text = _date(birth_ordinal)
                body = f"{county}{birth_text}{pair * 2 + parity:03d}"
                id_number = body + id_check_char(body)
                if id_number not in taken_ids:
                    break
            if leader:
                my_stages = all_stages
                first_stage = stages[0] if stages else Stage.PRIMARY
            elif kind == K.UNIVERSITY:
                first_stage = Stage.UNDERGRADUATE
                senior = TITLE_RANK[title] >= 4 and r() < 0.5
                my_stages = ",undergrad,postgrad," if senior else ",undergrad,"
            else:
                first_stage = stages[int(r() * len(stages))]
                my_stages = f",{first_stage},"
            picker = SUBJECT_PICKERS[first_stage]
            subject = picker(rng)
            if position != "teacher":
                subjects = f",{MANAGEMENT},{subject},"
            elif r() < 0.05:
                other = picker(rng)
                subjects = f",{subject},{other}," if other != subject else f",{subject},"
            else:
                subjects = f",{subject},"
            name = surname(rng) + given_name(r, female)
            phone = f"{PHONE_PREFIXES[int(r() * n_prefixes)]}{int(r() * 100_000_000):08d}"
            yield (
                index,
                (
                    name,
                    gender,
                    birth,
                    id_number,
                    phone,
                    index,
                    position,
                    my_stages,
                    subjects,
                    title,
                    f",{honour}," if honour else "",
                    draw_joined(r, birth.year),
                ),
            )
