"""The demo loads the plan, whose indicators name metric keys; where the apps that own
those records register none in this run, stand-ins take the keys (``plan.testing``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def _plan_metric_keys() -> Iterator[None]:
    from xietong.plan.testing import plan_metrics

    with plan_metrics():
        yield
