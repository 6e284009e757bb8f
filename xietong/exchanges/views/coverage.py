"""The coverage page: eligible versus completed exchanges against the national rule.

It opens on the viewer's most recent finished term with data, lists every school of its
scope sorted furthest below the rule first (other sorts on offer), pages through all of
them, exports the table, and compares two schools side by side.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xietong.core.counting import RowCount
from xietong.core.errors import InvalidInput, NotFound, PermissionDenied
from xietong.core.paging import paginate
from xietong.core.pickers import bound
from xietong.core.termfields import current_term
from xietong.core.views import refusals
from xietong.exchanges import coverage as reads
from xietong.exchanges import forms as f
from xietong.exchanges import selectors
from xietong.exchanges.views.common import _actor
from xietong.jobs import exports

EXPORT = "exchanges.coverage"
KEPT = ("sort", "page_size", "a", "b", "a__q", "b__q", "_pick", "institution__q")


@login_required
@refusals
def coverage(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    latest = reads.latest_finished_term(actor)  # refuses those who do not read coverage
    institutions = bound("institutions", actor)
    if "school_year" in request.GET:
        data: Any = request.GET
    else:
        kept = {k: request.GET[k] for k in KEPT if k in request.GET}
        data = {"school_year": latest.year_label, "term": str(latest.term), **kept}
    form = f.CoverageForm(data, institutions=institutions)
    context: dict[str, Any] = {
        "form": form,
        "page": None,
        "latest": latest,
        "current": current_term(),
        "exports": exports.may_export(actor, EXPORT),
        "sync_limit": exports.sync_limit(),
    }
    terms = None
    if form.is_valid():
        d = form.cleaned_data
        terms = f.CoverageForm.terms(d)
        assert terms is not None  # the school year is required
        filters = selectors.CoverageFilters(
            terms=terms, area=d["area"], institution_id=d["institution"]
        )
        try:
            figures = reads.coverage_figures(actor, filters)
        except NotFound as e:
            form.add_error("area", str(e.message))
        else:
            sort = d["sort"] or reads.DEFAULT_SORT
            table = reads.coverage_page_table(actor, filters, sort, count=figures["count"])
            page = paginate(
                table,  # type: ignore[arg-type]
                request.GET.get("page"),
                d["page_size"],
                count=RowCount(figures["count"], exact=True),
            )
            bins = table.gap_distribution() if figures["count"] else []
            context.update(
                figures,
                page=page,
                sort=sort,
                sort_label=reads.SORTS[sort][0],
                export_fields=_export_fields(form.params()),
                chart={
                    "labels": [label for label, _n in bins],
                    "schools": [n for _label, n in bins],
                    "axis": _("Teachers short of the rule"),
                    "name": _("Schools"),
                },
            )
    compare_form = f.CompareForm(
        request.GET if "a" in request.GET else None, institutions=institutions
    )
    if compare_form.is_bound and compare_form.is_valid() and terms is not None:
        a, b = compare_form.cleaned_data["a"], compare_form.cleaned_data["b"]
        try:
            context["compared"] = reads.compare(actor, a, b, terms)
        except PermissionDenied as e:
            compare_form.add_error(None, str(e.message))
        else:
            context["compare_names"] = (institutions.label_of(a), institutions.label_of(b))
            rows = [context["compared"]["a"], context["compared"]["b"]]
            context["compared_rows"] = rows
            context["compare_lines"] = _compare_lines(rows)
    context["compare_form"] = compare_form
    return render(request, "exchanges/coverage.html", context)


COMPARED = (
    # (label, value, share of it)
    (gettext_lazy("Eligible teachers"), "eligible", None),
    (gettext_lazy("Completed an exchange"), "completed", "share"),
    (gettext_lazy("Rotated"), "rotated", "rotated_share"),
    (gettext_lazy("Backbone among them"), "backbone_rotated", "backbone_share"),
    (gettext_lazy("Short of the rule"), "gap", None),
)


def _compare_lines(rows: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
    """The comparison's lines: each figure of both schools (None: no eligible teachers)."""
    return [
        {
            "label": label,
            "cells": [
                None if r is None else {"value": r[key], "share": r[share] if share else None}
                for r in rows
            ],
        }
        for label, key, share in COMPARED
    ]


def _export_fields(params: dict[str, Any]) -> dict[str, str]:
    """The page's filters as the export form's hidden fields (text, as the form reads it)."""
    year = params["school_year"]
    return {
        "school_year": f"{year}-{year + 1}",
        "term": str(params["term"] or ""),
        "area": params["area"],
        "institution": str(params["institution"] or ""),
        "sort": params["sort"],
    }


@login_required
@require_POST
@refusals
def coverage_export(request: HttpRequest) -> HttpResponseBase:
    """The coverage table as a workbook: now when small, else as a job to follow."""
    params = {k: request.POST.get(k, "") for k in ("school_year", "term", "area", "sort")}
    params["institution"] = request.POST.get("institution", "")
    back = f"{reverse('exchanges:coverage')}?{urlencode({k: v for k, v in params.items() if v})}"
    try:
        done = exports.export(_actor(request), EXPORT, params, "xlsx")
    except InvalidInput as e:
        for text in [m for msgs in e.fields.values() for m in msgs] or [str(e.message)]:
            messages.error(request, text)
        return redirect(back)
    if done.job is not None:
        messages.success(
            request,
            _(
                "%(n)s schools are more than a download holds: the export runs as a job. "
                "Download the workbook here when it is done."
            )
            % {"n": done.rows},
        )
        return redirect("jobs:detail", pk=done.job.pk)
    return exports.download(done)
