"""Loading a plan from its data file (``plan/data/*.json``): a plan is data, not code.

:func:`load_plan` checks everything first — every deadline inside the plan's period, every
body an institution that exists, every target in its indicator's unit, every metric key
registered — and refuses the whole file with each problem named; then it writes it in one
transaction, audited, as an upsert by keys (the plan's key, a section's number, a task's
code, an indicator's key), so loading the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from xietong import access
from xietong.access.actor import Actor
from xietong.accounts import audit
from xietong.core import periods
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.institutions.models import Institution
from xietong.plan.choices import BodyRole, IndicatorSource, Unit, ValueOrigin
from xietong.plan.models import Indicator, IndicatorValue, Plan, Section, Task, TaskBody
from xietong.plan.services.tasks import deadline_error
from xietong.regions.models import Region, RegionGroup


def _date(value: Any, where: str, problems: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(
            _("%(where)s: “%(value)s” is not a date (YYYY-MM-DD).")
            % {"where": where, "value": value}
        )
        return None


def _number(value: Any, where: str, problems: list[str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        problems.append(
            _("%(where)s: “%(value)s” is not a number.") % {"where": where, "value": value}
        )
        return None


def unit_error(unit: str, value: Decimal, where: str) -> str | None:
    """A value that its unit cannot hold: a share above 100 %, a count with decimals."""
    if value < 0:
        return _("%(where)s: %(value)s is negative.") % {"where": where, "value": value}
    if unit == Unit.PERCENT and value > 100:
        return _("%(where)s: %(value)s is more than 100 percent.") % {
            "where": where,
            "value": value,
        }
    if unit == Unit.COUNT and value != value.to_integral_value():
        return _("%(where)s: a count has no decimals (%(value)s).") % {
            "where": where,
            "value": value,
        }
    return None


class _Checked:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.institutions: dict[str, Institution] = {}
        self.regions: dict[str, Region] = {}
        self.groups: dict[str, RegionGroup] = {}


def _institution(name: str, where: str, c: _Checked) -> Institution | None:
    if name not in c.institutions:
        found = list(Institution.objects.filter(name=name)[:2])
        if len(found) != 1:
            c.problems.append(
                _("%(where)s: no institution is named “%(name)s”.") % {"where": where, "name": name}
                if not found
                else _("%(where)s: more than one institution is named “%(name)s”.")
                % {"where": where, "name": name}
            )
            return None
        c.institutions[name] = found[0]
    return c.institutions[name]


def _check(data: dict[str, Any]) -> tuple[_Checked, dt.date | None, dt.date | None]:
    c = _Checked()
    p = c.problems
    for key in ("key", "name", "starts_on", "ends_on"):
        if not data.get(key):
            p.append(_("The plan needs “%(field)s”.") % {"field": key})
    starts = _date(data.get("starts_on"), "starts_on", p) if data.get("starts_on") else None
    ends = _date(data.get("ends_on"), "ends_on", p) if data.get("ends_on") else None
    if starts and ends and ends < starts:
        p.append(_("The plan ends before it starts."))
    if data.get("predecessor") and not Plan.objects.filter(key=data["predecessor"]).exists():
        p.append(_("The predecessor plan “%(key)s” is not loaded.") % {"key": data["predecessor"]})
    for name in data.get("signatories", []):
        _institution(name, _("signatories"), c)
    numbers = set()
    for part in data.get("parts", []):
        numbers.add(part.get("number"))
        for s in part.get("sections", []):
            numbers.add(s.get("number"))
    codes = set()
    for t in data.get("tasks", []):
        where = _("task %(code)s") % {"code": t.get("code", "?")}
        if not t.get("code") or not t.get("title"):
            p.append(_("%(where)s: a task needs a code and a title.") % {"where": where})
        if t.get("code") in codes:
            p.append(_("%(where)s: the code is used twice.") % {"where": where})
        codes.add(t.get("code"))
        if t.get("section") not in numbers:
            p.append(
                _("%(where)s: there is no section “%(section)s”.")
                % {"where": where, "section": t.get("section")}
            )
        deadline = _date(t.get("deadline"), where, p)
        if deadline and starts and ends:
            problem = deadline_error(Plan(starts_on=starts, ends_on=ends), deadline)
            if problem:
                p.append(f"{where}: {problem}")
        if not t.get("bodies"):
            p.append(_("%(where)s: a task needs a responsible body.") % {"where": where})
        for name in [*t.get("bodies", []), *t.get("co_bodies", [])]:
            _institution(name, where, c)
        if code := t.get("target_region"):
            r = Region.objects.filter(code=code).first()
            if r is None:
                p.append(
                    _("%(where)s: no region has the code %(code)s.")
                    % {"where": where, "code": code}
                )
            else:
                c.regions[code] = r
        if key := t.get("target_group"):
            g = RegionGroup.objects.filter(key=key).first()
            if g is None:
                p.append(
                    _("%(where)s: no region group has the key %(key)s.")
                    % {"where": where, "key": key}
                )
            else:
                c.groups[key] = g
    for i in data.get("indicators", []):
        _check_indicator(i, codes, c)
    return c, starts, ends


DEFINITION = ("name", "source", "numerator", "denominator", "params", "unit")


def _check_indicator(i: dict[str, Any], codes: set[Any], c: _Checked) -> None:
    p = c.problems
    where = _("indicator %(key)s") % {"key": i.get("key", "?")}
    unit = i.get("unit", "")
    if unit not in Unit.values:
        p.append(_("%(where)s: “%(unit)s” is not a unit.") % {"where": where, "unit": unit})
    source = i.get("source", "")
    if source == IndicatorSource.COMPUTED:
        if unit in Unit.values:
            # The rules of an indicator's definition are the indicator service's (metrics
            # registered, parameters they take, a denominator for a share).
            from xietong.plan.indicators.services import clean_definition

            try:
                clean_definition({k: i[k] for k in DEFINITION if k in i})
            except InvalidInput as e:
                p.append(f"{where}: {e.message}")
    elif source == IndicatorSource.REPORTED:
        if not i.get("reporter"):
            p.append(
                _("%(where)s: a reported indicator needs the body that reports it.")
                % {"where": where}
            )
        else:
            _institution(i["reporter"], where, c)
    else:
        p.append(_("%(where)s: the source is “computed” or “reported”.") % {"where": where})
    for t in i.get("tasks", []):
        if t not in codes:
            p.append(_("%(where)s: there is no task %(code)s.") % {"where": where, "code": t})
    checks = [(i.get(f), f"{where} {f}") for f in ("baseline", "target")]
    checks += [(h.get("value"), f"{where} {h.get('period')}") for h in i.get("history", [])]
    for raw, label in checks:
        value = _number(raw, label, p)
        problem = unit_error(unit, value, label) if value is not None else None
        if problem and unit in Unit.values:
            p.append(problem)
    for h in i.get("history", []):
        try:
            periods.parse(h.get("period"))
        except periods.PeriodError as e:
            p.append(f"{where}: {e.message}")
    if i.get("target_date"):
        _date(i["target_date"], where, p)


def load_plan(actor: Actor, data: dict[str, Any]) -> Plan:
    """Check and write the plan in ``data`` (see the module's doc); returns the plan."""
    if not access.can(actor, "plan.manage") and not actor.is_system_admin:
        raise PermissionDenied(_("Only a plan manager or an operator loads a plan."))
    if not isinstance(data, dict):
        raise InvalidInput(_("A plan file is a JSON object."))
    c, starts, ends = _check(data)
    if c.problems:
        raise InvalidInput(
            _("The plan was not loaded: %(n)s problems.") % {"n": len(c.problems)},
            fields={"plan": c.problems},
        )
    with transaction.atomic():
        before = _state(data["key"])
        plan, _created = Plan.objects.update_or_create(
            key=data["key"],
            defaults={
                "name": data["name"],
                "name_en": data.get("name_en", ""),
                "starts_on": starts,
                "ends_on": ends,
                "signed_on": dt.date.fromisoformat(data["signed_on"])
                if data.get("signed_on")
                else None,
                "summary": data.get("summary", ""),
                "outcomes": data.get("outcomes", ""),
                "predecessor": Plan.objects.filter(key=data["predecessor"]).first()
                if data.get("predecessor")
                else None,
            },
        )
        plan.signatories.set([c.institutions[n] for n in data.get("signatories", [])])
        sections: dict[str, Section] = {}
        order = 0
        for part in data.get("parts", []):
            order += 1
            sections[part["number"]] = _section(plan, part, None, order)
            for s in part.get("sections", []):
                order += 1
                sections[s["number"]] = _section(plan, s, sections[part["number"]], order)
        tasks: dict[str, Task] = {}
        for n, t in enumerate(data.get("tasks", []), start=1):
            tasks[t["code"]] = _task(plan, t, sections, c, n)
        for n, i in enumerate(data.get("indicators", []), start=1):
            _indicator(i, tasks, c, n)
        if _state(plan.key) == before:
            return plan  # loaded as it was: nothing to record
        audit.record(
            actor,
            "plan.plan.load",
            target=plan,
            detail={"counts": {"tasks": len(tasks), "indicators": len(data.get("indicators", []))}},
        )
    return plan


def _state(key: str) -> list[Any]:
    """Everything a plan file writes, as rows of values (to tell a load that changed nothing)."""
    plan = Plan.objects.filter(key=key).first()
    if plan is None:
        return []
    skip = {"created_at", "updated_at", "recorded_at", "id"}

    def rows(qs: Any) -> list[Any]:
        names = [f.attname for f in qs.model._meta.concrete_fields if f.attname not in skip]
        return [tuple(str(v) for v in r) for r in qs.order_by("pk").values_list(*names)]

    return [
        rows(Plan.objects.filter(pk=plan.pk)),
        sorted(plan.signatories.values_list("pk", flat=True)),
        rows(Section.objects.filter(plan=plan)),
        rows(Task.objects.filter(plan=plan)),
        rows(TaskBody.objects.filter(task__plan=plan)),
        rows(Indicator.objects.filter(tasks__plan=plan).distinct()),
        sorted(
            Indicator.tasks.through.objects.filter(task__plan=plan).values_list("pk", flat=True)
        ),
        rows(IndicatorValue.objects.filter(indicator__tasks__plan=plan).distinct()),
    ]


def _section(plan: Plan, d: dict[str, Any], parent: Section | None, order: int) -> Section:
    return Section.objects.update_or_create(
        plan=plan,
        number=d["number"],
        defaults={
            "title": d["title"],
            "title_en": d.get("title_en", ""),
            "parent": parent,
            "order": order,
        },
    )[0]


def _task(
    plan: Plan, t: dict[str, Any], sections: dict[str, Section], c: _Checked, order: int
) -> Task:
    task = Task.objects.update_or_create(
        plan=plan,
        code=t["code"],
        defaults={
            "section": sections[t["section"]],
            "title": t["title"],
            "title_en": t.get("title_en", ""),
            "description": t.get("description", ""),
            "deadline": dt.date.fromisoformat(t["deadline"]),
            "target_region": c.regions.get(t.get("target_region", "")),
            "target_group": c.groups.get(t.get("target_group", "")),
            "order": order,
        },
    )[0]
    wanted = {c.institutions[n].pk: BodyRole.RESPONSIBLE for n in t.get("bodies", [])}
    for n in t.get("co_bodies", []):
        wanted.setdefault(c.institutions[n].pk, BodyRole.CO_RESPONSIBLE)
    task.bodies.exclude(institution_id__in=wanted).delete()
    for inst_id, role in wanted.items():
        body = task.bodies.filter(institution_id=inst_id).first()
        if body is None:
            TaskBody.objects.create(
                task=task, institution=Institution.objects.get(pk=inst_id), role=role
            )
        elif body.role != role:
            body.role = role
            body.save()
    return task


def _indicator(i: dict[str, Any], tasks: dict[str, Task], c: _Checked, order: int) -> None:
    ind = Indicator.objects.update_or_create(
        key=i["key"],
        defaults={
            "name": i["name"],
            "name_en": i.get("name_en", ""),
            "description": i.get("description", ""),
            "source": i["source"],
            "numerator": i.get("numerator", ""),
            "denominator": i.get("denominator", ""),
            "params": i.get("params", {}),
            "reporter": c.institutions.get(i.get("reporter", "")),
            "unit": i["unit"],
            "period_kind": i.get("period_kind", "quarter"),
            "baseline": Decimal(str(i["baseline"])) if i.get("baseline") is not None else None,
            "baseline_period": i.get("baseline_period", ""),
            "target": Decimal(str(i["target"])) if i.get("target") is not None else None,
            "target_date": dt.date.fromisoformat(i["target_date"])
            if i.get("target_date")
            else None,
            "order": order,
        },
    )[0]
    ind.tasks.set([tasks[code] for code in i.get("tasks", [])])
    for h in i.get("history", []):
        IndicatorValue.objects.update_or_create(
            indicator=ind,
            period=periods.parse(h["period"]).code,
            scope=h.get("scope", ""),
            stage=h.get("stage", ""),
            defaults={
                "value": Decimal(str(h["value"])),
                "origin": ValueOrigin.PUBLISHED,
                "source_note": h.get("source", "")[:300],
            },
        )
