"""Where a viewer's dashboard counts: the areas its authority roles reach (PLAN access model).

A county or city authority sees its own region, and each region group that touches it,
restricted to its own region; a provincial authority sees its province, the three-province
whole and every region group. An area is written in URLs as a token: ``region:130000``,
``group:xiongan``, ``region:131082+group:beisanxian`` or ``all`` (the three provinces).
Only the areas of :func:`areas_for` are accepted; any other token is refused with a message.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from xietong.accounts.access import Actor
from xietong.core.errors import InvalidInput
from xietong.plan.metrics import WHOLE, Scope
from xietong.regions.models import Region, RegionGroup

ALL = "all"


@dataclass(frozen=True)
class Area:
    token: str
    label: str
    scope: Scope
    region: Region | None = None  # the region the area lies in (None: the whole)


def token_of(scope: Scope) -> str:
    parts = []
    if scope.region_path:
        parts.append("region:" + scope.region_path.rstrip("/").rsplit("/", 1)[-1])
    if scope.group:
        parts.append("group:" + scope.group)
    return "+".join(parts) or ALL


def areas_for(actor: Actor) -> list[Area]:
    """The areas the actor may view, its own regions first (two queries)."""
    paths = sorted(set(actor.authority_region_paths), key=lambda p: (p.count("/"), p))
    if not paths:
        return []
    regions = {r.path: r for r in Region.objects.filter(path__in=paths)}
    groups = list(RegionGroup.objects.prefetch_related("members").order_by("key"))
    out: list[Area] = []
    provincial = False
    for path in paths:
        region = regions.get(path)
        if region is None:
            continue
        scope = Scope(region_path=path)
        out.append(Area(token_of(scope), region.name, scope, region))
        provincial = provincial or region.level == Region.Level.PROVINCE
    if provincial:
        out.append(Area(ALL, _("Beijing, Tianjin and Hebei"), WHOLE))
        for g in groups:
            scope = Scope(group=g.key)
            out.append(Area(token_of(scope), g.name, scope))
        return out
    for path in paths:
        region = regions.get(path)
        if region is None:
            continue
        for g in groups:
            member_paths = [m.path for m in g.members.all()]
            if any(m.startswith(path) or path.startswith(m) for m in member_paths):
                scope = Scope(region_path=path, group=g.key)
                label = _("%(group)s within %(region)s") % {"group": g.name, "region": region.name}
                out.append(Area(token_of(scope), label, scope, region))
    return out


def _parse(token: str) -> tuple[str, str] | None:
    """``region:<code>`` and/or ``group:<key>`` → (code, key); None for anything else."""
    code = key = ""
    for part in token.split("+"):
        name, _sep, value = part.partition(":")
        if name == "region" and value and not code:
            code = value
        elif name == "group" and value and not key:
            key = value
        else:
            return None
    return code, key


def area_for(actor: Actor, token: str | None) -> Area:
    """The area a token names: one of the actor's, or a region or group within one of them
    (a chart's bar, a breakdown's row); the first of the actor's when none is given."""
    areas = areas_for(actor)
    if not areas:
        raise InvalidInput(_("Your roles reach no region whose dashboard you could view."))
    if not token:
        return areas[0]
    for a in areas:
        if a.token == token:
            return a
    refused = InvalidInput(
        _("“%(value)s” is not an area you may view on the dashboard.") % {"value": token[:60]}
    )
    parsed = _parse(token[:80])
    if parsed is None or not parsed[0]:
        raise refused
    code, key = parsed
    region = Region.objects.filter(code=code).first()
    group = RegionGroup.objects.filter(key=key).first() if key else None
    if region is None or (key and group is None):
        raise refused
    for a in areas:
        inside = not a.scope.region_path or region.path.startswith(a.scope.region_path)
        if inside and (not a.scope.group or a.scope.group == key):
            scope = Scope(region_path=region.path, group=key)
            label = (
                region.name
                if group is None
                else _("%(group)s within %(region)s") % {"group": group.name, "region": region.name}
            )
            return Area(token_of(scope), label, scope, region)
    raise refused
