"""The demo's indicator history: three years of snapshots of the plan's computed indicators.

The indicators themselves are the plan's data (``plan/data/jjj-2023-2025.json``, loaded by
:mod:`xietong.demo.plan`): this step defines none. The plan keeps the outcomes the press
reported (facts.md) on separate *reported* indicators ("as reported by the signatories":
202 ↔ 273 at 2023Q4, 246 ↔ 370 at 2024Q2, 314 ↔ 496 at 2025Q4, 16 university alliances,
…) so that a *computed* indicator's history is only snapshots — a published figure in the
same series as a snapshot would bend its trend.

* **Snapshots** — every computed indicator of the plan is snapshotted for every quarter
  2023Q4..2025Q4 over the demo's records (:func:`xietong.plan.indicators.snapshots.snapshot`).
  The demo's partnership dates make the live cooperation counts follow the reported
  outcomes (:mod:`xietong.demo.network`), scaled to the demo population below scale 1.0.
* **Demo figures below scale 1.0** — there the population and the network are scaled, so
  the plan's baseline and target of the two cooperation counts (202 → 314 and 273 → 496,
  population-wide figures) would never be comparable with the demo's counts. The demo
  then replaces them with demo figures: the baseline is the 2023Q4 snapshot and the target
  that baseline grown by the facts' ratio (314/202, 496/273), rounded. The indicator's
  description says so (:data:`NOTE`), so that nobody mistakes them for the plan's figures;
  at scale 1.0 the plan's figures stay. :func:`scaled_plan` gives the plan's data with the
  demo figures, so that the demo's plan step loads the plan again without undoing them.

Idempotent: a second load rewrites no snapshot and finds the demo figures as they are.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from xietong.accounts import audit
from xietong.core.periods import Period, between, parse
from xietong.demo import named
from xietong.demo.models import DemoLoad
from xietong.plan.choices import IndicatorSource, Unit, ValueOrigin
from xietong.plan.cli_load import DATA
from xietong.plan.indicators import snapshots
from xietong.plan.models import Indicator, IndicatorValue

PLAN = "jjj-2023-2025"
FIRST, LAST = parse("2023Q4"), parse("2025Q4")
# The count metrics whose plan figures are population-wide counts (scaled in the demo).
SCALED = ("partnerships.cooperating_bj_tj", "partnerships.cooperating_hebei")
NOTE = (
    "【演示数据】演示规模为{scale}（低于1.0，人口与合作网络按比例缩小），基线与目标已换算为演示数字："
    "基线为{period}的快照值{baseline}，目标按公布成效的增长（{base}→{target}）放大为{demo_target}。"
    "这不是规划或签署方公布的数字。"
)


@dataclass
class Result:
    periods: list[str] = field(default_factory=list)
    written: int = 0
    unchanged: int = 0
    scaled: int = 0  # indicators whose demo figures were written

    def summary(self) -> str:
        span = f"{self.periods[0]}..{self.periods[-1]}" if self.periods else "none"
        return (
            f"Plan indicator snapshots {span}: {self.written} values written, "
            f"{self.unchanged} unchanged; {self.scaled} indicators given demo figures"
        )


def quarters() -> list[Period]:
    return between(FIRST, LAST)


def plan_data() -> dict[str, Any]:
    """The plan's data file as shipped."""
    data: dict[str, Any] = json.loads((DATA / f"{PLAN}.json").read_text(encoding="utf-8"))
    return data


def demo_scale() -> Decimal:
    """The scale of the loaded demo population (0 without one: only the named records)."""
    population = DemoLoad.objects.order_by("-loaded_at", "-id").first()
    return Decimal(str(population.scale)) if population is not None else Decimal(0)


def _scaled(i: dict[str, Any], first: Decimal, scale: Decimal) -> dict[str, Any]:
    base, target = Decimal(str(i["baseline"])), Decimal(str(i["target"]))
    demo_target = (first * target / base).quantize(Decimal(1), ROUND_HALF_UP)
    note = NOTE.format(
        scale=scale.normalize(),
        period=FIRST.code,
        baseline=int(first),
        base=int(base),
        target=int(target),
        demo_target=int(demo_target),
    )
    description = f"{i.get('description', '')}\n{note}".strip()
    return {
        **i,
        "baseline": int(first),
        "baseline_period": FIRST.code,
        "target": int(demo_target),
        "description": description,
    }


def scaled_plan(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (the plan's data) with the demo figures of the scaled count indicators —
    where the demo is below scale 1.0 and their 2023Q4 snapshot exists; else unchanged."""
    if data.get("key") != PLAN:
        return data
    scale = demo_scale()
    if scale >= 1:
        return data
    wanted = [
        i
        for i in data.get("indicators", [])
        if i.get("source") == IndicatorSource.COMPUTED
        and i.get("numerator") in SCALED
        and not i.get("denominator")
        and i.get("unit") == Unit.COUNT
        and i.get("baseline") is not None
        and i.get("target") is not None
    ]
    firsts = dict(
        IndicatorValue.objects.filter(
            indicator__key__in=[i["key"] for i in wanted],
            period=FIRST.code,
            scope="",
            stage="",
            origin=ValueOrigin.SNAPSHOT,
        ).values_list("indicator__key", "value")
    )
    out = copy.deepcopy(data)
    out["indicators"] = [
        _scaled(i, firsts[i["key"]], scale) if i in wanted and i["key"] in firsts else i
        for i in out.get("indicators", [])
    ]
    return out


def computed() -> list[Indicator]:
    """The plan's computed indicators."""
    return list(
        Indicator.objects.filter(source=IndicatorSource.COMPUTED, tasks__plan__key=PLAN)
        .distinct()
        .order_by("order", "id")
    )


def _apply_demo_figures() -> int:
    """Write the demo figures of :func:`scaled_plan` onto the indicators; how many changed."""
    data = scaled_plan(plan_data())
    shipped = {i["key"]: i for i in plan_data().get("indicators", [])}
    changed = 0
    for i in data.get("indicators", []):
        if i == shipped.get(i["key"]):
            continue
        ind = Indicator.objects.filter(key=i["key"]).first()
        if ind is None:
            continue
        figures = {
            "baseline": Decimal(str(i["baseline"])),
            "baseline_period": i["baseline_period"],
            "target": Decimal(str(i["target"])),
            "description": i["description"],
        }
        if all(getattr(ind, k) == v for k, v in figures.items()):
            continue
        for k, v in figures.items():
            setattr(ind, k, v)
        ind.save(update_fields=[*figures, "updated_at"])
        changed += 1
    return changed


def load() -> Result:
    """Snapshot the plan's computed indicators for every quarter; demo figures below 1.0."""
    result = Result()
    indicators = computed()
    if not indicators:
        return result  # the plan is not loaded
    for p in quarters():
        s = snapshots.snapshot(None, p, indicators)
        result.periods.append(p.code)
        result.written += s.written
        result.unchanged += s.unchanged
    with transaction.atomic():
        result.scaled = _apply_demo_figures()
        if result.scaled:
            audit.record(
                named.demo_actor(),
                "demo.plan_history",
                label="plan indicators",
                detail={"scaled": result.scaled, "scale": str(demo_scale())},
            )
    return result
