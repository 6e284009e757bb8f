"""The regions picker: every division of the three provinces, by name or code.

Regions are reference data every business role reads (the area filters list them all);
the picker offers them to a filter bar without a select of several hundred rows;
``mine`` narrows it to the regions the actor administers (a form registering something).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q

from xietong.core.pickers import Picker, register
from xietong.regions.models import Region


def _regions(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    if not getattr(actor, "reads_registry", False):
        return Region.objects.none()
    qs = Region.objects.select_related("parent")
    if params.get("mine"):  # the regions the actor administers (where it registers things)
        from xietong import access

        qs = qs.filter(access.verb_q(actor, Region, "organise"))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return qs.order_by("path")


def _region_label(region: Region) -> str:
    parent = region.parent
    return f"{region.name} · {parent.name}" if parent is not None else region.name


REGIONS = register(Picker("regions", _regions, _region_label, params={"mine": bool}))
