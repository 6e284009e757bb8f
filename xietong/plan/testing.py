"""Test support: the metric keys the plan's data files name, for tests that load them.

The metric functions are registered by the apps that own the records (``partnerships.
metrics``, ``exchanges.metrics``). Where one is not registered in the test run, a
stand-in that counts nothing takes its key for the duration of the test, so the plan
files load; a registered metric is never replaced.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from xietong.institutions.models import Institution
from xietong.plan import metrics

KEYS = (
    "partnerships.cooperating_bj_tj",
    "partnerships.cooperating_hebei",
    "partnerships.active",
    "partnerships.xiongan_stages_covered",
    "partnerships.activities",
    "exchanges.placements_completed",
    "exchanges.teachers_exchanged",
    "exchanges.eligible_teachers",
    "exchanges.rotation_schools_meeting",
    "exchanges.rotation_schools",
)


@contextmanager
def plan_metrics() -> Iterator[list[str]]:
    """Stand-ins for the plan's metric keys not registered now; yields the keys stood in."""
    added = []
    for key in KEYS:
        if metrics.get(key) is None:
            metrics.register(
                metrics.Metric(
                    key=key,
                    label=key,
                    records=lambda scope, span, params: Institution.objects.none(),
                    model=Institution,
                )
            )
            added.append(key)
    try:
        yield added
    finally:
        for key in added:
            metrics._registry.pop(key, None)
