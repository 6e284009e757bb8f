"""A seeded synthetic population of institutions and staff at any scale.

At scale 1.0 the population has the real size of the region as given in
``/work/shared/source/facts.md`` ("Size of the region"): about 41,000 institutions and
1.4 million staff (Hebei 1.0 M, Beijing 0.25 M, Tianjin 0.15 M). Every other figure here
— how secondary schools split into junior, senior and complete schools, how big a school
is, the share of women, of private schools, of rural schools, the age and title
structure — is an **estimate** where facts.md has no figure, and is marked so where it is
set.

The generator is pure and deterministic: :func:`plan` and :func:`staff_rows` give the
same rows for the same scale and seed on any machine. :func:`load` writes them in bulk
(``bulk_create`` on SQLite, ``COPY`` on PostgreSQL) — not through the per-row services,
which would need hours at 1.4 M rows — records one audit event per load and a
:class:`~xietong.demo.models.DemoLoad` row with the id ranges it used.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar, cast

from django.db import connection, transaction
from django.db.models import Model, ProtectedError
from django.utils import timezone

from xietong.accounts import audit
from xietong.accounts.access import Actor, system_actor
from xietong.core.codes import SUBJECTS
from xietong.core.delimited import pack
from xietong.demo import named
from xietong.demo.geo import coords_for, has_own_coords
from xietong.demo.models import DemoLoad
from xietong.institutions.choices import DEFAULT_STAGES, Kind, Stage
from xietong.institutions.models import Institution, Staff
from xietong.institutions.validators import id_check_char
from xietong.regions.loading import read_tsv

DEFAULT_SEED = 2025
MAX_SCALE = Decimal("1")  # the real size of the region; see ``parse_scale``
SCALE_PLACES = Decimal("0.000001")

# Ages, titles and join dates are as of the start of the 2025–2026 school year, a fixed
# date so that the same seed gives the same rows in any year.
REFERENCE_DATE = dt.date(2025, 9, 1)

K = Kind

# --- the size of the region (facts.md, "Size of the region") -----------------------------

PROVINCES = {"11": "北京市", "12": "天津市", "13": "河北省"}


@dataclass(frozen=True)
class Group:
    """A row of facts.md's size table, and how its count splits into kinds."""

    label: str
    count: int  # at scale 1.0
    kinds: tuple[tuple[str, float], ...]  # (kind, share); shares are estimates unless 1.0


# Beijing's and Tianjin's secondary schools are one row in facts.md; the split into
# complete, junior, senior and nine-year schools is an estimate.
_CITY_SECONDARY = (
    (K.COMPLETE_SECONDARY, 0.45),
    (K.JUNIOR, 0.35),
    (K.SENIOR, 0.15),
    (K.NINE_YEAR, 0.05),
)
GROUPS: dict[str, tuple[Group, ...]] = {
    "11": (
        Group("kindergarten", 1900, ((K.KINDERGARTEN, 1.0),)),
        Group("primary", 950, ((K.PRIMARY, 1.0),)),  # facts: "~950 (est.)"
        Group("secondary", 650, _CITY_SECONDARY),  # facts: "~650 (est.)"
        Group("secondary_vocational", 100, ((K.SECONDARY_VOCATIONAL, 1.0),)),  # "(est.)"
        # 92 per facts; the split (67 undergraduate, 25 higher vocational) is an estimate
        Group("higher", 92, ((K.UNIVERSITY, 67 / 92), (K.HIGHER_VOCATIONAL, 25 / 92))),
    ),
    "12": (
        Group("kindergarten", 2260, ((K.KINDERGARTEN, 1.0),)),
        Group("primary", 884, ((K.PRIMARY, 1.0),)),
        Group("secondary", 542, _CITY_SECONDARY),
        Group("secondary_vocational", 58, ((K.SECONDARY_VOCATIONAL, 1.0),)),
        # 56 per facts; the split (30 / 26) is an estimate
        Group("higher", 56, ((K.UNIVERSITY, 30 / 56), (K.HIGHER_VOCATIONAL, 26 / 56))),
    ),
    "13": (
        Group("kindergarten", 17800, ((K.KINDERGARTEN, 1.0),)),
        Group("primary", 11604, ((K.PRIMARY, 1.0),)),
        # 2,516 junior per facts; the share run as nine-year schools is an estimate
        Group("junior", 2516, ((K.JUNIOR, 0.85), (K.NINE_YEAR, 0.15))),
        # 818 senior per facts; the share that also teach junior classes is an estimate
        Group("senior", 818, ((K.SENIOR, 0.8), (K.COMPLETE_SECONDARY, 0.2))),
        Group("secondary_vocational", 763, ((K.SECONDARY_VOCATIONAL, 1.0),)),
        # ~125 per facts; the split (61 / 64) is an estimate
        Group("higher", 125, ((K.UNIVERSITY, 61 / 125), (K.HIGHER_VOCATIONAL, 64 / 125))),
    ),
}

# facts.md: "roughly 1.4 million teachers (Hebei about 1.0 M, Beijing 0.25 M, Tianjin 0.15 M)"
STAFF_AT_SCALE_1 = {"11": 250_000, "12": 150_000, "13": 1_000_000}

# Relative size (staff) of an institution of each kind: an estimate from usual class sizes
# and pupil–teacher ratios; each province's total is then scaled to STAFF_AT_SCALE_1.
KIND_SIZE: dict[str, int] = {
    K.KINDERGARTEN: 14,
    K.PRIMARY: 40,
    K.JUNIOR: 55,
    K.NINE_YEAR: 60,
    K.SENIOR: 110,
    K.COMPLETE_SECONDARY: 120,
    K.SECONDARY_VOCATIONAL: 70,
    K.HIGHER_VOCATIONAL: 450,
    K.UNIVERSITY: 1100,
}
LOCALITY_SIZE = {"urban": 1.2, "town": 0.8, "rural": 0.5}  # estimate: rural schools are small
MIN_STAFF = 3  # a principal, a vice-principal and one teacher

# Population of Beijing's and Tianjin's districts in 10,000s (2020 census, rounded): where
# the schools of a city go. Hebei's counties get equal weights with a seeded jitter
# (an estimate: county populations are not in the sources).
DISTRICT_POPULATION = {
    "110101": 71, "110102": 110, "110105": 345, "110106": 202, "110107": 57, "110108": 313,
    "110109": 39, "110111": 131, "110112": 184, "110113": 132, "110114": 227, "110115": 199,
    "110116": 44, "110117": 46, "110118": 53, "110119": 35,
    "120101": 36, "120102": 86, "120103": 83, "120104": 89, "120105": 65, "120106": 48,
    "120110": 86, "120111": 120, "120112": 93, "120113": 91, "120114": 115, "120115": 72,
    "120116": 206, "120117": 40, "120118": 79, "120119": 80,
}  # fmt: skip
# The old city centres have no towns or villages; the inner suburbs a few.
CORE_DISTRICTS = {"110101", "110102", "120101", "120102", "120103", "120104", "120105", "120106"}
INNER_DISTRICTS = {"110105", "110106", "110107", "110108"}

# Urban / town / rural shares by kind of county (estimates).
LOCALITY_MIX = {
    "core": (1.0, 0.0, 0.0),
    "inner": (0.90, 0.10, 0.0),
    "outer": (0.45, 0.30, 0.25),  # Beijing's and Tianjin's outer districts
    "hebei_district": (0.70, 0.20, 0.10),
    "hebei_county": (0.20, 0.35, 0.45),
}
# Share of private institutions by kind (estimates).
PRIVATE_SHARE: dict[str, float] = {
    K.KINDERGARTEN: 0.40,
    K.PRIMARY: 0.04,
    K.JUNIOR: 0.08,
    K.NINE_YEAR: 0.10,
    K.SENIOR: 0.12,
    K.COMPLETE_SECONDARY: 0.10,
    K.SECONDARY_VOCATIONAL: 0.20,
    K.HIGHER_VOCATIONAL: 0.30,
    K.UNIVERSITY: 0.25,
}
KIND_ORDER: list[str] = list(KIND_SIZE)
HIGHER_KINDS = {K.UNIVERSITY, K.HIGHER_VOCATIONAL}
# Kinds never found in villages: a rural draw becomes a town school.
TOWN_AT_LEAST = {K.SENIOR, K.COMPLETE_SECONDARY, K.SECONDARY_VOCATIONAL}

# --- counties ------------------------------------------------------------------------------


@dataclass(frozen=True)
class County:
    code: str
    name: str
    path: str
    city_name: str  # the prefecture city in Hebei; "" in Beijing and Tianjin
    province: str  # "11", "12", "13"

    @property
    def short(self) -> str:
        """The name without 区/县/市 (and 自治县 …), as in "路南理工学院"."""
        name = self.name
        for suffix in ("满族蒙古族自治县", "满族自治县", "回族自治县", "新区", "区", "县", "市"):
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                return name[: -len(suffix)]
        return name

    @property
    def is_district(self) -> bool:
        return self.name.endswith("区")

    @property
    def mix_key(self) -> str:
        if self.province in ("11", "12"):
            if self.code in CORE_DISTRICTS:
                return "core"
            return "inner" if self.code in INNER_DISTRICTS else "outer"
        return "hebei_district" if self.is_district else "hebei_county"

    @property
    def address_prefix(self) -> str:
        if self.province == "13":
            return f"河北省{self.city_name}{self.name}"
        return f"{PROVINCES[self.province]}{self.name}"


def counties() -> list[County]:
    """Every county-level division of the three provinces, from the shipped TSV."""
    rows = read_tsv("regions-jjj.tsv")
    by_code = {r["code"]: r for r in rows}

    def path(code: str) -> str:
        parent = by_code[code]["parent_code"]
        return (path(parent) if parent else "") + code + "/"

    out = []
    for r in rows:
        if r["level"] != "county":
            continue
        parent = by_code[r["parent_code"]]
        city = parent["name"] if parent["level"] == "city" else ""
        out.append(County(r["code"], r["name"], path(r["code"]), city, r["code"][:2]))
    return sorted(out, key=lambda c: c.code)


# --- scale ---------------------------------------------------------------------------------


class DemoError(Exception):
    """A refusal of the demo loader, with a message for the operator."""


def parse_scale(value: object) -> Decimal:
    """The scale as a Decimal with six places, or a DemoError saying what is wrong.

    The scale is the fraction of the real region (facts.md) to generate, so it lies
    between 0 (no synthetic population: the named entities only) and 1.0 (the real size:
    ~41,000 institutions, 1.4 M staff). Larger scales are refused: they would invent a
    region bigger than the real one, the ID numbers' three-digit sequence per county and
    birth date would start to run short, and a load of several million rows is a
    benchmark, not a demo.
    """
    text = str(value).strip()
    try:
        scale = Decimal(text)
    except InvalidOperation:
        raise DemoError(
            f"--scale must be a number between 0 and {MAX_SCALE} (e.g. 0.02); got {text!r}."
        ) from None
    if not scale.is_finite():
        raise DemoError(f"--scale must be a finite number between 0 and {MAX_SCALE}.")
    if scale < 0:
        raise DemoError(f"--scale cannot be negative (got {text}); use 0 to skip the population.")
    if scale > MAX_SCALE:
        raise DemoError(
            f"--scale {text} is larger than {MAX_SCALE}: 1.0 is the real size of the region "
            "(~41,000 institutions, 1.4 million staff) and the largest scale the generator makes."
        )
    quantized = scale.quantize(SCALE_PLACES)
    if scale > 0 and quantized == 0:
        raise DemoError(f"--scale {text} is too small; the smallest scale is {SCALE_PLACES}.")
    return quantized


def planned_counts(scale: Decimal | float) -> dict[str, dict[str, int]]:
    """Institutions per province and kind at a scale (rounded per facts.md row)."""
    s = float(scale)
    out: dict[str, dict[str, int]] = {}
    for prov, groups in GROUPS.items():
        kinds: dict[str, int] = {}
        for g in groups:
            n = round(g.count * s)
            for kind, k in zip(
                (k for k, _ in g.kinds), _apportion(n, [w for _, w in g.kinds]), strict=True
            ):
                kinds[kind] = kinds.get(kind, 0) + k
        out[prov] = kinds
    return out


def planned_staff(scale: Decimal | float, institutions: int, province: str) -> int:
    """Staff of a province: its share of 1.4 M, at least MIN_STAFF per institution."""
    if institutions == 0:
        return 0
    return max(round(STAFF_AT_SCALE_1[province] * float(scale)), MIN_STAFF * institutions)


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder; deterministic)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    wsum = sum(weights)
    exact = [total * w / wsum for w in weights]
    base = [math.floor(x) for x in exact]
    rest = total - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - base[i]), i))
    for i in order[:rest]:
        base[i] += 1
    return base


# --- Chinese names and places --------------------------------------------------------------

# Common surnames with rough weights (share in per mille, rounded; northern China). The
# weights are estimates in the spirit of the 2020 census ranking (王 李 张 刘 陈 …).
SURNAMES = (
    ("王", 80), ("李", 79), ("张", 75), ("刘", 58), ("陈", 40), ("杨", 33), ("赵", 28),
    ("黄", 20), ("周", 19), ("吴", 17), ("徐", 15), ("孙", 16), ("胡", 13), ("朱", 12),
    ("高", 14), ("林", 10), ("何", 9), ("郭", 13), ("马", 14), ("罗", 7), ("梁", 9),
    ("宋", 9), ("郑", 8), ("谢", 6), ("韩", 9), ("唐", 6), ("冯", 7), ("于", 8), ("董", 8),
    ("萧", 2), ("程", 6), ("曹", 7), ("袁", 5), ("邓", 5), ("许", 6), ("傅", 3), ("沈", 4),
    ("曾", 3), ("彭", 4), ("吕", 5), ("苏", 5), ("卢", 5), ("蒋", 4), ("蔡", 4), ("贾", 6),
    ("丁", 5), ("魏", 6), ("薛", 4), ("叶", 3), ("阎", 4), ("余", 3), ("潘", 3), ("杜", 5),
    ("戴", 3), ("夏", 3), ("钟", 2), ("汪", 2), ("田", 6), ("任", 5), ("姜", 5), ("范", 4),
    ("方", 3), ("石", 5), ("姚", 3), ("谭", 2), ("廖", 1), ("邹", 2), ("熊", 2), ("金", 3),
    ("陆", 2), ("郝", 5), ("孔", 3), ("白", 4), ("崔", 5), ("康", 3), ("毛", 2), ("邱", 2),
    ("秦", 3), ("江", 2), ("史", 3), ("顾", 2), ("侯", 4), ("邵", 2), ("孟", 4), ("龙", 1),
    ("万", 2), ("段", 3), ("雷", 2), ("钱", 2), ("汤", 2), ("尹", 3), ("黎", 1), ("易", 1),
    ("常", 4), ("武", 4), ("乔", 3), ("贺", 2), ("赖", 1), ("龚", 1), ("文", 2), ("庞", 2),
    ("樊", 2), ("兰", 1), ("殷", 1), ("施", 1), ("陶", 2), ("洪", 1), ("翟", 2), ("安", 2),
    ("颜", 1), ("倪", 1), ("严", 2), ("牛", 3), ("温", 2), ("芦", 1), ("季", 1), ("俞", 1),
    ("章", 1), ("鲁", 1), ("葛", 2), ("伍", 1), ("韦", 1), ("申", 2), ("尤", 1), ("毕", 2),
    ("聂", 2), ("焦", 2), ("向", 1), ("柳", 1), ("邢", 2), ("路", 2), ("岳", 2), ("齐", 2),
    ("梅", 1), ("莫", 1), ("庄", 1), ("辛", 1), ("管", 1), ("祝", 1), ("左", 1), ("涂", 1),
    ("谷", 2), ("祁", 1), ("时", 1), ("舒", 1), ("耿", 2), ("牟", 1), ("卜", 1), ("詹", 1),
    ("关", 2), ("苗", 2), ("凌", 1), ("费", 1), ("纪", 2), ("靳", 2), ("盛", 1), ("童", 1),
    ("欧阳", 1), ("司马", 1), ("上官", 1), ("诸葛", 1),
)  # fmt: skip
MALE_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林峰建国志海东亮文博晨阳然哲振"
    "鹤毅坤昊轩睿泽瑞航宏庆力永春雷彬锋晖威兵宝成立新生德胜福"
)
FEMALE_CHARS = (
    "芳娜敏静丽艳娟霞秀玲燕婷雪慧莹颖琳倩洁晶红梅萍丹月欣悦佳琪璐蕾薇晓娇媛茜瑶怡岚蓉云凤"
    "兰英华琼桂珍慧冰萌楠涵雯婧璇菲妍"
)
SHARED_CHARS = "晓文佳欣子雨思嘉宁春秋一海心明玉金永丽学晨"

TOWN_STEMS = (
    "杨庄", "皇庄", "李旗庄", "黄土庄", "高楼", "齐心庄", "新集", "段甲岭", "王各庄", "马坊",
    "东关", "西关", "南关", "北关", "城关", "大柳", "柳河", "石桥", "白塔", "红庙", "河口",
    "沙河", "清河", "双井", "三里", "十里铺", "张庄", "刘营", "孙家", "赵村", "大营", "小营",
    "前进", "胜利", "东风", "红星", "新城", "古城", "官庄", "郭家", "杜村", "留村", "马头",
    "龙湾", "桃园", "梨园", "枣林", "杏园", "槐树", "榆林", "松林", "泉水", "东湖", "西湖",
    "南河", "北河", "大王", "小王", "孟家", "韩村", "贾庄", "侯家营", "牛家", "苏庄",
)  # fmt: skip
VILLAGE_HEADS = ("东", "西", "南", "北", "前", "后", "大", "小", "上", "下", "新", "老", "")
VILLAGE_CORES = (
    "王", "李", "张", "刘", "陈", "杨", "赵", "周", "吴", "马", "孙", "朱", "胡", "高", "郭",
    "何", "韩", "冯", "于", "董", "曹", "魏", "田", "任", "崔", "郝", "白", "孟", "侯", "常",
    "柳树", "杨树", "枣林", "桃园", "石桥", "沙", "黄土", "河", "营房", "马场",
)  # fmt: skip
VILLAGE_TAILS = (
    "庄", "营", "屯", "村", "各庄", "家庄", "家营", "店", "集", "堡", "寨", "坊", "铺",
    "口", "桥", "台", "洼", "坨", "辛庄", "家务",
)  # fmt: skip
ROADS = (
    "建设", "人民", "解放", "新华", "和平", "文化", "中山", "胜利", "光明", "朝阳", "迎宾",
    "育才", "学院", "府前", "长安", "振兴", "幸福", "团结", "友谊", "向阳", "东风", "红旗",
    "富强", "民主", "复兴", "滨河", "青年", "南环", "北环", "西环", "东环", "体育", "工农",
    "新兴", "裕华", "安定", "永安", "康宁", "春晖", "翠屏",
)  # fmt: skip
KINDERGARTEN_BRANDS = (
    "阳光", "童心", "小太阳", "金色摇篮", "蓝天", "小天使", "启明星", "贝贝", "爱心", "七彩",
    "彩虹", "小博士", "育苗", "春苗", "向日葵", "快乐宝贝", "智慧树", "小红花", "星星", "馨苑",
    "英才", "未来星", "童乐", "好孩子", "小精灵", "明珠", "金苹果", "小百灵", "红缨", "蒲公英",
    "小哈佛", "新蕾", "蓓蕾", "乐乐", "童趣", "晨曦", "育英", "嘉禾", "小海豚", "小树苗",
)  # fmt: skip
VOC_FIELDS = ("卫生", "财经", "交通", "工业", "农业", "艺术", "旅游", "电子", "机电", "建筑",
              "商贸", "信息工程", "化工", "轻工", "服装")  # fmt: skip
HIGHER_FIELDS = ("理工", "财经", "师范", "医学", "农业", "科技", "信息工程", "外国语", "艺术",
                 "建筑", "交通", "电力", "传媒", "工商", "体育", "政法", "化工", "石油",
                 "航空", "水利", "环境", "能源", "轻工", "工程")  # fmt: skip

_NUMERALS = "零一二三四五六七八九"
T = TypeVar("T")


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (up to 999)."""
    if n < 10:
        return _NUMERALS[n]
    if n < 20:
        return "十" + (_NUMERALS[n % 10] if n % 10 else "")
    if n < 100:
        return _NUMERALS[n // 10] + "十" + (_NUMERALS[n % 10] if n % 10 else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return _NUMERALS[hundreds] + "百"
    if rest < 10:
        return _NUMERALS[hundreds] + "百零" + _NUMERALS[rest]
    tail = chinese_number(rest)
    return _NUMERALS[hundreds] + "百" + ("一" + tail if rest < 20 else tail)


class _Picker(Generic[T]):
    """Weighted choice with precomputed cumulative weights (bisect on one random number)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Iterable[tuple[T, float]]):
        items, weights = zip(*pairs, strict=True)
        self.items: list[T] = list(items)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> T:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


# --- institutions --------------------------------------------------------------------------


@dataclass
class PlannedInstitution:
    name: str
    kind: str
    stages: str  # packed
    ownership: str
    locality: str
    county: County
    address: str
    latitude: str
    longitude: str
    staff: int = 0


class _CountyNamer:
    """Unique, realistic names of the schools of one county, and their addresses."""

    def __init__(self, county: County, rng: random.Random, taken: set[str]):
        self.c = county
        self.rng = rng
        self.taken = taken
        self.counters: dict[str, int] = {}
        self.towns: list[str] = []
        self.roads = rng.sample(ROADS, len(ROADS))
        self.brands = rng.sample(KINDERGARTEN_BRANDS, len(KINDERGARTEN_BRANDS))
        self.fields = rng.sample(VOC_FIELDS, len(VOC_FIELDS))

    def _next(self, counter: str) -> int:
        self.counters[counter] = self.counters.get(counter, 0) + 1
        return self.counters[counter]

    def town(self) -> str:
        # Towns are added as they are needed, so a county has as many as its schools use.
        if not self.towns or (len(self.towns) < 25 and self.rng.random() < 0.35):
            for _ in range(50):
                suffix = "乡" if self.rng.random() < 0.3 else "镇"
                name = self.rng.choice(TOWN_STEMS) + suffix
                if name not in self.towns:
                    self.towns.append(name)
                    return name
        return self.rng.choice(self.towns)

    def village(self) -> str:
        r = self.rng
        return r.choice(VILLAGE_HEADS) + r.choice(VILLAGE_CORES) + r.choice(VILLAGE_TAILS)

    def road(self) -> str:
        return self.rng.choice(self.roads) + self.rng.choice(("路", "街", "大街", "道"))

    def _claim(self, name: str) -> bool:
        if name in self.taken:
            return False
        self.taken.add(name)
        return True

    def _ordinal(self, stem: str, counter: str, tail: str) -> str:
        """ "{county}第{n}{tail}", the fallback that is always free."""
        while True:
            name = f"{stem}第{chinese_number(self._next(counter))}{tail}"
            if self._claim(name):
                return name

    def name(self, kind: str, locality: str, ownership: str) -> tuple[str, str]:
        """The name of a new institution and its address."""
        c, r = self.c, self.rng
        cn = c.name
        town = village = ""
        if locality != "urban" and kind not in HIGHER_KINDS:
            town = self.town()
            if locality == "rural":
                village = self.village()
        candidates: list[str] = []
        if kind == K.KINDERGARTEN:
            if ownership == "private":
                candidates = [f"{cn}{b}幼儿园" for b in self.brands[:3]]
                self.brands.append(self.brands.pop(0))
            elif locality == "urban":
                candidates = [f"{cn}实验幼儿园", f"{cn}机关幼儿园"] if r.random() < 0.3 else []
            elif locality == "town":
                candidates = [f"{cn}{town}中心幼儿园"]
            else:
                candidates = [f"{cn}{town}{village}幼儿园"]
            fallback = (cn, "kg", "幼儿园")
        elif kind == K.PRIMARY:
            if locality == "urban":
                candidates = [f"{cn}实验小学"] if r.random() < 0.5 else []
                if r.random() < 0.4:
                    candidates.append(
                        f"{cn}{self.roads[self._next('road') % len(self.roads)]}路小学"
                    )
            elif locality == "town":
                candidates = [f"{cn}{town}中心小学", f"{cn}{town}{self.village()}小学"]
            else:
                candidates = [f"{cn}{town}{village}小学"]
            fallback = (cn, "primary", "小学")
        elif kind in (K.JUNIOR, K.SENIOR, K.COMPLETE_SECONDARY):
            if locality == "urban":
                if kind == K.JUNIOR and r.random() < 0.3:
                    candidates = [f"{cn}实验中学"]
                elif kind == K.SENIOR and r.random() < 0.5:
                    candidates = [f"{cn}第一中学", f"{cn}第二中学"]
            elif kind == K.JUNIOR:
                candidates = [f"{cn}{town}中学", f"{cn}{town}初级中学"]
            else:
                candidates = [f"{cn}{town}高级中学"]
            fallback = (cn, "middle", "中学" if kind != K.SENIOR else "高级中学")
        elif kind == K.NINE_YEAR:
            if locality == "urban":
                candidates = [f"{cn}实验学校"] if r.random() < 0.5 else []
            else:
                candidates = [f"{cn}{town}{village or ''}学校", f"{cn}{town}九年一贯制学校"]
            fallback = (cn, "school", "学校")
        elif kind == K.SECONDARY_VOCATIONAL:
            if c.province == "13" and not c.is_district:
                candidates = [f"{cn}职业技术教育中心"]
            candidates.append(
                f"{cn}{self.fields[self._next('voc') % len(self.fields)]}中等专业学校"
            )
            fallback = (cn, "voc", "职业高级中学")
        else:  # higher education: named after the place, not "{county}第N …"
            fld = self.rng.choice(HIGHER_FIELDS)
            if kind == K.UNIVERSITY:
                candidates = [f"{c.short}{fld}学院", f"{c.short}{fld}大学"]
            else:
                candidates = [f"{c.short}{fld}职业技术学院", f"{c.short}{fld}职业学院"]
            fallback = (c.short, "higher", "学院")
        name = next((n for n in candidates if self._claim(n)), "") or self._ordinal(*fallback)
        return name, self._address(locality, town, village)

    def _address(self, locality: str, town: str, village: str) -> str:
        prefix = self.c.address_prefix
        if locality == "rural":
            return f"{prefix}{town}{village}" + ("" if village.endswith("村") else "村")
        if locality == "town":
            return f"{prefix}{town}{self.road()}{self.rng.randint(1, 120)}号"
        return f"{prefix}{self.road()}{self.rng.randint(1, 399)}号"


def _coords(county: County, rng: random.Random) -> tuple[str, str]:
    lat, lon = coords_for(county.code)
    spread = 0.06 if has_own_coords(county.code) else 0.35  # Hebei: around the city centre
    return (
        f"{lat + rng.uniform(-spread, spread):.5f}",
        f"{lon + rng.uniform(-spread, spread):.5f}",
    )


def plan(
    scale: Decimal | float, seed: int = DEFAULT_SEED, taken: dict[str, set[str]] | None = None
) -> list[PlannedInstitution]:
    """The institutions at a scale, ordered by county and kind, with their staff counts.

    ``taken`` maps a county code to names already used there (the named entities are always
    avoided); the result is the same for the same scale, seed and ``taken``.
    """
    rng = random.Random(f"xietong-demo-institutions-{seed}")
    all_counties = counties()
    used: dict[str, set[str]] = {c.code: set() for c in all_counties}
    for row in named.INSTITUTIONS:
        used.setdefault(row.region, set()).add(row.name)
    for code, names in (taken or {}).items():
        used.setdefault(code, set()).update(names)
    higher_names: set[str] = set()

    counts = planned_counts(scale)
    chosen: list[tuple[County, str]] = []
    for prov in PROVINCES:
        pc = [c for c in all_counties if c.province == prov]
        if prov == "13":
            base = {c.code: rng.uniform(0.6, 1.4) for c in pc}
        else:
            base = {c.code: float(DISTRICT_POPULATION[c.code]) for c in pc}
        for kind in KIND_ORDER:
            n = counts[prov].get(kind, 0)
            if not n:
                continue
            eligible = [c for c in pc if c.is_district] if kind in HIGHER_KINDS else pc
            chosen.extend(
                (c, kind) for c in rng.choices(eligible, [base[c.code] for c in eligible], k=n)
            )
    chosen.sort(key=lambda ck: (ck[0].code, KIND_ORDER.index(ck[1])))

    out: list[PlannedInstitution] = []
    namers: dict[str, _CountyNamer] = {}
    for county, kind in chosen:
        namer = namers.get(county.code)
        if namer is None:
            namer = namers[county.code] = _CountyNamer(county, rng, used[county.code])
        urban, town, _rural = LOCALITY_MIX[county.mix_key]
        u = rng.random()
        locality = "urban" if u < urban else "town" if u < urban + town else "rural"
        if kind in HIGHER_KINDS:
            locality = "urban"
        elif kind in TOWN_AT_LEAST and locality == "rural":
            locality = "town"
        ownership = "private" if rng.random() < PRIVATE_SHARE[kind] else "public"
        if kind in HIGHER_KINDS:
            # Higher-education names must be unique across the region, not only the county.
            namer.taken |= higher_names
            name, address = namer.name(kind, locality, ownership)
            higher_names.add(name)
        else:
            name, address = namer.name(kind, locality, ownership)
        lat, lon = _coords(county, rng)
        out.append(
            PlannedInstitution(
                name=name,
                kind=kind,
                stages=pack(DEFAULT_STAGES[kind]),
                ownership=ownership,
                locality=locality,
                county=county,
                address=address,
                latitude=lat,
                longitude=lon,
            )
        )
    _size(out, scale, rng)
    return out


def _size(insts: list[PlannedInstitution], scale: Decimal | float, rng: random.Random) -> None:
    """Staff per institution: KIND_SIZE × locality × jitter, scaled to each province's total."""
    for prov in PROVINCES:
        group = [i for i in insts if i.county.province == prov]
        target = planned_staff(scale, len(group), prov)
        if not group:
            continue
        raw = [
            KIND_SIZE[i.kind] * LOCALITY_SIZE[i.locality] * rng.lognormvariate(0, 0.35)
            for i in group
        ]
        extra = _apportion(target - MIN_STAFF * len(group), raw)
        for inst, n in zip(group, extra, strict=True):
            inst.staff = MIN_STAFF + n


# --- staff ---------------------------------------------------------------------------------

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
_SUBJECT_PICKERS = {  # the names above, stored as their codes (xietong/core/data/subjects.tsv)
    stage: _Picker(tuple((SUBJECTS.lookup(name) or name, w) for name, w in pairs))
    for stage, pairs in _SUBJECTS_BY_STAGE.items()
}
_MANAGEMENT = SUBJECTS.lookup("管理")

# Title by age (an estimate of the usual career ladder): (highest age, ((title, weight) …)).
_TITLE_BY_AGE = (
    (25, (("second", 40), ("third", 30), ("", 30))),
    (32, (("first", 30), ("second", 65), ("third", 5))),
    (42, (("senior", 15), ("first", 60), ("second", 25))),
    (50, (("professor", 2), ("senior", 45), ("first", 45), ("second", 8))),
    (99, (("professor", 4), ("senior", 55), ("first", 38), ("second", 3))),
)
_TITLE_PICKERS = [(age, _Picker(pairs)) for age, pairs in _TITLE_BY_AGE]
_TITLE_RANK = {"": 0, "third": 1, "second": 2, "first": 3, "senior": 4, "professor": 5}
_TITLE_FLOOR = {"special_grade": "senior", "subject_leader": "senior", "backbone": "first"}

# Mobile prefixes of the three operators.
PHONE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "175", "176", "177", "180",
    "181", "182", "183", "185", "186", "187", "188", "189", "198", "199",
)  # fmt: skip

_SURNAME: _Picker[str] = _Picker(SURNAMES)
_AGE_BAND: _Picker[tuple[int, int]] = _Picker(((lo, hi), w) for lo, hi, w in AGE_BANDS)
_REF_ORDINAL = REFERENCE_DATE.toordinal()
_MAX_SEQ_PAIRS = named.NAMED_SEQUENCE_START // 2  # sequences 000–899: 450 per gender


# Columns of a staff row, in the order of the COPY statement.
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


def _given_name(r: Callable[[], float], female: bool) -> str:
    own = FEMALE_CHARS if female else MALE_CHARS
    pool = own if r() < 0.75 else SHARED_CHARS
    first = pool[int(r() * len(pool))]
    if r() < 0.22:  # a one-character given name
        return first
    return first + own[int(r() * len(own))]


def _age(rng: random.Random, least: int, most: int) -> int:
    r = rng.random
    for _ in range(20):
        lo, hi = _AGE_BAND(rng)
        lo, hi = max(lo, least), min(hi, most)
        if lo <= hi:
            return lo + int(r() * (hi - lo + 1))
    return least + int(r() * (most - least + 1))


def _title(rng: random.Random, age: int, floor: str) -> str:
    picker = next(p for top, p in _TITLE_PICKERS if age <= top)
    title = picker(rng)
    if _TITLE_RANK[title] < _TITLE_RANK[floor]:
        title = floor
    return title


_SEPT_1 = {y: dt.date(y, 9, 1) for y in range(1960, REFERENCE_DATE.year + 1)}
_JAN_1 = {y: dt.date(y, 1, 1).toordinal() for y in range(1960, REFERENCE_DATE.year + 1)}


def _joined(r: Callable[[], float], birth_year: int) -> dt.date:
    """Joined this institution: at the start of the career (40%) or a later move."""
    last = REFERENCE_DATE.year
    start = min(birth_year + 22 + int(r() * 4), last)
    year = start if r() < 0.4 else start + int(r() * (last - start + 1))
    year = min(max(year, 1980), last)
    if r() < 0.75:
        return _SEPT_1[year]  # most teachers start with the school year
    return min(dt.date.fromordinal(_JAN_1[year] + int(r() * 365)), REFERENCE_DATE)


_date_text_cache: dict[int, tuple[dt.date, str]] = {}


def _date(ordinal: int) -> tuple[dt.date, str]:
    hit = _date_text_cache.get(ordinal)
    if hit is None:
        day = dt.date.fromordinal(ordinal)
        hit = _date_text_cache[ordinal] = (day, day.strftime("%Y%m%d"))
    return hit


def _position(k: int, vice: int, cadres: int) -> str:
    if k == 0:
        return "principal"
    if k <= vice:
        return "vice_principal"
    return "cadre" if k <= vice + cadres else "teacher"


def staff_rows(
    insts: Sequence[PlannedInstitution],
    seed: int = DEFAULT_SEED,
    taken_ids: set[str] | frozenset[str] = frozenset(),
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
            position = _position(k, vice, cadres)
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
            age = _age(rng, least, most)
            birth_ordinal = _REF_ORDINAL - int(age * 365.25) - int(r() * 365)
            title = _title(rng, age, "senior" if leader else _TITLE_FLOOR.get(honour, ""))
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
                senior = _TITLE_RANK[title] >= 4 and r() < 0.5
                my_stages = ",undergrad,postgrad," if senior else ",undergrad,"
            else:
                first_stage = stages[int(r() * len(stages))]
                my_stages = f",{first_stage},"
            picker = _SUBJECT_PICKERS[first_stage]
            subject = picker(rng)
            if position != "teacher":
                subjects = f",{_MANAGEMENT},{subject},"
            elif r() < 0.05:
                other = picker(rng)
                subjects = f",{subject},{other}," if other != subject else f",{subject},"
            else:
                subjects = f",{subject},"
            name = _SURNAME(rng) + _given_name(r, female)
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
                    _joined(r, birth.year),
                ),
            )


# --- loading -------------------------------------------------------------------------------

Progress = Callable[[int], object]


@dataclass
class LoadResult:
    status: str  # "loaded", "already_loaded", "skipped"
    scale: Decimal
    seed: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0  # generating and writing, before the commit
    replaced: DemoLoad | None = None
    delete_seconds: float = 0.0  # deleting the replaced population

    @property
    def institutions(self) -> int:
        return sum(c["institutions"] for c in self.counts.values())

    @property
    def staff(self) -> int:
        return sum(c["staff"] for c in self.counts.values())


def current_load() -> DemoLoad | None:
    return DemoLoad.objects.order_by("-loaded_at", "-id").first()


def _runs(first: int, count: int) -> list[list[int]]:
    return [[first, first + count - 1]] if count else []


def _lock_and_reserve(model: type, count: int) -> int:
    """The first of ``count`` consecutive fresh ids of ``model``'s table (table locked)."""
    table = model._meta.db_table  # type: ignore[attr-defined]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Inserts by others wait until this transaction ends, so the ids are consecutive.
            cur.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            seq = cur.fetchone()[0]
            cur.execute("SELECT nextval(%s)", [seq])
            first = int(cur.fetchone()[0])
            if count > 1:
                cur.execute("SELECT setval(%s, %s)", [seq, first + count - 1])
            elif count == 0:
                cur.execute("SELECT setval(%s, %s, false)", [seq, first])
            return first
        # SQLite: the IMMEDIATE transaction already holds the write lock.
        cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        top = int(cur.fetchone()[0])
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        return max(top, int(row[0]) if row else 0) + 1


def _taken_names() -> dict[str, set[str]]:
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
    batch_size: int = 5000,
) -> LoadResult:
    """Load the synthetic population at ``scale`` (idempotent; see the module docstring).

    * the same scale and seed already loaded: nothing happens (``already_loaded``);
    * another load present: a :class:`DemoError`, unless ``replace`` deletes it first;
    * scale 0: nothing to load (``skipped``).
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
        insts = plan(scale, seed, _taken_names())
        taken_ids = set(Staff.objects.values_list("id_number", flat=True))
        counts, first_inst, first_staff = _write(insts, seed, taken_ids, progress, batch_size)
        n_inst = sum(c["institutions"] for c in counts.values())
        n_staff = sum(c["staff"] for c in counts.values())
        seconds = round(time.monotonic() - started, 2)
        load_row = DemoLoad.objects.create(
            scale=scale,
            seed=seed,
            counts=counts,
            institution_ids=_runs(first_inst, n_inst),
            staff_ids=_runs(first_staff, n_staff),
            seconds=seconds,
        )
        audit.record(
            actor,
            "demo.synthetic_load",
            target=load_row,
            detail={
                "counts": counts,
                "scale": str(scale),
                "seed": seed,
                "institution_ids": load_row.institution_ids,
                "staff_ids": load_row.staff_ids,
                "database": connection.vendor,
            },
        )
    return LoadResult("loaded", scale, seed, counts, seconds, replaced, delete_seconds)


def _delete(previous: DemoLoad, actor: Actor) -> None:
    """Delete the rows of an earlier synthetic load (``--replace``)."""
    try:
        with transaction.atomic():
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


def _delete_range(model: type[Institution] | type[Staff], first: int, last: int) -> int:
    """Delete the rows with ids first..last.

    When nothing refers to them (the usual case: a demo population nobody has worked with)
    one plain DELETE does it; otherwise Django's delete applies each relation's on_delete
    rule (cascade, set null, or refuse with ProtectedError), which is slower but right.
    """
    referenced = False
    for rel in model._meta.related_objects:
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


def _write(
    insts: list[PlannedInstitution],
    seed: int,
    taken_ids: set[str],
    progress: Progress | None,
    batch_size: int,
) -> tuple[dict[str, dict[str, int]], int, int]:
    """Insert the planned institutions and their staff; counts per province, first ids."""
    now = timezone.now()
    n_staff = sum(i.staff for i in insts)
    first_inst = _lock_and_reserve(Institution, len(insts))
    first_staff = _lock_and_reserve(Staff, n_staff)
    inst_ids = [first_inst + i for i in range(len(insts))]
    postgres = connection.vendor == "postgresql"

    inst_rows = [
        (
            inst_ids[i],
            p.name,
            "",
            p.kind,
            None,
            p.stages,
            p.ownership,
            p.locality,
            region_id,
            p.county.path,
            p.address,
            p.latitude,
            p.longitude,
            None,
            now,
            now,
        )
        for i, (p, region_id) in enumerate(zip(insts, _region_ids(insts), strict=True))
    ]
    inst_cols = [
        "id", "name", "name_en", "kind", "school_code", "stages", "ownership", "locality",
        "region_id", "region_path", "address", "latitude", "longitude", "parent_id",
        "created_at", "updated_at",
    ]  # fmt: skip
    if postgres:
        _copy(Institution._meta.db_table, inst_cols, inst_rows, progress)
    else:
        for start in range(0, len(inst_rows), batch_size):
            inst_chunk = inst_rows[start : start + batch_size]
            Institution.objects.bulk_create(
                [Institution(**dict(zip(inst_cols, r, strict=True))) for r in inst_chunk],
                batch_size=batch_size,
            )
            if progress:
                progress(len(inst_chunk))

    staff_cols = ["id", *STAFF_COLUMNS, "user_id", "created_at", "updated_at"]

    def rows() -> Iterator[tuple[object, ...]]:
        for sid, (index, row) in enumerate(staff_rows(insts, seed, taken_ids), first_staff):
            yield (sid, *row[:5], inst_ids[index], *row[6:], None, now, now)

    if postgres:
        _copy(Staff._meta.db_table, staff_cols, rows(), progress)
    else:
        it = rows()
        while chunk := list(itertools.islice(it, batch_size)):
            Staff.objects.bulk_create(
                [Staff(**dict(zip(staff_cols, r, strict=True))) for r in chunk],
                batch_size=batch_size,
            )
            if progress:
                progress(len(chunk))

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
    return counts, first_inst, first_staff


def _region_ids(insts: list[PlannedInstitution]) -> list[int]:
    from xietong.regions.models import Region

    ids = dict(Region.objects.values_list("code", "id"))
    missing = {i.county.code for i in insts} - set(ids)
    if missing:
        raise DemoError(
            "The regions table lacks counties of the shipped region list "
            f"({', '.join(sorted(missing)[:5])} …): run `xietong migrate` first."
        )
    return [ids[i.county.code] for i in insts]


def _copy(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    progress: Progress | None,
    every: int = 5000,
) -> None:
    """Stream rows into a PostgreSQL table with COPY (psycopg 3)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    done = 0
    with connection.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            done += 1
            if progress and done % every == 0:
                progress(every)
    if progress and done % every:
        progress(done % every)
