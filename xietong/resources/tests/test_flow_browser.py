"""A real browser: the 河北省 viewer opens the flows of use over a few dozen uses (the flow
world and more schools, teachers and Beijing providers), waits for the Sankey chart to be
drawn and finds its links as the table lists them; the page is shot in Chinese and English
to ``/tmp/shots-flows/``, and the Tongzhou keeper's provider dashboard too."""

from __future__ import annotations

import datetime as dt
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from xietong.accounts.models import Role, User
from xietong.conftest import Cast, make_institution, make_staff, make_user
from xietong.core.compile_messages import compile_all
from xietong.partnerships.choices import MemberRole
from xietong.partnerships.tests.conftest import make_partnership
from xietong.resources.choices import UseKind
from xietong.resources.tests import flow_world
from xietong.resources.tests.conftest import make_resource
from xietong.resources.tests.flow_world import AUTUMN, FlowWorld
from xietong.tests_browser.conftest import browser  # noqa: F401  (the fixture)
from xietong.tests_browser.test_journey import CHROMIUM, _empty_the_audit_log_for_the_flush
from xietong.tests_browser.test_partnership_activity import Person

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

SHOTS = Path("/tmp/shots-flows")
TERM = "2025-2026-1"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]

SCHOOLS = [
    ("香河县第一中学", "131024"),
    ("容城县容城小学", "130629"),
    ("安新县实验中学", "130632"),
    ("廊坊市安次区第四小学", "131002"),
    ("石家庄市长安区育才小学", "130102"),
    ("唐山市路北区第十二中学", "130203"),
]
PROVIDERS = [("北京市海淀区实验小学", "110108"), ("北京市朝阳区教育研究中心", "110105")]


def _more(fw: FlowWorld) -> int:
    """Schools with a teacher each, two Beijing providers, and their uses; the count."""
    c = fw.cast
    teachers = []
    for i, (name, code) in enumerate(SCHOOLS):
        school = make_institution(name, code, school_code=f"21130{i:05d}")
        username = f"t{i}"
        c.users[username] = make_user(username, Role.STAFF)
        make_staff(f"教师{i}", school, 20 + i, user=c.users[username])
        teachers.append(username)
    resources = [fw.course, fw.tj_course]
    for i, (name, code) in enumerate(PROVIDERS):
        provider = make_institution(name, code, school_code=f"21110{i:05d}")
        keeper = f"keeper{i}"
        c.users[keeper] = make_user(keeper, Role.INSTITUTION_ADMIN, institution=provider)
        resources.append(
            make_resource(c, provider=provider, keeper=keeper, title=f"{name}：数学精品课")
        )
    make_partnership(
        "海淀实验小学—香河一中结对",
        "131024",
        [(resources[2].provider, MemberRole.LEAD), (_school("t0"), MemberRole.SUPPORTED)],
    )
    make_partnership(
        "通州一中—三河实验结对帮扶",
        "131082",
        [(c.tongzhou_school, MemberRole.LEAD), (c.sanhe_school, MemberRole.SUPPORTED)],
    )
    n = 0
    for i, who in enumerate(teachers):
        for j, resource in enumerate(resources):
            if (i + j) % 3 == 2:
                continue
            kind = UseKind.LESSON if (i + j) % 2 == 0 else UseKind.VIEW
            for k in range(1 + (i * j) % 3):
                flow_world.use(c, who, resource, kind, AUTUMN + dt.timedelta(days=k))
                n += 1
    return n


def _school(username: str) -> Any:
    from xietong.institutions.models import Staff

    return Staff.objects.get(user__username=username).institution


@pytest.fixture
def fw(
    transactional_db: Any,
    django_db_serialized_rollback: Any,
    world: Cast,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[FlowWorld]:
    built = flow_world.build(world, monkeypatch)
    assert _more(built) >= 20
    for user in User.objects.all():
        user.set_password(settings.XIETONG_DEMO_PASSWORD)
        user.save(update_fields=["password"])
    yield built
    _empty_the_audit_log_for_the_flush()


def test_the_viewer_sees_the_sankey_drawn_as_the_table_lists(
    live_server: Any,
    fw: FlowWorld,
    browser: Any,  # noqa: F811  (the fixture)
) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    # The first request imports every URL and API module: wait for it here, not in a page.
    urllib.request.urlopen(f"{live_server.url}/accounts/login/", timeout=120).read()
    viewer = Person(browser, live_server.url, "hebei_viewer")
    for by in ("region", "group", "institution"):
        page = viewer.go(f"/resources/flows/?term={TERM}&by={by}")
        page.wait_for_selector("#chart-flows[data-drawn]")
        links = page.evaluate(
            "() => echarts.getInstanceByDom(document.getElementById('chart-flows'))"
            ".getOption().series[0].links.length"
        )
        rows = page.get_by_test_id("flow-row")
        assert links == rows.count() > 3, by
        page.screenshot(path=str(SHOTS / f"flows-{by}-zh.png"), full_page=True)
    expect(page.get_by_test_id("partnership-share")).to_contain_text("%")

    viewer.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = viewer.go(f"/resources/flows/?term={TERM}&by=region")
    page.wait_for_selector("#chart-flows[data-drawn]")
    expect(page.locator("h1")).to_contain_text("Flows of use of shared resources")
    page.screenshot(path=str(SHOTS / "flows-region-en.png"), full_page=True)

    keeper = Person(browser, live_server.url, "tongzhou_admin")
    page = keeper.go("/resources/flows/provider/")
    page.wait_for_selector("#chart-terms[data-drawn]")
    expect(page.get_by_test_id("top-schools")).to_contain_text("Sanhe Experimental")
    page.screenshot(path=str(SHOTS / "provider-zh.png"), full_page=True)
