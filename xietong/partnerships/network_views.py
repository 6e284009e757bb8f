"""The network page (graph and the live N ↔ M count) and the gaps page."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from xietong import access
from xietong.core.errors import PermissionDenied
from xietong.core.filters import filter_form
from xietong.core.views import refusals
from xietong.partnerships import network

NetworkForm = filter_form(network.NetworkFilters, paging=None)


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _gate(actor: Any) -> None:
    if not access.can(actor, "partnerships.list"):
        raise PermissionDenied(_("Your roles do not include partnerships."))


@login_required
@refusals
def network_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _gate(actor)
    form = NetworkForm(request.GET, actor=actor)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        f = form.filters()
        day = f.day()
        graph = network.network_graph(day, f)
        context.update(
            counts=network.cooperation_counts(day, f),
            graph=graph,
            chart={
                "nodes": graph.nodes,
                "links": graph.links,
                "categories": [
                    {"name": _("Beijing")},
                    {"name": _("Tianjin")},
                    {"name": _("Hebei")},
                ],
            },
        )
        context["chart_json"] = json.dumps(context["chart"], ensure_ascii=False)
    return render(request, "partnerships/network.html", context)


@login_required
@refusals
def gaps_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _gate(actor)
    form = NetworkForm(request.GET, actor=actor)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        context["gaps"] = network.gaps(form.filters().day(), network.scope_paths(actor))
    return render(request, "partnerships/network_gaps.html", context)
