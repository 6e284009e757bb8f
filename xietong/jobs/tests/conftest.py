"""Fixtures of the jobs tests: the shared cast, its API client, and the test job kinds."""

from __future__ import annotations

from typing import Any

import pytest

from xietong.api_tests.conftest import Api
from xietong.jobs.tests import kinds  # noqa: F401 — registers the test kinds


@pytest.fixture
def api(cast: Any) -> Api:
    return Api(cast)
