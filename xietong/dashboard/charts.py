"""The overview's charts and collaboration map as the JSON the page draws.

The page renders its cards, task board and reporting-rate table at once and fetches this
from the dashboard's API (``/api/dashboard/charts``) with its own query string, so the
numbers a viewer reads first do not wait for a dozen breakdowns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xietong.core.periods import Period
from xietong.dashboard import map as collab_map
from xietong.dashboard import overview
from xietong.dashboard.scope import Area


def chart_data(area: Area, period: Period, params: Mapping[str, str]) -> dict[str, Any]:
    """The charts of :func:`overview.chart_slots` and the map, each element with its link."""
    params = {k: v for k, v in params.items() if v}
    day = overview.span_for(overview.BJTJ_KEY, period).ends_on
    graph = collab_map.collaboration_map(area.scope, day, params)
    return {
        "area": area.token,
        "period": period.code,
        "day": day.isoformat(),
        "charts": [c.as_json() for c in overview.charts_for(area, period, params)],
        "map": {
            "nodes": graph.nodes,
            "lines": [
                line
                | {
                    "link": overview.records_query(
                        "dashboard.partnerships_between",
                        area.scope,
                        period,
                        {"a": line["source"], "b": line["target"], **params},
                    )
                }
                for line in graph.lines
            ],
            "boundary": bool(collab_map.boundary_path()),
        },
    }
