"""A real browser through the demo data with only the README's demo sign-ins.

The demo teacher 孙晓雪 of 北京市第八十中学雄安容东分校 applies to the open 容东 shadowing
program at 北京市第八十中学; her school (``rongdong_school``) recommends her from its queue
as a batch; the public notice runs (the test moves the calendar on); the Hebei authority
(``hebei``, over 雄安) approves from a batch; the managing Beijing authority (``beijing``)
closes the window, matches and publishes, and starts the placement once she has confirmed
it; the placement's dates pass (moved back by the test) and the daily job ends it, asking
her for her completion report. Every page is shot to ``test-artifacts/demo/``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from xietong.core.compile_messages import compile_all
from xietong.demo import exchanges, named
from xietong.exchanges.choices import AppStatus, PlacementStatus, ProgramStatus
from xietong.exchanges.models import Application, Placement, Program
from xietong.exchanges.tests.conftest import notice_over
from xietong.tests_browser.test_journey import CHROMIUM, _empty_the_audit_log_for_the_flush

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "demo"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]


@pytest.fixture
def demo(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[Program]:
    """The demo's named entities, sign-ins and exchange programs (no synthetic population);
    yields the 容东 program open for applications now."""
    call_command("demo", "--scale", "0", stdout=io.StringIO(), stderr=io.StringIO())
    _, _, upcoming = exchanges.terms(timezone.localdate())
    program = exchanges.rongdong_program(upcoming)
    assert program is not None and program.status == ProgramStatus.OPEN
    yield program
    _empty_the_audit_log_for_the_flush()


class DemoPerson:
    """One demo sign-in (the README's password) in its own browser context."""

    def __init__(self, browser: Any, base: str, username: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.page.on("dialog", lambda d: d.accept())  # a browser-native question, if any
        self.page.goto(f"{base}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", settings.XIETONG_DEMO_PASSWORD)
        self.page.locator("form.xt-form button[type=submit]").click()
        self.page.wait_for_url(f"{base}/")

    def go(self, path: str) -> Any:
        self.page.goto(f"{self.base}{path}")
        return self.page

    def nav(self, label: str) -> Any:
        self.page.locator(".xt-nav-link", has_text=label).click()
        return self.page

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_demo_teacher_goes_from_applying_to_being_asked_for_her_completion_report(
    live_server: Any, demo: Program, browser: Any
) -> None:
    from playwright.sync_api import expect

    base, program = live_server.url, demo
    me = named.staff("bj80_rd_teacher")
    offer = program.offers.get()

    # 1. The teacher opens the program, sees she is eligible and applies for its one place.
    teacher = DemoPerson(browser, base, "teacher")
    page = teacher.go(f"/exchanges/{program.pk}/")
    expect(page.get_by_test_id("eligibility")).to_be_visible()
    expect(page.get_by_test_id("apply")).to_be_visible()
    teacher.shot("01-program")
    page.get_by_test_id("apply").click()
    page.select_option("#id_choice_1", str(offer.pk))
    page.fill("#id_statement", "希望到北京市第八十中学跟岗学习初中数学的单元教学。")
    teacher.shot("02-apply")
    page.locator("button[name=action][value=submit]").click()
    expect(page.get_by_test_id("app-status")).to_have_text("已提交")
    app = Application.objects.get(program=program, applicant=me)
    assert app.status == AppStatus.SUBMITTED
    # Submitted, nothing for her to confirm yet.
    expect(page.get_by_test_id("confirm")).to_have_count(0)
    teacher.shot("03-submitted")

    # 2. Her school recommends her from its queue: her row ticked, one comment, confirmed.
    school = DemoPerson(browser, base, "rongdong_school")
    page = school.nav("审核")
    expect(page.get_by_test_id("to-recommend")).to_contain_text(me.name)
    expect(page.get_by_test_id("queue-approve")).to_have_count(0)  # a school does not approve
    expect(page.get_by_test_id("approve-batch-submit")).to_have_count(0)
    school.shot("04-review-school")
    page.locator(f"#recommend-pick-{app.pk}").check()
    expect(page.get_by_test_id("recommend-batch-submit")).to_contain_text("(1)")
    page.fill("#recommend_comment", "经校务会研究，同意推荐孙晓雪老师赴京跟岗。")
    page.get_by_test_id("recommend-batch-submit").click()
    expect(page.locator("#xt-confirm")).to_be_visible()
    school.shot("05-recommend-confirm")
    page.get_by_test_id("dialog-ok").click()
    expect(page.locator(f"[data-result='{app.pk}']")).to_have_attribute("data-outcome", "done")
    app.refresh_from_db()
    assert app.status == AppStatus.RECOMMENDED and app.notice_starts_on == timezone.localdate()
    school.shot("06-recommended")

    # 3. The Hebei authority over 雄安: while the notice runs there is no box to tick and
    # no approve link on her row; once it has ended (the calendar moved on) it approves her
    # from a batch.
    hebei = DemoPerson(browser, base, "hebei")
    page = hebei.go(f"/exchanges/review/?q={me.name}")
    expect(page.get_by_test_id(f"notice-running-{app.pk}")).to_be_visible()
    expect(page.locator(f"#approve-pick-{app.pk}")).to_have_count(0)
    row = page.locator("tr", has=page.get_by_test_id(f"notice-running-{app.pk}"))
    expect(row.get_by_role("link", name="批准")).to_have_count(0)
    expect(row).to_contain_text("后可批准")  # when approving becomes possible
    expect(page.get_by_test_id("approve-select-all")).to_have_count(0)
    expect(page.get_by_test_id("approve-batch-submit")).to_have_count(0)
    hebei.shot("07-review-authority-notice-running")
    notice_over(app.pk)
    page = hebei.go(f"/exchanges/review/?q={me.name}")
    expect(page.get_by_test_id(f"notice-running-{app.pk}")).to_have_count(0)
    page.locator(f"#approve-pick-{app.pk}").check()
    expect(page.get_by_test_id("approve-batch-submit")).to_contain_text("(1)")
    page.fill("#approve_comment", "公示期满无异议，同意。")
    hebei.shot("08-review-authority-notice-over")
    page.get_by_test_id("approve-batch-submit").click()
    page.get_by_test_id("dialog-ok").click()
    expect(page.locator(f"[data-result='{app.pk}']")).to_have_attribute("data-outcome", "done")
    app.refresh_from_db()
    assert app.status == AppStatus.APPROVED
    hebei.shot("09-approved")

    # 4. The Beijing authority, which manages the program, closes the window, runs the
    # matching and publishes it.
    beijing = DemoPerson(browser, base, "beijing")
    page = beijing.go(f"/exchanges/{program.pk}/")
    beijing.shot("10-program-manager")
    page.locator("form[action$='/status/']:has(input[value=closed]) button").click()
    page.get_by_test_id("dialog-ok").click()
    expect(page.locator(".alert-success")).to_be_visible()
    program.refresh_from_db()
    assert program.status == ProgramStatus.CLOSED
    page = beijing.go(f"/exchanges/{program.pk}/runs/")
    page.get_by_test_id("start-run").click()
    expect(page.get_by_test_id("run-results")).to_contain_text(me.name, timeout=30_000)
    expect(page.get_by_test_id("matched-count")).to_have_text("1")  # only she is approved
    beijing.shot("11-run")
    page.get_by_test_id("publish").click()
    page.get_by_test_id("dialog-ok").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("已公布")
    expect(page.get_by_test_id("publish")).to_have_count(0)  # published once
    app.refresh_from_db()
    assert app.status == AppStatus.MATCHED

    # 5. The teacher sees her place and confirms it.
    page = teacher.go(f"/exchanges/applications/{app.pk}/")
    expect(page.get_by_test_id("match-result")).to_contain_text("北京市第八十中学")
    teacher.shot("12-result")
    page.get_by_test_id("confirm").click()
    page.get_by_test_id("dialog-ok").click()
    expect(page.get_by_test_id("app-status")).to_have_text("已确认")
    expect(page.get_by_test_id("confirm")).to_have_count(0)
    placement = Placement.objects.get(application=app)

    # 6. The term comes: the placement's dates move into the past (as the calendar would)
    # and the Beijing authority, acting for the host, starts it. The teacher cannot.
    today = timezone.localdate()
    Placement.objects.filter(pk=placement.pk).update(
        starts_on=today - dt.timedelta(weeks=4), ends_on=today - dt.timedelta(days=1)
    )
    page = teacher.go(f"/exchanges/placements/{placement.pk}/")
    expect(page.get_by_test_id("start-placement")).to_have_count(0)
    page = beijing.go(f"/exchanges/placements/{placement.pk}/")
    page.get_by_test_id("start-placement").click()
    expect(page.get_by_test_id("placement-status")).to_have_text("进行中")
    expect(page.get_by_test_id("start-placement")).to_have_count(0)
    beijing.shot("13-placement-started")

    # While it runs she writes her mid-term report (there is no completion step yet).
    page = teacher.go(f"/exchanges/placements/{placement.pk}/")
    expect(page.get_by_test_id("reports-due")).to_have_count(0)
    page.select_option("#report_kind", "midterm")
    page.locator("#report_content").fill("跟岗过半：已听课十余节，参加备课组活动三次。")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_test_id("reports")).to_contain_text("跟岗过半")

    # 7. The daily job ends the placement past its end date and asks for the reports.
    out = io.StringIO()
    call_command("jobs", "tick", "--run", stdout=out, stderr=io.StringIO())
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ENDED, out.getvalue()

    # 8. The teacher is asked for her completion report: bell, notification, workbench.
    ended_on = placement.ends_on.isoformat()
    page = teacher.go("/")
    item = page.get_by_test_id("queue-my-exchanges").locator(
        "li", has=page.locator(f"a[href='/exchanges/placements/{placement.pk}/']")
    )
    expect(item).to_contain_text(f"结业报告须于 {ended_on} 前提交")
    expect(item).to_contain_text("已逾期")
    expect(page.get_by_test_id("unread-count")).to_be_visible()
    teacher.shot("14-workbench")
    page.get_by_test_id("bell").click()
    expect(page.get_by_test_id("notification-link").first).to_contain_text(
        f"您在北京市第八十中学的挂职/跟岗已于 {ended_on} 到期，请提交个人总结报告。"
    )
    teacher.shot("15-notifications")
    page.get_by_test_id("notification-link").first.click()
    expect(page.get_by_test_id("placement-status")).to_contain_text("已到期")
    expect(page.get_by_test_id("reports-due")).to_be_visible()
    expect(page.get_by_test_id("submit-report")).to_be_visible()
    expect(page.get_by_test_id("complete-placement")).to_have_count(0)  # the host's step
    expect(page.get_by_test_id("start-placement")).to_have_count(0)
    teacher.shot("16-placement-ended")
