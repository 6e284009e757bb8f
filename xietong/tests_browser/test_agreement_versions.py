"""A real browser: both sides of 北京学校 ↔ 三河市赵河沟小学's paired assistance approve an
agreement, 赵河沟小学 edits it, the new version waits for approval and the compare page shows
the change — with the demo sign-ins ``beijing_school`` and ``sanhe_school``. The agreement
is written through the services (no timing); pages are shot to ``test-artifacts/agreements/``
in Chinese and English.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from xietong.core.compile_messages import compile_all
from xietong.demo import named
from xietong.demo.partnerships import load_partnerships
from xietong.demo.users import ensure_demo_users
from xietong.partnerships.agreements import services
from xietong.partnerships.choices import VersionStatus
from xietong.partnerships.models import AgreementVersion, Partnership
from xietong.tests_browser.test_journey import CHROMIUM, _empty_the_audit_log_for_the_flush

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "agreements"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]

TITLE = "2025学年结对帮扶补充协议"


@pytest.fixture
def agreement(
    transactional_db: Any, django_db_serialized_rollback: Any
) -> Iterator[AgreementVersion]:
    """The demo's sign-ins and partnerships; a new agreement of the paired assistance,
    written by 三河市's authority (``sanhe``), its version 1 awaiting both sides."""
    from xietong.accounts.access import actor_for
    from xietong.accounts.models import User

    ensure_demo_users()
    load_partnerships()
    p = Partnership.objects.get(members__institution=named.institution("zhg"), kind="paired")
    v1 = services.create_agreement(
        actor_for(User.objects.get(username="sanhe")),
        p.pk,
        services.VersionIn(
            title=TITLE,
            starts_on=p.starts_on,
            clauses=[
                {"heading": "一、同步课堂", "text": "每周开设同步课堂3节。"},
                {"heading": "二、跟岗学习", "text": "赵河沟小学教师每学期2人赴京跟岗。"},
            ],
        ),
    )
    yield v1
    _empty_the_audit_log_for_the_flush()


class Person:
    def __init__(self, browser: Any, base: str, username: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.page.goto(f"{base}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", settings.XIETONG_DEMO_PASSWORD)
        self.page.locator("form.xt-form button[type=submit]").click()
        self.page.wait_for_url(f"{base}/")

    def go(self, path: str) -> Any:
        self.page.goto(f"{self.base}{path}")
        return self.page

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def english(self) -> None:
        self.context.add_cookies([{"name": "django_language", "value": "en", "url": self.base}])

    def approve(self, number: int) -> None:
        from playwright.sync_api import expect

        self.page.get_by_test_id(f"approve-{number}").click()
        expect(self.page.locator("#xt-confirm")).to_be_visible()
        self.page.get_by_test_id("dialog-ok").click()
        self.page.wait_for_load_state()


def test_two_parties_approve_one_edits_and_the_compare_page_shows_the_change(
    live_server: Any, agreement: AgreementVersion, browser: Any
) -> None:
    from playwright.sync_api import expect

    base, v1 = live_server.url, agreement
    page_url = f"/partnerships/agreements/{v1.agreement_id}/"

    # 1. The Beijing side finds it in its inbox and approves version 1.
    beijing = Person(browser, base, "beijing_school")
    page = beijing.go("/partnerships/agreements/inbox/")
    expect(page.get_by_test_id("inbox")).to_contain_text(TITLE)
    page = beijing.go(page_url)
    expect(page.get_by_test_id("version-1")).to_have_attribute("data-status", "pending")
    beijing.approve(1)
    expect(page.get_by_test_id("version-1").get_by_test_id("approval")).to_have_count(1)
    expect(page.get_by_test_id("approve-1")).to_have_count(0)
    beijing.shot("01-beijing-approved")

    # 2. 赵河沟小学 approves too: version 1 is approved by every party.
    sanhe = Person(browser, base, "sanhe_school")
    page = sanhe.go(page_url)
    sanhe.approve(1)
    expect(page.get_by_test_id("version-1")).to_have_attribute("data-status", "approved")
    v1.refresh_from_db()
    assert v1.status == VersionStatus.APPROVED and v1.approved_at is not None
    sanhe.shot("02-approved-by-both")

    # 3. 赵河沟小学 edits it: a new version, waiting for approval; version 1 stays approved.
    page.get_by_test_id("new-version").click()
    text = page.locator("#id_clauses").input_value()
    page.fill("#id_clauses", text.replace("每学期2人", "每学期3人"))
    page.fill("#id_note", "跟岗人数增至每学期3人。")
    sanhe.shot("03-version-form")
    page.get_by_test_id("save-version").click()
    expect(page.get_by_test_id("version-2")).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("version-1")).to_have_attribute("data-status", "approved")
    expect(page.get_by_test_id("version-2").get_by_test_id("waiting")).to_contain_text("北京学校")
    sanhe.shot("04-version-2-pending")

    # 4. The Beijing side compares the two versions: the change is marked.
    page = beijing.go(page_url)
    expect(page.get_by_test_id("approve-2")).to_have_count(1)
    page.get_by_test_id("compare").click()
    diff = page.get_by_test_id("diff")
    row = diff.locator("tr[data-status='changed']", has_text="二、跟岗学习")
    expect(row.locator("del")).to_have_text("2")
    expect(row.locator("ins")).to_have_text("3")
    expect(diff).to_contain_text("修改说明")
    beijing.shot("05-compare-zh")
    beijing.english()
    page.reload()
    expect(page.get_by_test_id("diff")).to_contain_text("What changed")
    expect(page.locator("h1")).to_contain_text("Compare versions")
    beijing.shot("06-compare-en")
