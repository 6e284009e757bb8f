"""The task page's panel of indicators (registered on page "plan.task" from the app's
``ready()``): each indicator of the task the reader sees, with its latest value, target,
progress and the at-risk sentence, linked to the indicator's page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from xietong.core.errors import InvalidInput
from xietong.core.periods import containing
from xietong.plan.indicators import selectors as sel
from xietong.plan.metrics import WHOLE
from xietong.plan.models import Task


def _percent(share: Decimal | None) -> Decimal | None:
    return None if share is None else (share * 100).quantize(Decimal("0.1"))


def _latest(indicator: Any, history: list[Any]) -> tuple[Decimal | None, str, bool]:
    """(value, period, computed now): the last stored value, else the value computed now
    for the current period (an indicator not yet snapshotted)."""
    if history:
        return history[-1].value, history[-1].period, False
    period = containing(timezone.localdate(), indicator.period_kind)
    try:
        value = sel.value_for(indicator, WHOLE, period).value
    except InvalidInput:
        return None, "", False
    return value, period.code, value is not None


def task_panel(actor: Any, task: Task) -> dict[str, Any]:
    rows = []
    for i in sel.indicators_for(actor).filter(tasks=task).order_by("key"):
        history = sel.history(i)
        a = sel.assessment(i)
        value, period, now = _latest(i, history)
        rows.append(
            {
                "indicator": i,
                "url": reverse("plan_indicators:detail", kwargs={"key": i.key}),
                "value": value,
                "period": period,
                "computed_now": now,
                "a": a,
                "percent": _percent(a.progress),
            }
        )
    return {"rows": rows}
