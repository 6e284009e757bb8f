"""A real browser: the 河北省 authority (``hebei``) opens the dashboard on the dashboard
tests' world (:mod:`xietong.dashboard.tests.world`), clicks the "Hebei schools
cooperating" and the "Beijing and Tianjin schools cooperating" cards and lands on the list
behind each, whose stated total is the card's number; then it clicks a point of the
quarterly trend (an ECharts chart: the click opens the point's list) and finds the point's
number as the list's total. The dashboard is shot in Chinese and in English to
``/tmp/shots-dash/``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from xietong.accounts.models import User
from xietong.core.compile_messages import compile_all
from xietong.dashboard.tests import world as w
from xietong.tests_browser.test_journey import CHROMIUM, _empty_the_audit_log_for_the_flush
from xietong.tests_browser.test_partnership_activity import Person

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

SHOTS = Path("/tmp/shots-dash")
# A closed quarter: its numbers are read on 2025-12-31 whatever day the test runs.
PERIOD = w.PERIOD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]


@pytest.fixture
def world(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[w.World]:
    built = w.build(7)
    for user in User.objects.all():
        user.set_password(settings.XIETONG_DEMO_PASSWORD)
        user.save(update_fields=["password"])
    yield built
    _empty_the_audit_log_for_the_flush()


def _card_number(page: Any, key: str) -> int:
    return int(page.get_by_test_id(f"kpi-{key}").get_by_test_id("kpi-value").inner_text())


def _listed_total(page: Any) -> int:
    """The list's total as the page states it (the pagination's "… of N" / "共 N")."""
    from playwright.sync_api import expect

    foot = page.get_by_test_id("records-total")
    total = int(foot.get_attribute("data-total"))
    assert total > 0
    expect(foot).to_contain_text(f"{total}")
    # The rows shown are the total's (one page holds the world's lists).
    expect(page.get_by_test_id("records").locator("tbody tr")).to_have_count(max(total, 1))
    return total


def _click_chart_point(page: Any, chart: str, series: int, index: int) -> float:
    """Click a point of an ECharts chart where ECharts draws it; return the point's value."""
    point = page.evaluate(
        """([id, series, index]) => {
            const chart = echarts.getInstanceByDom(document.getElementById(id));
            const option = chart.getOption();
            const value = option.series[series].data[index].value;
            const [x, y] = chart.convertToPixel({seriesIndex: series}, [index, value]);
            return {x, y, value};
        }""",
        [f"chart-{chart}", series, index],
    )
    chart_box = page.locator(f"#chart-{chart}")
    chart_box.scroll_into_view_if_needed()  # a mouse clicks within the viewport only
    box = chart_box.bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    return float(point["value"])


def _wait_drawn(page: Any) -> None:
    """Until every chart and the map have finished drawing (their animation included)."""
    page.wait_for_selector("#chart-trend[data-drawn]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.xt-chart, #chart-map:not(.d-none)')]"
        ".every(e => e.dataset.drawn)"
    )


def test_hebei_opens_the_lists_behind_the_cards_and_a_chart_point(
    live_server: Any, world: w.World, browser: Any
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    hebei = Person(browser, base, "hebei")
    overview = f"/dashboard/?period={PERIOD}"
    page = hebei.go(overview)
    expect(page.get_by_test_id("kpi-hebei")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    _wait_drawn(page)
    page.screenshot(path=str(SHOTS / "01-hebei-dashboard-zh.png"), full_page=True)

    for key, metric in (
        ("hebei", "partnerships.cooperating_hebei"),
        ("bjtj", "partnerships.cooperating_bj_tj"),
    ):
        page = hebei.go(overview)
        shown = _card_number(page, key)
        assert shown > 0
        page.get_by_test_id(f"kpi-{key}").click()
        page.wait_for_url(f"**/dashboard/records/?*metric={metric}*")
        assert _listed_total(page) == shown, key
        expect(page.locator(".breadcrumb")).to_contain_text("数据看板")

    # The trend's last quarter, Hebei's series: the same number as the card.
    page = hebei.go(overview)
    card = _card_number(page, "hebei")
    _wait_drawn(page)
    quarters = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-trend'))"
        ".getOption().xAxis[0].data.length"
    )
    value = _click_chart_point(page, "trend", 1, quarters - 1)
    page.wait_for_url("**/dashboard/records/?*metric=partnerships.cooperating_hebei*")
    assert _listed_total(page) == int(value) == card

    hebei.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = hebei.go(overview)
    expect(page.get_by_test_id("kpi-hebei")).to_contain_text("Hebei schools cooperating")
    _wait_drawn(page)
    page.screenshot(path=str(SHOTS / "02-hebei-dashboard-en.png"), full_page=True)
    assert _card_number(page, "hebei") == card
