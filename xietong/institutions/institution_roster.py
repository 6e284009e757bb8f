"""The institutions roster of the importer: an authority's schools from a file.

A row is matched to the registry by its school identifier, else by its name within its
county: a match is updated (or left unchanged), anything else is registered. Each row goes
through the very rules of the institution form — ``services.apply_institution`` on an
unsaved copy, so the model's validation, the identifier's province check, the branch
rules and the region scope are the form's own; a province's ~40,000 institutions take
well under a minute this way, so no faster path is kept.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong import access
from xietong.accounts.access import Actor
from xietong.core import bulk
from xietong.core.codes import STAGES
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.institutions import services
from xietong.institutions.choices import Kind, Locality, Ownership
from xietong.institutions.models import Institution
from xietong.institutions.selectors import region_write_q
from xietong.regions.models import Region
from xietong.transfer.reading import Column, Row
from xietong.transfer.rosters import (
    Field,
    Outcome,
    Planned,
    Roster,
    choice_lookup,
    code_names,
    in_chinese,
    register,
)

BATCH = 500
# Written on create and compared on update (the attnames the bulk writer takes).
VALUE_FIELDS = (
    "name",
    "name_en",
    "kind",
    "school_code",
    "stages",
    "ownership",
    "locality",
    "region_id",
    "region_path",
    "address",
    "latitude",
    "longitude",
    "parent_id",
)
# Which column a field's message belongs to.
COLUMN_OF = {"region": "region", "parent": "parent", "__all__": "name"}


def region_code(value: Any) -> str:
    """The six-digit code a cell gives (``131082`` or the drop-down's ``131082 三河市``)."""
    match = re.match(r"\d{6}", str(value or ""))
    return match.group(0) if match else str(value or "")[:40]


def _regions(actor: Actor) -> list[str]:
    qs = Region.objects.filter(region_write_q(actor)).order_by("code")
    return [f"{code} {name}" for code, name in qs.values_list("code", "name")[:3000]]


FIELDS = (
    Field(
        Column("name", "单位名称", ("学校名称", "name"), required=True),
        gettext_lazy("The institution's full name, unique within its county."),
        "三河市燕郊第一小学",
    ),
    Field(
        Column(
            "school_code",
            "学校标识码",
            ("单位标识码", "学校代码", "school identifier"),
            kind="code",
        ),
        gettext_lazy("The 10-digit identifier of the national school register; may be empty."),
        "",
    ),
    Field(
        Column("kind", "办学类型", ("学校类型", "单位类型", "kind"), required=True),
        gettext_lazy("One of the list."),
        "小学",
        choices=lambda actor: in_chinese(label for _c, label in Kind.choices),
    ),
    Field(
        Column(
            "region", "所在区县", ("行政区划", "区划代码", "region"), required=True, kind="code"
        ),
        gettext_lazy(
            "The county (district) by its six-digit code, as in the list (the code is enough)."
        ),
        "131082 三河市",
        choices=_regions,
    ),
    Field(
        Column("stages", "学段", ("stages",)),
        gettext_lazy("One or more of the list, separated by 、; empty: the kind's usual stages."),
        "小学",
        listed=lambda actor: code_names(STAGES),
    ),
    Field(
        Column("ownership", "办学性质", ("公办民办", "ownership")),
        gettext_lazy("公办 or 民办; empty means 公办."),
        "公办",
        choices=lambda actor: in_chinese(label for _c, label in Ownership.choices),
    ),
    Field(
        Column("locality", "城乡分类", ("城乡", "locality")),
        gettext_lazy("One of the list; empty means urban."),
        "",
        choices=lambda actor: in_chinese(label for _c, label in Locality.choices),
    ),
    Field(
        Column("address", "地址", ("address",)),
        gettext_lazy("May be left empty."),
        "",
    ),
    Field(
        Column("parent", "本部学校标识码", ("所属学校标识码", "parent")),
        gettext_lazy("For a branch campus: the school identifier of its main school."),
        "",
    ),
    Field(
        Column("name_en", "英文名称", ("English name",)),
        gettext_lazy("May be left empty."),
        "",
    ),
)


class _Planner:
    def __init__(self, actor: Actor):
        self.actor = actor
        self.kinds = choice_lookup(Kind.choices)
        self.ownerships = choice_lookup(Ownership.choices)
        self.localities = choice_lookup(Locality.choices)
        self.regions = {code: pk for code, pk in Region.objects.values_list("code", "pk")}
        self.seen_codes: dict[str, int] = {}
        self.seen_names: dict[tuple[str, str], int] = {}

    def _choice(self, labels: dict[str, str], value: Any, key: str, problems: list[Any]) -> str:
        if value in (None, ""):
            return ""
        code = labels.get(str(value).strip().casefold())
        if code is None:
            problems.append((key, _("“%(value)s” is not one of the list.") % {"value": value}))
        return code or ""

    def data(self, row: Row, problems: list[tuple[str, str]]) -> dict[str, Any]:
        v = row.values
        data: dict[str, Any] = {"name": v.get("name") or ""}
        if kind := self._choice(self.kinds, v.get("kind"), "kind", problems):
            data["kind"] = kind
        data["region"] = region_code(v.get("region"))
        if v.get("school_code"):
            data["school_code"] = v["school_code"]
        if v.get("stages"):
            data["stages"] = v["stages"]
        for key, labels in (("ownership", self.ownerships), ("locality", self.localities)):
            if code := self._choice(labels, v.get(key), key, problems):
                data[key] = code
        for key in ("address", "name_en"):
            if v.get(key):
                data[key] = v[key]
        if parent := str(v.get("parent") or ""):
            pk = Institution.objects.filter(school_code=parent).values_list("pk", flat=True).first()
            if pk is None:
                problems.append(
                    (
                        "parent",
                        _("No institution has the school identifier %(code)s.") % {"code": parent},
                    )
                )
            data["parent"] = pk
        return data

    def clean(self, row: Row, existing: Institution | None) -> Planned:
        problems = list(row.problems)
        data = self.data(row, problems)
        bad = {k for k, _m in problems}
        data = {k: val for k, val in data.items() if k not in bad}
        if problems and ("name" in bad or "region" in bad or "kind" in bad):
            return Planned(row, "failed", problems)
        region = data.get("region", "")
        if existing is not None:
            if "edit" not in access.actions(self.actor, existing):
                problems.append(
                    (
                        "name",
                        _("%(name)s is registered outside your scope; its authority keeps it.")
                        % {"name": existing.name},
                    )
                )
                return Planned(row, "failed", problems)
            inst = copy.copy(existing)
        else:
            inst = Institution()
        try:
            services.apply_institution(self.actor, inst, data)
            if existing is None or inst.region_id != existing.region_id:
                services.require_region_write(self.actor, inst.region)
        except InvalidInput as e:
            for key, messages in e.fields.items():
                column = COLUMN_OF.get(key, key)
                problems.extend((column, m) for m in messages)
            if not e.fields:
                problems.append(("name", str(e.message)))
        except PermissionDenied as e:
            problems.append(
                ("region" if "region" in str(e.message) or region else "parent", str(e.message))
            )
        self._duplicates(row, inst, problems)
        if problems:
            return Planned(row, "failed", problems)
        values = {f: getattr(inst, f) for f in VALUE_FIELDS}
        if existing is None:
            return Planned(row, "create", [], values)
        same = all(getattr(existing, f) == values[f] for f in VALUE_FIELDS)
        return Planned(row, "unchanged" if same else "update", [], values, pk=existing.pk)

    def _duplicates(self, row: Row, inst: Institution, problems: list[tuple[str, str]]) -> None:
        if inst.school_code:
            first = self.seen_codes.setdefault(inst.school_code, row.number)
            if first != row.number:
                problems.append(
                    (
                        "school_code",
                        _("The same school identifier is already in row %(row)d of this file.")
                        % {"row": first},
                    )
                )
        key = (inst.name, str(inst.region_id))
        first = self.seen_names.setdefault(key, row.number)
        if first != row.number:
            problems.append(
                (
                    "name",
                    _("The same institution is already in row %(row)d of this file.")
                    % {"row": first},
                )
            )

    def plan(self, rows: Sequence[Row]) -> Outcome:
        codes = [str(r.values.get("school_code") or "") for r in rows]
        names = [str(r.values.get("name") or "") for r in rows]
        found = Institution.objects.filter(
            Q(school_code__in=[c for c in codes if c]) | Q(name__in=[n for n in names if n])
        ).select_related("region", "parent")
        by_code = {i.school_code: i for i in found if i.school_code}
        by_name = {(i.name, i.region.code): i for i in found}
        planned = []
        for row, code, name in zip(rows, codes, names, strict=True):
            region = region_code(row.values.get("region"))
            existing = by_code.get(code) if code else by_name.get((name, region))
            planned.append(self.clean(row, existing))
        return Outcome(planned)


def plan(actor: Actor, rows: Iterator[Row]) -> Iterator[Outcome]:
    planner = _Planner(actor)
    while batch := list(islice(rows, BATCH)):
        yield planner.plan(batch)


def write(actor: Actor, outcome: Outcome) -> set[int]:
    creates = [p for p in outcome.rows if p.action == "create"]
    updates = [p for p in outcome.rows if p.action == "update"]
    if creates:
        bulk.insert(
            Institution, VALUE_FIELDS, ([p.values[f] for f in VALUE_FIELDS] for p in creates)
        )
    if updates:
        bulk.update(
            Institution,
            VALUE_FIELDS,
            ((p.pk, *[p.values[f] for f in VALUE_FIELDS]) for p in updates),
        )
    return {p.pk for p in updates if p.pk is not None}


def after_write(actor: Actor, touched: set[int]) -> None:
    from xietong.institutions import tallies

    tallies.refresh(touched)  # a school moved to another county moves its staff's counts


register(
    Roster(
        name="institutions",
        label=gettext_lazy("Institutions"),
        capability="institutions.register",
        denied=gettext_lazy("Institutions are imported by the administrators of an authority."),
        fields=FIELDS,
        plan=plan,
        write=write,
        after_write=after_write,
        audit_action="institution.import",
    )
)
