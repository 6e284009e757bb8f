"""Reported values: the reporting body writes a value per period (a draft), submits it,
and a plan manager approves it — then it counts — or returns it with a comment.

Refused with a specific message, nothing changed: a value of a computed indicator; a
value by anyone but the reporting body's admin; a period that does not parse, or of the
wrong kind; a value that is not a number, a negative count, a percentage over 100; a scope
outside the reporter's region; a period whose value is approved already, or waits for
review; a return without a comment.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from xietong.access.actor import Actor
from xietong.access.transitions import transition
from xietong.accounts import audit
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied
from xietong.core.periods import KIND_LABELS, PeriodError, parse
from xietong.plan.choices import IndicatorSource, Unit, ValueOrigin, ValueStatus
from xietong.plan.indicators import access as rules
from xietong.plan.metrics import Scope, scope_paths
from xietong.plan.models import Indicator, IndicatorValue
from xietong.regions.models import Region

MAX_VALUE = Decimal("999999999999")


def _bad(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


def parse_value(raw: object, unit: str) -> Decimal:
    """The number reported, checked against the unit."""
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise _bad("value", _("“%(value)s” is not a number.") % {"value": str(raw)[:30]}) from None
    if not value.is_finite() or abs(value) > MAX_VALUE:
        raise _bad("value", _("“%(value)s” is not a number.") % {"value": str(raw)[:30]})
    if value < 0:
        if unit == Unit.COUNT:
            raise _bad("value", _("A count cannot be negative."))
        raise _bad("value", _("The value cannot be negative."))
    if unit == Unit.PERCENT and value > 100:
        raise _bad("value", _("A percentage cannot be over 100."))
    if unit == Unit.COUNT and value != value.to_integral_value():
        raise _bad("value", _("A count is a whole number."))
    return value.quantize(Decimal("0.0001"))


def parse_scope(key: str, stage: str = "") -> Scope:
    """A scope key as ``IndicatorValue.scope`` stores it, or a specific refusal."""
    key = (key or "").strip()
    if key.startswith("region:"):
        region = Region.objects.filter(code=key[7:]).only("path").first()
        if region is None:
            raise _bad("scope", _("Unknown region or region group: %(code)s") % {"code": key[7:]})
        return Scope(region_path=region.path, stage=stage)
    if key.startswith("group:"):
        group = key[6:]
        if not Region.objects.filter(groups__key=group).exists():
            raise _bad("scope", _("Unknown region or region group: %(code)s") % {"code": group})
        return Scope(group=group, stage=stage)
    if key:
        raise _bad("scope", _("Unknown region or region group: %(code)s") % {"code": key[:40]})
    return Scope(stage=stage)


def _within_reporter(indicator: Indicator, scope: Scope) -> bool:
    """Whether the scope lies within the reporter's region (its whole figure: always)."""
    if not scope.region_path and not scope.group:
        return True
    reporter = indicator.reporter
    if reporter is None or reporter.kind != "authority":
        return False  # a school reports its own figure only
    paths = scope_paths(scope) or []
    return bool(paths) and all(p.startswith(reporter.region_path) for p in paths)


def report_value(
    actor: Actor,
    indicator: Indicator,
    period: str,
    value: object,
    *,
    scope: str = "",
    stage: str = "",
    note: str = "",
) -> IndicatorValue:
    """Write (or rewrite, while a draft or returned) the body's value for the period."""
    if indicator.source != IndicatorSource.REPORTED:
        raise InvalidInput(
            _("“%(name)s” is computed from the platform's records; it is not reported.")
            % {"name": indicator.name}
        )
    if not rules.reports(actor, indicator):
        raise PermissionDenied(rules.REPORTS)
    try:
        p = parse(period)
    except PeriodError as e:
        raise _bad("period", str(e.message)) from None
    if p.kind != indicator.period_kind:
        raise _bad(
            "period",
            _("“%(name)s” is reported per %(kind)s; %(period)s is not one.")
            % {
                "name": indicator.name,
                "kind": str(KIND_LABELS.get(indicator.period_kind, indicator.period_kind)).lower(),
                "period": p.code,
            },
        )
    amount = parse_value(value, indicator.unit)
    where = parse_scope(scope, stage)
    if not _within_reporter(indicator, where):
        raise _bad(
            "scope",
            _("%(body)s reports for its own region only; this scope lies outside it.")
            % {"body": indicator.reporter.name if indicator.reporter else ""},
        )
    with transaction.atomic():
        row = (
            IndicatorValue.objects.select_for_update()
            .filter(indicator=indicator, period=p.code, scope=where.key, stage=where.stage)
            .first()
        )
        if row is not None:
            _check_open(row)
            before: dict[str, Any] = {"value": str(row.value), "note": row.note}
            row.value, row.note = amount, note[:500]
            row.recorded_by_id = actor.user_id
            row.save(update_fields=["value", "note", "recorded_by"])
            audit.record(
                actor,
                "plan.indicator_value.update",
                target=row,
                before=before,
                after={"value": str(amount), "note": row.note},
            )
            return row
        row = IndicatorValue.objects.create(
            indicator=indicator,
            period=p.code,
            scope=where.key,
            stage=where.stage,
            value=amount,
            origin=ValueOrigin.REPORTED,
            status=ValueStatus.DRAFT,
            note=note[:500],
            recorded_by_id=actor.user_id,
        )
        audit.record(
            actor,
            "plan.indicator_value.report",
            target=row,
            after={"indicator": indicator.key, "period": p.code, "value": str(amount)},
        )
        return row


def _check_open(row: IndicatorValue) -> None:
    if row.origin != ValueOrigin.REPORTED:
        raise Conflict(
            _("%(period)s already has a published or computed value; it is not reported.")
            % {"period": row.period}
        )
    if row.status == ValueStatus.APPROVED:
        raise Conflict(
            _("The value for %(period)s has been approved; it can no longer be changed.")
            % {"period": row.period}
        )
    if row.status == ValueStatus.SUBMITTED:
        raise Conflict(
            _("The value for %(period)s waits for review; it cannot be changed now.")
            % {"period": row.period}
        )


def submit_value(actor: Actor, row: IndicatorValue) -> IndicatorValue:
    with transaction.atomic():
        row = IndicatorValue.objects.select_for_update().get(pk=row.pk)
        return transition(actor, "submit", row)


def review_value(
    actor: Actor, row: IndicatorValue, verdict: str, comment: str = ""
) -> IndicatorValue:
    """``verdict``: ``"approve"`` (the value counts from now) or ``"return"`` (a comment
    says what to change)."""
    if verdict not in ("approve", "return"):
        raise _bad("verdict", _("Approve or return the value."))
    comment = (comment or "").strip()
    if verdict == "return" and not comment:
        raise _bad("comment", _("Say what should change when returning a value."))
    with transaction.atomic():
        row = IndicatorValue.objects.select_for_update().get(pk=row.pk)
        row.review_comment = comment[:1000]
        row.reviewed_by_id = actor.user_id
        return transition(
            actor,
            verdict,
            row,
            fields=["review_comment", "reviewed_by"],
            detail={"comment": row.review_comment} if comment else None,
        )
