"""The coverage page: eligible versus completed exchanges against the national rule."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from xietong import access
from xietong.core.errors import NotFound, PermissionDenied
from xietong.core.pickers import bound
from xietong.core.termfields import current_term, year_span
from xietong.core.views import refusals
from xietong.exchanges import forms as f
from xietong.exchanges import selectors
from xietong.exchanges.views.common import _actor

# --- coverage ---------------------------------------------------------------------------------


@login_required
@refusals
def coverage(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.can(actor, "exchanges.coverage"):
        raise PermissionDenied(_("Coverage is read by authorities and institution admins."))
    institutions = bound("institutions", actor)
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
            summary = selectors.coverage_summary(actor, filters, limit=300)
        except NotFound as e:
            form.add_error("area", str(e.message))
        else:
            shown = summary["rows"]
            context.update(
                rows=shown,
                more=summary["more"],
                total=summary["total"],
                full=summary["full"],
                flagged=summary["flagged"],
                chart={
                    "labels": [r["institution"] for r in shown[:30]],
                    "shares": [round(r["share"] * 100, 1) for r in shown[:30]],
                    "rotated": [round(r["rotated_share"] * 100, 1) for r in shown[:30]],
                    "names": [_("Completed (%)"), _("Rotated (%)")],
                },
            )
    recip_form = f.ReciprocityForm(
        request.GET if "a" in request.GET else None, institutions=institutions
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
            context["recip_names"] = tuple(
                institutions.label_of(recip_form.cleaned_data[side]) for side in ("a", "b")
            )
    context["recip_form"] = recip_form
    return render(request, "exchanges/coverage.html", context)
