"""The coverage export: the coverage page's schools in its order, as an Excel workbook.

Authorities and institution admins export what their coverage page shows (capability
``exchanges.export_coverage``): the rows come from the same scoped table, so an authority's
file holds the schools of its region only, whatever area it asks for. Past
``XIETONG_EXPORT_SYNC_ROWS`` schools the export is a job (see ``xietong.jobs.exports``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.access import Actor
from xietong.core.errors import InvalidInput, NotFound
from xietong.core.pickers import bound
from xietong.core.tables import Column
from xietong.core.termfields import year_span
from xietong.core.terms import SchoolTerm
from xietong.exchanges.coverage import CoverageTable
from xietong.exchanges.selectors import CoverageFilters
from xietong.jobs.exports import ExportKind, Params, register

NAME = "exchanges.coverage"


def _filters(p: Params) -> CoverageFilters:
    return CoverageFilters(
        terms=year_span(p["school_year"], p.get("term")),
        area=p.get("area", ""),
        institution_id=p.get("institution"),
    )


def check(actor: Actor, raw: Mapping[str, Any]) -> Params:
    """The coverage page's own filters, checked by its form (same rules, same words)."""
    from xietong.exchanges.forms import CoverageForm

    data = {k: "" if v is None else str(v) for k, v in raw.items()}
    year = raw.get("school_year")
    if isinstance(year, int) and not isinstance(year, bool):
        data["school_year"] = f"{year}-{year + 1}"  # as stored in a job's parameters
    form = CoverageForm(data, institutions=bound("institutions", actor))
    if not form.is_valid():
        raise InvalidInput(fields={k: [str(m) for m in v] for k, v in form.errors.items()})
    params = form.params()
    try:
        CoverageTable(actor, _filters(params))  # resolves the area once
    except NotFound as e:
        raise InvalidInput(fields={"area": [str(e.message)]}) from None
    return params


def count(actor: Actor, p: Params) -> int:
    return CoverageTable(actor, _filters(p), p.get("sort", "gap")).count()


def columns(p: Params) -> Sequence[Column]:
    return [
        Column(_("Institution"), "text", 34),
        Column(_("Region"), "text", 14),
        Column(_("Eligible teachers"), "int", 12),
        Column(_("Completed"), "int", 12),
        Column(_("Share completed"), "percent", 12),
        Column(_("Rotated"), "int", 10),
        Column(_("Share rotated"), "percent", 12),
        Column(_("Backbone among them"), "int", 12),
        Column(_("Backbone share"), "percent", 12),
        Column(_("Teachers short of the rule"), "int", 14),
        Column(_("National rule"), "text", 18),
        Column(_("Full coverage"), "text", 10),
    ]


def rule_text(row: Mapping[str, Any]) -> str:
    if row["rotation_ok"] and row["backbone_ok"]:
        return _("Met")
    return _("Below 10% rotated") if not row["rotation_ok"] else _("Below 20% backbone")


def rows(actor: Actor, p: Params) -> Iterator[list[Any]]:
    for r in CoverageTable(actor, _filters(p), p.get("sort", "gap")):
        yield [
            r["institution"],
            r["region"],
            r["eligible"],
            r["completed"],
            r["share"],
            r["rotated"],
            r["rotated_share"],
            r["backbone_rotated"],
            r["backbone_share"],
            r["gap"],
            rule_text(r),
            _("Yes") if r["full_coverage"] else _("No"),
        ]


def _period(p: Params) -> str:
    year, term = p["school_year"], p.get("term")
    return SchoolTerm(year, term).code if term else f"{year}-{year + 1}"


def filename(p: Params) -> str:
    area = f"_{p['area']}" if p.get("area") else ""
    return f"{_('coverage')}_{_period(p)}{area}"


register(
    ExportKind(
        name=NAME,
        label=gettext_lazy("Coverage export"),
        capability="exchanges.export_coverage",
        denied=gettext_lazy("Coverage is exported by authorities and institution admins."),
        check=check,
        count=count,
        columns=columns,
        rows=rows,
        filename=filename,
        sheet=lambda p: _("Coverage") + " " + _period(p),
        formats=("xlsx",),
    )
)
