"""Careers of the staff: gender shares, ages, titles, honours, subjects, join dates.

All shares and bands here are estimates (facts.md gives none).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from xietong.core.codes import SUBJECTS
from xietong.demo.synthetic.picker import Picker
from xietong.institutions.choices import Kind, Stage

K = Kind

# Ages, titles and join dates are as of the start of the 2025–2026 school year, a fixed
# date so that the same seed gives the same rows in any year.
REFERENCE_DATE = dt.date(2025, 9, 1)

# Share of women by kind (an estimate; about two thirds of China's basic-education teachers
# are women, nearly all in kindergartens); principals are more often men.
FEMALE_SHARE: dict[str, float] = {
    K.KINDERGARTEN: 0.97,
    K.PRIMARY: 0.78,
    K.JUNIOR: 0.62,
    K.NINE_YEAR: 0.70,
    K.SENIOR: 0.52,
    K.COMPLETE_SECONDARY: 0.56,
    K.SECONDARY_VOCATIONAL: 0.55,
    K.HIGHER_VOCATIONAL: 0.52,
    K.UNIVERSITY: 0.50,
}
FEMALE_SHARE_LEADERS: dict[str, float] = {K.KINDERGARTEN: 0.90}  # other kinds: 0.35 (estimate)

# Age bands of teachers (estimate): (lowest age, highest age, weight).
AGE_BANDS = ((22, 29, 22), (30, 39, 30), (40, 49, 28), (50, 60, 20))
RETIREMENT_AGE = {"F": 55, "M": 60}

# Honours: exclusive draws over all teachers (DESIGN: ~0.3% special grade, ~2% subject
# leader, ~10% backbone), with the least age each honour needs.
HONOURS = (("special_grade", 0.003, 42), ("subject_leader", 0.02, 35), ("backbone", 0.10, 28))

_SUBJECTS_BY_STAGE: dict[str, tuple[tuple[str, float], ...]] = {
    Stage.PRESCHOOL: (("学前教育", 1.0),),
    Stage.PRIMARY: (
        ("语文", 30), ("数学", 25), ("英语", 10), ("科学", 6), ("道德与法治", 5), ("音乐", 5),
        ("美术", 5), ("体育与健康", 8), ("信息技术", 3), ("心理健康", 1), ("特殊教育", 0.5),
    ),
    Stage.JUNIOR: (
        ("语文", 16), ("数学", 16), ("英语", 14), ("物理", 7), ("化学", 5), ("生物", 5),
        ("历史", 5), ("地理", 5), ("道德与法治", 6), ("音乐", 3), ("美术", 3),
        ("体育与健康", 8), ("信息技术", 3), ("心理健康", 1),
    ),
    Stage.SENIOR: (
        ("语文", 13), ("数学", 13), ("英语", 13), ("物理", 9), ("化学", 8), ("生物", 7),
        ("历史", 6), ("地理", 6), ("思想政治", 6), ("音乐", 2), ("美术", 2),
        ("体育与健康", 6), ("信息技术", 3), ("通用技术", 2), ("心理健康", 1),
    ),
    Stage.SECONDARY_VOCATIONAL: (
        ("语文", 8), ("数学", 8), ("英语", 6), ("体育与健康", 4), ("思想政治", 4),
        ("机械制造", 12), ("电子信息", 12), ("计算机应用", 14), ("护理", 10), ("会计", 10),
        ("交通运输", 8), ("新能源", 4),
    ),
    Stage.HIGHER_VOCATIONAL: (
        ("机械制造", 12), ("电子信息", 12), ("计算机应用", 14), ("护理", 10), ("会计", 10),
        ("交通运输", 8), ("新能源", 6), ("新材料", 4), ("英语", 6), ("数学", 6),
        ("思想政治", 6), ("体育与健康", 4),
    ),
    Stage.UNDERGRADUATE: (
        ("数学", 8), ("物理", 6), ("化学", 6), ("生物", 5), ("计算机应用", 9), ("电子信息", 8),
        ("机械制造", 6), ("交通运输", 4), ("新材料", 4), ("新能源", 4), ("教育学", 6),
        ("英语", 7), ("语文", 5), ("历史", 3), ("会计", 6), ("护理", 4), ("思想政治", 5),
        ("体育与健康", 3), ("美术", 2), ("音乐", 2),
    ),
}  # fmt: skip
SUBJECT_PICKERS = {  # the names above, stored as their codes (xietong/core/data/subjects.tsv)
    stage: Picker(tuple((SUBJECTS.lookup(name) or name, w) for name, w in pairs))
    for stage, pairs in _SUBJECTS_BY_STAGE.items()
}
MANAGEMENT = SUBJECTS.lookup("管理")

# Title by age (an estimate of the usual career ladder): (highest age, ((title, weight) …)).
_TITLE_BY_AGE = (
    (25, (("second", 40), ("third", 30), ("", 30))),
    (32, (("first", 30), ("second", 65), ("third", 5))),
    (42, (("senior", 15), ("first", 60), ("second", 25))),
    (50, (("professor", 2), ("senior", 45), ("first", 45), ("second", 8))),
    (99, (("professor", 4), ("senior", 55), ("first", 38), ("second", 3))),
)
_TITLE_PICKERS = [(age, Picker(pairs)) for age, pairs in _TITLE_BY_AGE]
TITLE_RANK = {"": 0, "third": 1, "second": 2, "first": 3, "senior": 4, "professor": 5}
TITLE_FLOOR = {"special_grade": "senior", "subject_leader": "senior", "backbone": "first"}

_AGE_BAND: Picker[tuple[int, int]] = Picker(((lo, hi), w) for lo, hi, w in AGE_BANDS)


def draw_age(rng: random.Random, least: int, most: int) -> int:
    r = rng.random
    for _ in range(20):
        lo, hi = _AGE_BAND(rng)
        lo, hi = max(lo, least), min(hi, most)
        if lo <= hi:
            return lo + int(r() * (hi - lo + 1))
    return least + int(r() * (most - least + 1))


def draw_title(rng: random.Random, age: int, floor: str) -> str:
    picker = next(p for top, p in _TITLE_PICKERS if age <= top)
    title = picker(rng)
    if TITLE_RANK[title] < TITLE_RANK[floor]:
        title = floor
    return title


_SEPT_1 = {y: dt.date(y, 9, 1) for y in range(1960, REFERENCE_DATE.year + 1)}
_JAN_1 = {y: dt.date(y, 1, 1).toordinal() for y in range(1960, REFERENCE_DATE.year + 1)}


def draw_joined(r: Callable[[], float], birth_year: int) -> dt.date:
    """Joined this institution: at the start of the career (40%) or a later move."""
    last = REFERENCE_DATE.year
    start = min(birth_year + 22 + int(r() * 4), last)
    year = start if r() < 0.4 else start + int(r() * (last - start + 1))
    year = min(max(year, 1980), last)
    if r() < 0.75:
        return _SEPT_1[year]  # most teachers start with the school year
    return min(dt.date.fromordinal(_JAN_1[year] + int(r() * 365)), REFERENCE_DATE)


def position_of(k: int, vice: int, cadres: int) -> str:
    if k == 0:
        return "principal"
    if k <= vice:
        return "vice_principal"
    return "cadre" if k <= vice + cadres else "teacher"
