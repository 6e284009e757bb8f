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
from xietong.core.periods import KIND_LABELS, read
from xietong.plan.choices import IndicatorSource, Unit, ValueOrigin, ValueStatus
from xietong.plan.indicators import access as rules
from xietong.plan.metrics import Scope, scope_of, scope_paths
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
    """A scope key as ``IndicatorValue.scope`` stores it (:func:`metrics.scope_of`), or a
    specific refusal."""
    key = (key or "").strip()
    code = key[7:] if key.startswith("region:") else key[6:] if key.startswith("group:") else key
    refusal = _bad("scope", _("Unknown region or region group: %(code)s") % {"code": code[:40]})
    if key and code == key:
        raise refusal
    try:
        scope = scope_of(key, stage)
    except ValueError:
        raise refusal from None
    if scope.group and not Region.objects.filter(groups__key=scope.group).exists():
        raise refusal
    return scope


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
            % {"name": indicator.display_name}
        )
    if not rules.reports(actor, indicator):
        raise PermissionDenied(rules.REPORTS)
    p = read(period)
    if p.kind != indicator.period_kind:
        raise _bad(
            "period",
            _("“%(name)s” is reported per %(kind)s; %(period)s is not one.")
            % {
                "name": indicator.display_name,
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


# --- defining indicators ------------------------------------------------------------------

FIELDS = (
    "name",
    "name_en",
    "description",
    "source",
    "numerator",
    "denominator",
    "params",
    "unit",
    "period_kind",
    "baseline",
    "baseline_period",
    "target",
    "target_date",
)


def _check_target(unit: str, field: str, raw: object) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        return parse_value(raw, unit)
    except InvalidInput as e:
        raise _bad(field, str(e.message)) from None


def clean_definition(data: dict[str, Any]) -> dict[str, Any]:
    """The indicator's fields checked: metric keys registered, the unit's range for the
    baseline and target, a reporter for a reported indicator, periods that parse."""
    from xietong.plan.indicators.compute import metric_of

    out = {k: data[k] for k in FIELDS if k in data}
    name = str(out.get("name") or "").strip()
    if not name:
        raise _bad("name", _("Give the indicator a name."))
    out["name"] = name[:200]
    source = out.get("source") or IndicatorSource.COMPUTED
    if source not in IndicatorSource.values:
        raise _bad("source", _("An indicator is computed or reported."))
    unit = out.get("unit") or Unit.COUNT
    if unit not in Unit.values:
        raise _bad("unit", _("The unit is a count, a percentage or per 100 teachers."))
    out["source"], out["unit"] = source, unit
    if source == IndicatorSource.COMPUTED:
        if not out.get("numerator"):
            raise _bad("numerator", _("A computed indicator names its numerator metric."))
        named = []
        for f in ("numerator", "denominator"):
            if out.get(f):
                try:
                    named.append(metric_of(str(out[f])))
                except InvalidInput as e:
                    raise _bad(f, str(e.message)) from None
        for param, value in (out.get("params") or {}).items():
            # A parameter goes to both metrics; one of them must take it, with this value.
            takes = [m for m in named if param in m.params]
            if not takes or all(
                m.params[param] is not None and value not in (m.params[param] or ()) for m in takes
            ):
                raise _bad(
                    "params",
                    _("“%(value)s” is not a value of %(param)s for %(metric)s.")
                    % {"value": str(value)[:40], "param": param, "metric": named[0].key},
                )
        if unit in (Unit.PERCENT, Unit.PER_100_TEACHERS) and not out.get("denominator"):
            raise _bad("denominator", _("A percentage or a rate per 100 needs a denominator."))
    kind = out.get("period_kind") or "quarter"
    if kind not in ("quarter", "month", "year"):
        raise _bad("period_kind", _("An indicator is kept per quarter, month or year."))
    out["period_kind"] = kind
    for f in ("baseline", "target"):
        if f in out:
            out[f] = _check_target(unit, f, out[f])
    if out.get("baseline_period"):
        out["baseline_period"] = read(out["baseline_period"], "baseline_period").code
    if out.get("target") is not None and not out.get("target_date"):
        raise _bad("target_date", _("A target needs the date it is to be reached by."))
    return out


def define_indicator(
    actor: Actor, key: str, data: dict[str, Any], *, tasks: list[Any], reporter: Any = None
) -> Indicator:
    """A new indicator serving ``tasks`` (of plans the actor manages)."""
    from django.utils.text import slugify

    from xietong.plan.models import Task

    ids = [getattr(t, "pk", t) for t in tasks]
    found = list(Task.objects.filter(pk__in=ids))
    if not found:
        raise _bad("tasks", _("An indicator serves at least one task of the plan."))
    plans = set(rules.managed_plans(actor))
    if len(found) != len(set(ids)) or any(t.plan_id not in plans for t in found):
        raise PermissionDenied(rules.REVIEWS_MANAGE)
    slug = slugify(key or "")[:60]
    if not slug:
        raise _bad("key", _("Give the indicator a key of letters, digits and hyphens."))
    if Indicator.objects.filter(key=slug).exists():
        raise _bad("key", _("The key “%(key)s” is taken.") % {"key": slug})
    clean = clean_definition(data)
    if clean["source"] == IndicatorSource.REPORTED and reporter is None:
        raise _bad("reporter", _("A reported indicator names the body that reports it."))
    with transaction.atomic():
        i = Indicator.objects.create(key=slug, reporter=reporter, **clean)
        i.tasks.set(found)
        audit.record(
            actor,
            "plan.indicator.define",
            target=i,
            after={"key": slug, **{k: str(v) for k, v in clean.items()}},
        )
    return i


def edit_indicator(actor: Actor, indicator: Indicator, data: dict[str, Any]) -> Indicator:
    """Change an indicator's definition (its history stays as it was recorded)."""
    if not rules.manages(actor, indicator):
        raise PermissionDenied(rules.REVIEWS_MANAGE)
    current = {k: getattr(indicator, k) for k in FIELDS}
    clean = clean_definition({**current, **data})
    changed = {k: v for k, v in clean.items() if current.get(k) != v}
    if not changed:
        return indicator
    with transaction.atomic():
        for k, v in changed.items():
            setattr(indicator, k, v)
        indicator.save(update_fields=[*changed, "updated_at"])
        audit.record(
            actor,
            "plan.indicator.edit",
            target=indicator,
            before={k: str(current[k]) for k in changed},
            after={k: str(v) for k, v in changed.items()},
        )
    return indicator
