"""The national rotation rule and how far a school is from it (the coverage page's gap).

The rule (教育部 财政部 人力资源社会保障部《关于推进县（区）域内义务教育学校校长教师
交流轮岗的意见》): each school year at least 10% of a school's eligible teachers rotate, and
at least 20% of those who rotate are backbone teachers. For a school with ``eligible``
teachers, ``rotated`` of whom rotated in the period and ``backbone`` of those backbone
teachers:

* ``rotation_ok``: ``10 × rotated ≥ eligible``;
* ``backbone_ok``: ``rotated > 0`` and ``5 × backbone ≥ rotated``;
* **the gap** (:func:`shortfall`): the fewest more eligible teachers who must rotate for
  the school to meet both parts, when backbone teachers go first — the larger of
  ``⌈eligible / 10⌉ − rotated`` (teachers short of 10%) and ``⌈(rotated − 5 × backbone)
  / 4⌉`` (each backbone teacher added raises both sides of the 20% part), and never below
  0. A school meets the rule exactly when its gap is 0.

The gap is written twice, in Python for a row in hand and in SQL to sort thousands of
schools in the database (:func:`shortfall_sql`); tests check that they agree.
"""

from __future__ import annotations

ROTATE_EVERY = 10  # one in ten eligible teachers rotates each year
BACKBONE_EVERY = 5  # one in five of those who rotate is a backbone teacher


def rotation_ok(eligible: int, rotated: int) -> bool:
    return ROTATE_EVERY * rotated >= eligible


def backbone_ok(rotated: int, backbone: int) -> bool:
    return rotated > 0 and BACKBONE_EVERY * backbone >= rotated


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def shortfall(eligible: int, rotated: int, backbone: int) -> int:
    """More teachers who must rotate (backbone first) to meet the rule; 0 when it is met."""
    if eligible <= 0:
        return 0
    to_ten = _ceil_div(eligible, ROTATE_EVERY) - rotated
    to_backbone = _ceil_div(rotated - BACKBONE_EVERY * backbone, BACKBONE_EVERY - 1)
    return max(0, to_ten, to_backbone)


def shortfall_sql(eligible: str, rotated: str, backbone: str) -> str:
    """The same as :func:`shortfall` over three integer SQL expressions (SQLite and
    PostgreSQL: integer division truncates, so only non-negative numerators are ceiled)."""
    to_ten = f"(({eligible} + {ROTATE_EVERY - 1}) / {ROTATE_EVERY} - {rotated})"
    excess = f"({rotated} - {BACKBONE_EVERY} * {backbone})"
    to_backbone = f"(({excess} + {BACKBONE_EVERY - 2}) / {BACKBONE_EVERY - 1})"
    return (
        f"CASE WHEN {eligible} <= 0 THEN 0 "
        f"WHEN {to_ten} >= {to_backbone} AND {to_ten} > 0 THEN {to_ten} "
        f"WHEN {to_backbone} > 0 THEN {to_backbone} ELSE 0 END"
    )
