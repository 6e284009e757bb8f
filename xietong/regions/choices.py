"""Regions as form choices: the tree indented by depth, region groups in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from xietong.core.locale import localized
from xietong.regions.models import Region, RegionGroup

NBSP = "\u00a0"
Choices = list[tuple[Any, Any]]


def region_choices(regions: Iterable[Region]) -> Choices:
    """Regions in tree order (by path), indented by depth: province, city, county."""
    ordered = sorted(regions, key=lambda r: r.path)
    top = min((r.path.count("/") for r in ordered), default=1)
    return [(r.code, f"{NBSP * 4 * (r.path.count('/') - top)}{r.name}") for r in ordered]


def group_choices(groups: Iterable[RegionGroup]) -> Choices:
    return [(g.key, localized(g.name, g.name_en)) for g in groups]
