"""The audit log's sentences for the plan's indicators: snapshots and reported values."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import by_pk, describe, object_type
from xietong.plan.models import IndicatorValue

GROUP = gettext_lazy("The plan's indicators")


def _values(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = IndicatorValue.objects.select_related("indicator").only("period", "indicator__name")
    return by_pk(qs, lambda v: {"name": f"{v.indicator.name} · {v.period}"}, keys)


object_type("plan.indicatorvalue", gettext_lazy("indicator value"), _values)

describe(
    GROUP,
    "plan.indicator.snapshot",
    gettext_lazy("Indicators snapshotted"),
    lambda f: _("%(actor)s took a snapshot of the indicators for %(object)s") % f,
)
describe(
    GROUP,
    "plan.indicator_value.report",
    gettext_lazy("Indicator value reported"),
    lambda f: _("%(actor)s reported the value %(object)s") % f,
)
describe(
    GROUP,
    "plan.indicator_value.update",
    gettext_lazy("Reported value changed"),
    lambda f: _("%(actor)s changed the reported value %(object)s") % f,
)
describe(
    GROUP,
    "plan.indicator_value.submit",
    gettext_lazy("Indicator value submitted"),
    lambda f: _("%(actor)s submitted the value %(object)s for review") % f,
)
describe(
    GROUP,
    "plan.indicator_value.approve",
    gettext_lazy("Indicator value approved"),
    lambda f: _("%(actor)s approved the value %(object)s") % f,
)
describe(
    GROUP,
    "plan.indicator_value.return",
    gettext_lazy("Indicator value returned"),
    lambda f: _("%(actor)s returned the value %(object)s") % f,
)
describe(
    GROUP,
    "demo.plan_history",
    gettext_lazy("Demo figures given to the plan's indicators"),
    lambda f: _("%(actor)s scaled the plan's cooperation counts to the demo population") % f,
)
describe(
    GROUP,
    "plan.indicator.define",
    gettext_lazy("Indicator defined"),
    lambda f: _("%(actor)s defined the indicator %(object)s") % f,
)
describe(
    GROUP,
    "plan.indicator.edit",
    gettext_lazy("Indicator changed"),
    lambda f: _("%(actor)s changed the indicator %(object)s") % f,
)
