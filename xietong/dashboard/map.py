"""The collaboration map: regions at their centroids, lines between partner regions.

A node is a region drawn at its approximate centroid (:mod:`xietong.regions.centroids`):
each Beijing or Tianjin district, each Hebei county with a centroid of its own, and each
Hebei city for the rest of its counties. A line joins a Beijing/Tianjin node and a Hebei
node; its value is the number of partnerships that count on the day (the measure of
:mod:`xietong.partnerships.network`) with a school member in each — the number the
drill-down list ``dashboard.partnerships_between`` shows behind it.

By default the map is drawn on plain longitude/latitude axes. A deployment may set
``XIETONG_MAP_BOUNDARY_GEOJSON`` to the path of an officially approved boundary GeoJSON,
which the page then registers as its background map; none is shipped.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from xietong.dashboard import sources
from xietong.plan.metrics import Params, Scope
from xietong.regions.centroids import COUNTY_COORDS, coords_for
from xietong.regions.models import Region


@functools.lru_cache(maxsize=1)
def _regions() -> dict[str, tuple[str, str]]:
    """code → (path, name) of every region (a few hundred rows, read once)."""
    return {
        code: (path, name)
        for code, path, name in Region.objects.values_list("code", "path", "name")
    }


def node_of(path: str) -> str:
    """The node a region path is drawn at: its county if it has a centroid, else its city."""
    parts = path.strip("/").split("/")
    county = parts[-1]
    if county in COUNTY_COORDS or parts[0] in ("110000", "120000"):
        return county
    return parts[1] if len(parts) > 1 else parts[0]


def node_paths(code: str) -> tuple[str, list[str]]:
    """The path a node covers and the paths inside it drawn as nodes of their own."""
    regions = _regions()
    if code not in regions:
        return "", []
    path = regions[code][0]
    apart = [
        regions[c][0]
        for c in COUNTY_COORDS
        if c != code and c in regions and regions[c][0].startswith(path)
    ]
    return path, apart


@dataclass(frozen=True)
class MapData:
    nodes: list[dict[str, Any]]
    lines: list[dict[str, Any]]


def collaboration_map(scope: Scope, day: dt.date, params: Params) -> MapData:
    """The nodes and lines for a scope on a day (two queries, whatever the scale)."""
    bjtj, hebei = sources.sides(scope, day, params)
    left: dict[int, set[str]] = {}
    for pid, path in bjtj.values_list("partnership_id", "region_path"):
        left.setdefault(pid, set()).add(node_of(path))
    pairs: dict[tuple[str, str], set[int]] = {}
    for pid, path in hebei.values_list("partnership_id", "region_path"):
        b = node_of(path)
        for a in left.get(pid, ()):
            pairs.setdefault((a, b), set()).add(pid)
    regions = _regions()
    used = sorted({c for pair in pairs for c in pair})
    nodes = []
    for code in used:
        lat, lon = coords_for(code)
        nodes.append(
            {
                "id": code,
                "name": regions.get(code, ("", code))[1],
                "value": [lon, lat],
                "side": "hebei" if code.startswith("13") else "bjtj",
            }
        )
    lines = [
        {"source": a, "target": b, "value": len(pids)} for (a, b), pids in sorted(pairs.items())
    ]
    return MapData(nodes, lines)


def boundary_path() -> Path | None:
    """The configured boundary GeoJSON (None: none configured, or the file is missing)."""
    configured = getattr(settings, "XIETONG_MAP_BOUNDARY_GEOJSON", "") or ""
    if not configured:
        return None
    path = Path(configured)
    return path if path.is_file() else None
