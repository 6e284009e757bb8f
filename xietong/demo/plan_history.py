"""The demo's indicator history: facts.md's reported outcomes and three years of snapshots.

Two kinds of history, kept apart so that neither distorts the other's trend:

* **published figures** — the outcomes the press reported (facts.md), loaded as approved
  values of *reported* indicators of the signatory that announced them: 202 Beijing/
  Tianjin schools cooperating with 273 Hebei schools at 2023Q4, 246 ↔ 370 at 2024Q2,
  314 ↔ 496 at 2025Q4 (reported for 2025-11); 16 university alliances and 15 vocational
  colleges in joint training at 2023Q4; Hebei teachers shadowing in Beijing/Tianjin a
  year: 100 in 2024 (in Tianjin), 250 in 2025;
* **snapshots** — the computed indicators (the metrics of partnerships and exchanges)
  snapshotted for every quarter 2023Q4..2025Q4 over the demo's records. The demo's
  partnership dates make the live counts follow the reported outcomes
  (:mod:`xietong.demo.network`), scaled to the demo population below scale 1.0.

The computed indicators take their baseline from the 2023Q4 snapshot and, for the two
cooperation counts, a target grown from it as the press figures grew (202 → 314 and
273 → 496: an assumption — the plan states no number). The indicators are defined here
unless the plan's data has defined them already (same key); either way they serve the
plan's tasks named in :data:`TASKS` when those exist.

Idempotent: a second load finds the values and rewrites the same snapshot rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from xietong.accounts import audit
from xietong.core.periods import Period, between, parse
from xietong.demo import named
from xietong.institutions.models import Institution
from xietong.plan.choices import IndicatorSource, Unit, ValueOrigin, ValueStatus
from xietong.plan.indicators import snapshots
from xietong.plan.models import Indicator, IndicatorValue, Task

FIRST, LAST = parse("2023Q4"), parse("2025Q4")
TARGET_DATE = dt.date(2025, 12, 31)
SOURCE = "facts.md：新闻报道的成效数据"

BJ, TJ, HB = "北京市教育委员会", "天津市教育委员会", "河北省教育厅"


@dataclass(frozen=True)
class Spec:
    key: str
    name: str
    name_en: str
    source: str
    unit: str = Unit.COUNT
    numerator: str = ""
    denominator: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    reporter: str = ""
    period_kind: str = "quarter"
    target: Decimal | None = None
    # For a computed count: the target is the 2023Q4 snapshot grown by this ratio.
    grow: tuple[int, int] | None = None


C, R = IndicatorSource.COMPUTED, IndicatorSource.REPORTED

SPECS: tuple[Spec, ...] = (
    Spec(
        "cooperating-bjtj-schools",
        "与河北学校合作的京津学校",
        "Beijing/Tianjin schools cooperating with Hebei schools",
        C,
        numerator="partnerships.cooperating_bj_tj",
        grow=(314, 202),
    ),
    Spec(
        "cooperating-hebei-schools",
        "与京津学校合作的河北学校",
        "Hebei schools cooperating with Beijing/Tianjin schools",
        C,
        numerator="partnerships.cooperating_hebei",
        grow=(496, 273),
    ),
    Spec(
        "university-alliances",
        "高校联盟",
        "University alliances",
        C,
        numerator="partnerships.active",
        params={"kind": "university_alliance"},
    ),
    Spec(
        "xiongan-stages-covered",
        "雄安已有京津合作伙伴的基础教育学段",
        "Stages of Xiong'an's basic education with a partner",
        C,
        numerator="partnerships.xiongan_stages_covered",
        target=Decimal(4),
    ),
    Spec(
        "activities-per-partnership",
        "每个合作项目的活动数",
        "Activities per partnership",
        C,
        numerator="partnerships.activities",
        denominator="partnerships.active",
    ),
    Spec(
        "placements-completed",
        "完成的交流岗位",
        "Exchange placements completed",
        C,
        numerator="exchanges.placements_completed",
    ),
    Spec(
        "exchange-coverage",
        "教师交流覆盖率",
        "Share of eligible teachers exchanged",
        C,
        unit=Unit.PERCENT,
        numerator="exchanges.teachers_exchanged",
        denominator="exchanges.eligible_teachers",
    ),
    Spec(
        "rotation-rule-schools",
        "达到交流轮岗要求的学校比例",
        "Share of schools meeting the national rotation rule",
        C,
        unit=Unit.PERCENT,
        numerator="exchanges.rotation_schools_meeting",
        denominator="exchanges.rotation_schools",
        target=Decimal(100),
    ),
    Spec(
        "cooperating-bjtj-schools-reported",
        "与河北学校合作的京津学校（公布数）",
        "Beijing/Tianjin schools cooperating with Hebei schools (published)",
        R,
        reporter=BJ,
        target=Decimal(314),
    ),
    Spec(
        "cooperating-hebei-schools-reported",
        "与京津学校合作的河北学校（公布数）",
        "Hebei schools cooperating with Beijing/Tianjin schools (published)",
        R,
        reporter=HB,
        target=Decimal(496),
    ),
    Spec(
        "university-alliances-reported",
        "高校联盟（公布数）",
        "University alliances (published)",
        R,
        reporter=BJ,
    ),
    Spec(
        "vocational-colleges-joint",
        "跨省联合培养的职业院校",
        "Vocational colleges in cross-province joint training",
        R,
        reporter=HB,
    ),
    Spec(
        "hebei-teachers-shadowing",
        "每年赴京津跟岗的河北校长教师",
        "Hebei principals and teachers shadowing in Beijing/Tianjin a year",
        R,
        reporter=HB,
        period_kind="year",
        target=Decimal(250),
    ),
)

# (indicator key, period, value): the outcomes as reported (facts.md).
PUBLISHED: tuple[tuple[str, str, int], ...] = (
    ("cooperating-bjtj-schools-reported", "2023Q4", 202),
    ("cooperating-bjtj-schools-reported", "2024Q2", 246),
    ("cooperating-bjtj-schools-reported", "2025Q4", 314),
    ("cooperating-hebei-schools-reported", "2023Q4", 273),
    ("cooperating-hebei-schools-reported", "2024Q2", 370),
    ("cooperating-hebei-schools-reported", "2025Q4", 496),
    ("university-alliances-reported", "2023Q4", 16),
    ("vocational-colleges-joint", "2023Q4", 15),
    ("hebei-teachers-shadowing", "2024", 100),
    ("hebei-teachers-shadowing", "2025", 250),
)
# The plan's tasks (codes of the plan's data) each indicator serves, where they exist.
TASKS: dict[str, tuple[str, ...]] = {}


@dataclass
class Result:
    defined: int = 0
    published: int = 0
    periods: list[str] = field(default_factory=list)
    written: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return (
            f"Plan indicators: {self.defined} defined, {self.published} published figures; "
            f"snapshots {self.periods[0] if self.periods else ''}..."
            f"{self.periods[-1] if self.periods else ''}: {self.written} values written, "
            f"{self.unchanged} unchanged"
        )


def _authority(name: str) -> Institution | None:
    return Institution.objects.filter(name=name, kind="authority").first()


def _define(spec: Spec) -> tuple[Indicator, bool]:
    found = Indicator.objects.filter(key=spec.key).first()
    if found is not None:
        return found, False
    i = Indicator.objects.create(
        key=spec.key,
        name=spec.name,
        name_en=spec.name_en,
        source=spec.source,
        numerator=spec.numerator,
        denominator=spec.denominator,
        params=spec.params,
        reporter=_authority(spec.reporter) if spec.reporter else None,
        unit=spec.unit,
        period_kind=spec.period_kind,
        target=spec.target,
        target_date=TARGET_DATE if spec.target is not None or spec.grow else None,
        order=SPECS.index(spec),
    )
    tasks = Task.objects.filter(code__in=TASKS.get(spec.key, ()))
    if tasks:
        i.tasks.set(tasks)
    return i, True


def _publish(i: Indicator, period: str, value: int) -> bool:
    _row, created = IndicatorValue.objects.get_or_create(
        indicator=i,
        period=period,
        scope="",
        stage="",
        defaults={
            "value": Decimal(value),
            "origin": ValueOrigin.PUBLISHED,
            "status": ValueStatus.APPROVED,
            "source_note": SOURCE,
        },
    )
    return created


def _baselines(indicators: dict[str, Indicator]) -> None:
    """Baseline from the 2023Q4 snapshot; a grown target for the cooperation counts."""
    for spec in SPECS:
        i = indicators[spec.key]
        if spec.source != C or i.baseline is not None:
            continue
        first = IndicatorValue.objects.filter(
            indicator=i, period=FIRST.code, scope="", stage=""
        ).first()
        if first is None:
            continue
        i.baseline, i.baseline_period = first.value, FIRST.code
        fields = ["baseline", "baseline_period"]
        if spec.grow and i.target is None:
            up, base = spec.grow
            i.target = (first.value * up / base).quantize(Decimal(1), ROUND_HALF_UP)
            fields.append("target")
        i.save(update_fields=fields)
    for spec in SPECS:
        i = indicators[spec.key]
        if spec.source == R and i.baseline is None:
            first_value = next((v for k, p, v in PUBLISHED if k == spec.key), None)
            first_period = next((p for k, p, _v in PUBLISHED if k == spec.key), "")
            if first_value is not None:
                i.baseline, i.baseline_period = Decimal(first_value), first_period
                i.save(update_fields=["baseline", "baseline_period"])


def quarters() -> list[Period]:
    return between(FIRST, LAST)


def load() -> Result:
    """Define the indicators, load the published figures, snapshot every quarter."""
    result = Result()
    with transaction.atomic():
        indicators: dict[str, Indicator] = {}
        for spec in SPECS:
            indicators[spec.key], created = _define(spec)
            result.defined += int(created)
        for key, period, value in PUBLISHED:
            result.published += int(_publish(indicators[key], period, value))
        if result.defined or result.published:
            audit.record(
                named.demo_actor(),
                "demo.plan_history",
                label="plan indicators",
                detail={"defined": result.defined, "published": result.published},
            )
    computed = [indicators[s.key] for s in SPECS if s.source == C]
    for p in quarters():
        s = snapshots.snapshot(None, p, computed)
        result.periods.append(p.code)
        result.written += s.written
        result.unchanged += s.unchanged
    _baselines(indicators)
    return result
