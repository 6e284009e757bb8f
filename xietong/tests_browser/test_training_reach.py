"""A real browser: the Hebei authority's viewer opens the providers' reach over a small
world (two providers, three Hebei counties, three terms); the chart draws itself from the
API and marks itself drawn, the table lists each provider's counties. Shot in Chinese and
English to ``test-artifacts/training/``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from xietong.conftest import PASSWORD, Cast
from xietong.core.compile_messages import compile_all
from xietong.tests_browser.test_journey import CHROMIUM, _empty_the_audit_log_for_the_flush
from xietong.training.tests import reach_world
from xietong.training.tests.conftest import world  # noqa: F401  (the training world)
from xietong.training.tests.reach_world import T2024_2, T2025_2, ReachWorld

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "training"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]


@pytest.fixture
def small(
    transactional_db: Any,
    django_db_serialized_rollback: Any,
    world: Cast,  # noqa: F811  (the fixture imported above)
) -> Iterator[ReachWorld]:
    yield reach_world.build(world)
    _empty_the_audit_log_for_the_flush()


def _sign_in(browser: Any, base: str, username: str, locale: str) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale=locale)
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "django_language", "value": locale[:2], "url": base}])
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form.xt-form button[type=submit]").click()
    page.wait_for_url(f"{base}/")
    return page


@pytest.mark.parametrize(
    ("locale", "heading"), [("zh-CN", "培训机构辐射河北区县"), ("en", "Providers' reach")]
)
def test_the_hebei_viewer_sees_the_providers_reach_drawn_and_listed(
    live_server: Any, small: ReachWorld, browser: Any, locale: str, heading: str
) -> None:
    from playwright.sync_api import expect

    page = _sign_in(browser, live_server.url, "hebei_viewer", locale)
    page.goto(f"{live_server.url}/training/")
    page.locator('a[href="/training/reach/"]').first.click()
    page.wait_for_url("**/training/reach/")
    page.goto(f"{live_server.url}/training/reach/?term={T2024_2.code}&last={T2025_2.code}")
    expect(page.locator("h1")).to_contain_text(heading)
    expect(page.locator("#chart-reach")).to_have_attribute("data-drawn", "1")
    expect(page.locator('[data-testid="reach-row"]')).to_have_count(6)
    expect(page.locator('[data-testid="reach-provider"]').first).to_contain_text("34.5")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"reach-{locale[:2]}.png"), full_page=True)
    page.context.close()
