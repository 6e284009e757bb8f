"""The coverage page: eligible versus completed exchanges against the national rule."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from xietong.core.errors import NotFound, PermissionDenied
from xietong.core.termfields import current_term, year_span
from xietong.core.views import refusals
from xietong.exchanges import forms as f
from xietong.exchanges import selectors
from xietong.exchanges.views.common import (
    _actor,
    _institution_choices,
)

# --- coverage ---------------------------------------------------------------------------------


@login_required
@refusals
def coverage(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not (actor.authority_region_paths or actor.admin_institution_ids):
        raise PermissionDenied(_("Coverage is read by authorities and institution admins."))
    institutions = _institution_choices(actor, mine=True) or _institution_choices(actor)
    data = (
        request.GET if "school_year" in request.GET else {"school_year": current_term().year_label}
    )
    form = f.CoverageForm(data, institutions=institutions)
    context: dict[str, Any] = {"form": form, "rows": None}
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.CoverageFilters(
            terms=year_span(d["school_year"], d["term"]),
            area=d["area"],
            institution_id=d["institution"],
        )
        try:
            rows = selectors.coverage_by_institution(actor, filters)
            rule = {r["institution_id"]: r for r in selectors.national_rule(actor, filters)}
            total = selectors.coverage_total(actor, filters)
        except NotFound as e:
            form.add_error("area", str(e.message))
        else:
            for row in rows:
                row["rule"] = rule.get(row["institution_id"])
            shown = rows[:300]
            context.update(
                rows=shown,
                more=len(rows) - len(shown),
                total=total,
                full=sum(1 for r in rows if r["full_coverage"]),
                flagged=sum(
                    1 for r in rule.values() if not (r["rotation_ok"] and r["backbone_ok"])
                ),
                chart={
                    "labels": [r["institution"] for r in shown[:30]],
                    "shares": [round(r["share"] * 100, 1) for r in shown[:30]],
                    "rotated": [
                        round((r["rule"] or {}).get("rotated_share", 0) * 100, 1)
                        for r in shown[:30]
                    ],
                    "names": [_("Completed (%)"), _("Rotated (%)")],
                },
            )
    recip_form = f.ReciprocityForm(
        request.GET if "a" in request.GET else None, institutions=_institution_choices(actor)
    )
    if recip_form.is_bound and recip_form.is_valid():
        try:
            context["reciprocity"] = selectors.reciprocity(
                actor,
                recip_form.cleaned_data["a"],
                recip_form.cleaned_data["b"],
                f.CoverageForm.terms(form.cleaned_data) if form.is_valid() else None,
            )
        except PermissionDenied as e:
            recip_form.add_error(None, str(e.message))
        else:
            names = dict(recip_form.fields["a"].choices)  # type: ignore[attr-defined]
            context["recip_names"] = (
                names.get(recip_form.cleaned_data["a"]),
                names.get(recip_form.cleaned_data["b"]),
            )
    context["recip_form"] = recip_form
    return render(request, "exchanges/coverage.html", context)
