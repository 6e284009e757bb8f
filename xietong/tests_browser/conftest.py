"""The browser every Playwright test drives: Debian's chromium, headless."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from xietong.tests_browser.test_journey import CHROMIUM


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()
