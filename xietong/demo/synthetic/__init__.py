"""A seeded synthetic population of institutions and staff at any scale.

At scale 1.0 the population has the real size of the region as given in
``/work/shared/source/facts.md`` ("Size of the region"): about 41,000 institutions and
1.4 million staff (Hebei 1.0 M, Beijing 0.25 M, Tianjin 0.15 M). Every other figure —
how secondary schools split into junior, senior and complete schools, how big a school
is, the share of women, of private schools, of rural schools, the age and title
structure — is an **estimate** where facts.md has no figure, and is marked so where it is
set.

The generator is pure and deterministic: :func:`plan` and :func:`staff_rows` give the
same rows for the same scale and seed on any machine. :func:`load` writes them through
:mod:`xietong.core.bulk` (``COPY`` on PostgreSQL, batched INSERTs on SQLite) — not
through the per-row services, which would need hours at 1.4 M rows — with one audit
event per batch and per load and a :class:`~xietong.demo.models.DemoLoad` row with the
id ranges it used.

The package, by concern: ``scale`` (parsing the scale), ``sizes`` (how many of what),
``counties`` (where), ``names`` and ``school_names`` (what things are called),
``institutions`` (the plan), ``careers`` and ``staff`` (the people), ``writing`` (rows to
core.bulk), ``loading`` (load, replace, delete).
"""

from xietong.demo.synthetic.careers import REFERENCE_DATE
from xietong.demo.synthetic.counties import PROVINCES, County, counties
from xietong.demo.synthetic.institutions import PlannedInstitution, plan
from xietong.demo.synthetic.loading import LoadResult, current_load, load
from xietong.demo.synthetic.names import chinese_number
from xietong.demo.synthetic.scale import DEFAULT_SEED, MAX_SCALE, DemoError, parse_scale
from xietong.demo.synthetic.sizes import GROUPS, planned_counts, planned_staff
from xietong.demo.synthetic.staff import STAFF_COLUMNS, staff_rows

__all__ = [
    "DEFAULT_SEED",
    "GROUPS",
    "MAX_SCALE",
    "PROVINCES",
    "REFERENCE_DATE",
    "STAFF_COLUMNS",
    "County",
    "DemoError",
    "LoadResult",
    "PlannedInstitution",
    "chinese_number",
    "counties",
    "current_load",
    "load",
    "parse_scale",
    "plan",
    "planned_counts",
    "planned_staff",
    "staff_rows",
]
