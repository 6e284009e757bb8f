"""Pages of partner recommendations: choose an area and run, a run's proposals with their
reasons, accept (a draft partnership) or dismiss. Thin: the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xietong import access
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied, ServiceError
from xietong.core.paging import paginate
from xietong.core.pickers import PickerField, PickerForm, bound
from xietong.core.views import refusals
from xietong.jobs import selectors as jobs_selectors
from xietong.partnerships import recommendation_selectors as selectors
from xietong.partnerships.recommendation_models import ProposalStatus
from xietong.partnerships.recommendation_texts import render as render_reasons
from xietong.partnerships.services import recommendations as services
from xietong.regions.models import Region, RegionGroup


class AreaForm(PickerForm):
    region = PickerField(
        "regions",
        label=gettext_lazy("County or city"),
        required=False,
        empty_label=gettext_lazy("Choose a region"),
    )
    group = forms.ChoiceField(label=gettext_lazy("or a region group"), required=False)

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bind_picker("region", regions)
        self.fields["group"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *RegionGroup.objects.order_by("key").values_list("key", "name"),
        ]

    def area(self) -> str:
        d = self.cleaned_data
        if d.get("group"):
            return str(d["group"])
        region = d.get("region")
        if region is None or region == "":
            return ""
        if isinstance(region, Region):
            return region.code
        found = Region.objects.filter(pk=region).values_list("code", flat=True).first()
        return found or ""


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _gate(actor: Any) -> None:
    if not access.can(actor, "partnerships.recommend"):
        raise PermissionDenied(
            _("Only an authority administrator asks for partner recommendations.")
        )


@login_required
@refusals
def recommendations(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _gate(actor)
    regions = bound("regions", actor, mine=True)
    status = 200
    if request.method == "POST":
        form = AreaForm(request.POST, regions=regions)
        if form.is_valid() and not form.picking:
            area = request.POST.get("area") or form.area()
            try:
                run = services.start_recommendation(actor, area)
            except (InvalidInput, PermissionDenied, Conflict) as e:
                form.add_error(None, str(e.message))
                status = 403 if isinstance(e, PermissionDenied) else 422
            else:
                messages.success(
                    request,
                    _("The recommendation for %(area)s was computed.") % {"area": run.area_name}
                    if run.job_id is None
                    else _("The recommendation for %(area)s is being computed.")
                    % {"area": run.area_name},
                )
                return redirect("partnerships:recommendation", pk=run.pk)
        elif form.errors:
            status = 422
    else:
        form = AreaForm(initial={"region": regions.only_one()}, regions=regions)
    page = paginate(selectors.runs_for(actor), request.GET.get("page"), 20)
    context = {"form": form, "page": page, "threshold": services.job_threshold()}
    return render(request, "partnerships/recommendations.html", context, status=status)


@login_required
@refusals
def recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    _gate(actor)
    run = selectors.run_detail(actor, pk)
    job = jobs_selectors.job_detail(actor, run.job_id) if run.job_id else None
    rows = selectors.proposals_of(actor, run) if run.status == "done" else []
    for row in rows:
        row.reason_texts = render_reasons(row.reasons)  # type: ignore[attr-defined]
    context = {
        "run": run,
        "job": job,
        "job_actions": jobs_selectors.actions(job) if job else [],
        "proposals": [r for r in rows if r.status != ProposalStatus.UNPLACED],
        "unplaced": [r for r in rows if r.status == ProposalStatus.UNPLACED],
        "stats": run.statistics or {},
    }
    return render(request, "partnerships/recommendation_run.html", context)


def _decide(request: HttpRequest, pk: int, do: Any, done: Any) -> HttpResponse:
    actor = _actor(request)
    try:
        result = do(actor, pk)
    except (Conflict, InvalidInput, PermissionDenied) as e:
        messages.error(request, str(e.message))
    except ServiceError:
        raise
    else:
        messages.success(request, done(result))
    run = request.POST.get("run", "")
    if run.isdigit():
        return redirect("partnerships:recommendation", pk=int(run))
    return redirect("partnerships:recommendations")


@login_required
@require_POST
@refusals
def proposal_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        services.accept_proposal,
        lambda p: (
            _("The draft partnership “%(name)s” was registered; activate it once agreed.")
            % {"name": p.name}
        ),
    )


@login_required
@require_POST
@refusals
def proposal_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request, pk, services.dismiss_proposal, lambda p: _("The proposal was dismissed.")
    )


urlpatterns = [
    path("recommendations/", recommendations, name="recommendations"),
    path("recommendations/<int:pk>/", recommendation, name="recommendation"),
    path("proposals/<int:pk>/accept/", proposal_accept, name="proposal_accept"),
    path("proposals/<int:pk>/dismiss/", proposal_dismiss, name="proposal_dismiss"),
]
