"""Pages of the flows of use: the Sankey chart and table of flows, and a provider's view.

The charts are drawn from the API (``api:resource_flows``, ``api:resource_provider``)
with the page's own query, as the dashboard draws its charts; the tables are rendered here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xietong import access
from xietong.core.errors import InvalidInput, NotFound, PermissionDenied
from xietong.core.filters import filter_form
from xietong.core.views import apply_errors, refusals
from xietong.resources import flows
from xietong.resources.flows import FlowFilters, ProviderFilters

FlowForm = filter_form(FlowFilters, paging=None)
ProviderForm = filter_form(ProviderFilters, paging=None)


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _gate(actor: Any) -> None:
    if not access.can(actor, "resources.flows"):
        raise PermissionDenied(_("Your roles do not include the flows of shared resources."))


def _labels() -> dict[str, str]:
    """The chart's words, in the page's language."""
    return {
        "uses": pgettext("resource flows", "Uses"),
        "lesson_uses": pgettext("resource flows", "Lesson uses"),
        "provider": pgettext("resource flows", "Provider"),
        "user": pgettext("resource flows", "User side"),
    }


@login_required
@refusals
def flows_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _gate(actor)
    form = FlowForm(request.GET or None, actor=actor)
    data = None
    if not request.GET or form.is_valid():
        filters = form.filters() if request.GET else FlowFilters()
        try:
            data = flows.flows(actor, filters)
        except InvalidInput as e:
            if request.GET:
                apply_errors(form, e)
            else:
                raise
    context: dict[str, Any] = {"form": form, "data": data, "labels": _labels()}
    if data is not None:
        query = {"term": data.span.first.code, "by": data.by}
        if data.span.last != data.span.first:
            query["last"] = data.span.last.code
        if data.group:
            query["group"] = data.group
        context["chart_url"] = f"{reverse('api:resource_flows')}?{urlencode(query)}"
        context["by_institution"] = data.by == flows.Level.INSTITUTION
    return render(request, "resources/flows.html", context)


@login_required
@refusals
def my_provider_page(request: HttpRequest) -> HttpResponse:
    """An institution admin's own provider view (an authority picks one from the flows)."""
    actor = _actor(request)
    _gate(actor)
    own = flows.own_provider(actor)
    if own is None:
        raise NotFound(
            _("You keep no institution's resources; open a provider from the flows table.")
        )
    return redirect("resource_flows:provider", pk=own.pk)


@login_required
@refusals
def provider_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    _gate(actor)
    provider = flows.provider_of(actor, pk)
    form = ProviderForm(request.GET, actor=actor)
    view = None
    if form.is_valid():
        try:
            view = flows.provider_view(actor, pk, form.filters())
        except InvalidInput as e:
            apply_errors(form, e)
    query = {k: v for k, v in request.GET.items() if k in ("term", "last") and v}
    context = {
        "form": form,
        "provider": provider,
        "view": view,
        "labels": _labels(),
        "chart_url": f"{reverse('api:resource_provider', args=[pk])}?{urlencode(query)}",
    }
    return render(request, "resources/provider.html", context)
