from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from xietong.dashboard.tests import world as w


@pytest.fixture(autouse=True)
def _today(monkeypatch: Any) -> None:
    """The world's "today": 2025-11-20, in the plan's last quarter."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: w.TODAY)


@pytest.fixture
def world(db: Any) -> w.World:
    return w.build(3)
