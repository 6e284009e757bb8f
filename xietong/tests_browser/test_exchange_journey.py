"""A real browser through a whole exchange: a 三河市 teacher applies for a shadowing place in
Beijing or Tianjin, the school recommends, the 三河市 authority approves, the Beijing
authority matches and publishes, the teacher accepts, the placement runs with a weekly log
and completion reports, the return duty at home is done and the exchange completes.

Each person works in their own browser context (signed in once); every page is shot to
``test-artifacts/exchanges/`` in Chinese, and the main ones again in English.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from xietong.accounts.access import actor_for
from xietong.accounts.models import Role
from xietong.conftest import PASSWORD, make_institution, make_staff, make_user, region
from xietong.core.compile_messages import compile_all
from xietong.exchanges import services
from xietong.exchanges.choices import AppStatus, ProgramStatus
from xietong.exchanges.models import Application, Placement
from xietong.exchanges.tests.conftest import notice_over
from xietong.tests_browser.test_journey import CHROMIUM, _empty_the_audit_log_for_the_flush

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "exchanges"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]


@pytest.fixture
def world(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[dict[str, Any]]:
    """Schools, people and an open program with a Beijing and a Tianjin offer."""
    bj_bureau = make_institution("北京市教育委员会", "110000", kind="authority", stages="")
    sanhe = make_institution("三河市第一实验小学", "131082")
    tongzhou = make_institution("北京市通州区第一实验小学", "110112")
    heping = make_institution("天津市和平区岳阳道小学", "120101")
    teacher = make_staff("李三河", sanhe, 2, male=False, title="first", position="teacher")
    mentor = make_staff("王北京", tongzhou, 1, honours=",backbone,", title="senior")
    users = {
        "teacher": make_user("teacher", Role.STAFF),
        "school": make_user("school", Role.INSTITUTION_ADMIN, institution=sanhe),
        "sanhe": make_user("sanhe", Role.AUTHORITY_ADMIN, region=region("131082")),
        "beijing": make_user("beijing", Role.AUTHORITY_ADMIN, region=region("110000")),
        "host": make_user("host", Role.INSTITUTION_ADMIN, institution=tongzhou),
        "tianjin": make_user("tianjin", Role.AUTHORITY_ADMIN, region=region("120000")),
    }
    teacher.user = users["teacher"]
    teacher.save(update_fields=["user"])
    beijing = actor_for(users["beijing"])
    now = timezone.now()
    program = services.create_program(
        beijing,
        {
            "kind": "shadowing",
            "organiser": bj_bureau.pk,
            "region": "110000",
            "title": "北三县教师京津跟岗研修",
            "school_year": "2024-2025",
            "term": 2,
            "starts_on": dt.date(2025, 3, 3),
            "ends_on": dt.date(2025, 6, 27),
            "duration_weeks": 17,
            "max_choices": 2,
            "opens_at": timezone.make_aware(dt.datetime(2025, 3, 3, 9)) - dt.timedelta(days=60),
            # (it opened before the program, and is still open: applying is tested today)
            "closes_at": now + dt.timedelta(days=14),
            "elig_positions": ["teacher"],
            "sending_areas": ["beisanxian"],
            "host_areas": ["110000", "120000"],
        },
    )
    services.set_program_status(beijing, program.pk, ProgramStatus.OPEN)
    bj_offer = services.create_offer(
        beijing,
        program.pk,
        host=tongzhou.pk,
        mentor=mentor.pk,
        slots=[{"stage": "primary", "subject": "数学", "capacity": 2}],
        requirements="小学数学，跟岗一学期。",
    )
    tj_offer = services.create_offer(
        actor_for(users["tianjin"]),
        program.pk,
        host=heping.pk,
        slots=[{"stage": "primary", "subject": "数学", "capacity": 1}],
    )
    yield {"program": program, "bj_offer": bj_offer, "tj_offer": tj_offer, "teacher": teacher}
    _empty_the_audit_log_for_the_flush()


def _wait_drawn(page: Any) -> None:
    """Until every chart on the page has finished drawing (its animation included)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.xt-chart')].every(e => e.dataset.drawn)"
    )


class Person:
    """One signed-in browser context."""

    def __init__(self, browser: Any, base: str, username: str) -> None:
        self.base, self.username = base, username
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        # data-confirm questions come in the page's own <dialog> (dialog-ok confirms);
        # a browser-native one would be accepted here.
        self.page.on("dialog", lambda d: d.accept())
        self.page.goto(f"{base}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.locator("form button[type=submit]").last.click()
        self.page.wait_for_url(f"{base}/")

    def go(self, path: str) -> Any:
        self.page.goto(f"{self.base}{path}")
        return self.page

    def nav(self, label: str) -> Any:
        whole = re.compile(rf"^\s*{re.escape(label)}\s*$")  # 审核, not 审核专家
        self.page.locator(".xt-nav-link", has_text=whole).click()
        return self.page

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def english(self) -> None:
        self.context.add_cookies([{"name": "django_language", "value": "en", "url": self.base}])


def test_it_takes_a_sanhe_teacher_from_application_to_a_completed_exchange(
    live_server: Any, world: dict[str, Any], browser: Any
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    program, bj_offer, tj_offer = world["program"], world["bj_offer"], world["tj_offer"]
    pages: dict[str, list[tuple[str, str]]] = {}  # username → (path, name), shot again in English

    def visit(person: Person, path: str, name: str) -> Any:
        page = person.go(path)
        person.shot(f"{name}-zh")
        pages.setdefault(person.username, []).append((path, name))
        return page

    # 1. The teacher finds the program and applies, ranking Beijing first, Tianjin second.
    teacher = Person(browser, base, "teacher")
    page = teacher.nav("交流项目")
    expect(page.locator("h1")).to_have_text("交流项目")
    teacher.shot("01-programs-zh")
    pages["teacher"] = [("/exchanges/", "01-programs")]
    page.get_by_role("link", name=program.title).click()
    expect(page.get_by_test_id("eligibility")).to_be_visible()
    teacher.shot("02-program-zh")
    pages["teacher"].append((f"/exchanges/{program.pk}/", "02-program"))
    page.get_by_test_id("apply").click()
    page.select_option("#id_choice_1", str(tj_offer.pk))
    page.select_option("#id_choice_2", str(bj_offer.pk))
    page.locator("#id_choice_2 ~ [data-move='-1']").click()  # the up button swaps the two
    expect(page.locator("#id_choice_1")).to_have_value(str(bj_offer.pk))
    expect(page.locator("#id_choice_2")).to_have_value(str(tj_offer.pk))
    page.fill("#id_statement", "希望在副中心学校学习小学数学的单元整体教学。")
    teacher.shot("03-apply-zh")
    pages["teacher"].append((f"/exchanges/{program.pk}/apply/", "03-apply"))
    page.locator("button[name=action][value=submit]").click()
    expect(page.get_by_test_id("app-status")).to_have_text("已提交")
    app = Application.objects.get()
    assert list(app.choices.values_list("offer_id", flat=True)) == [bj_offer.pk, tj_offer.pk]
    teacher.shot("04-application-submitted-zh")

    # 2. The school recommends from its queue (ticked, with a comment); the public notice
    # starts today for the shortest time allowed and cannot be back-dated.
    school = Person(browser, base, "school")
    page = school.nav("审核")
    expect(page.get_by_test_id("to-recommend")).to_contain_text("李三河")
    school.shot("05-review-school-zh")
    pages["school"] = [("/exchanges/review/", "05-review-school")]
    today = timezone.localdate()
    expect(page.locator("#recommend_notice_starts_on")).to_have_value(today.isoformat())
    page.get_by_test_id("recommend-select-all").check()
    expect(page.get_by_test_id("recommend-batch-submit")).to_contain_text("(1)")
    page.fill("#recommend_comment", "经校务会研究，同意推荐。")
    page.get_by_test_id("recommend-batch-submit").click()
    expect(page.locator("#xt-confirm")).to_be_visible()
    school.shot("06-recommend-confirm-zh")
    page.get_by_test_id("dialog-ok").click()
    expect(page.get_by_test_id("batch-results")).to_contain_text("派出单位已推荐")
    app.refresh_from_db()
    assert app.status == AppStatus.RECOMMENDED and app.notice_starts_on == today
    pages["school"].append((f"/exchanges/applications/{app.pk}/recommend/", "06-recommend"))

    # 3. The 三河市 authority sees the notice running (no approve box), and approves once it
    # has ended — the calendar moved on here by the test.
    sanhe = Person(browser, base, "sanhe")
    page = sanhe.nav("审核")
    expect(page.get_by_test_id(f"notice-running-{app.pk}")).to_be_visible()
    expect(page.locator(f"input[name=ids][value='{app.pk}']")).to_have_count(0)
    notice_over(app.pk)
    page = sanhe.go("/exchanges/review/")
    expect(page.get_by_test_id("to-approve")).to_contain_text("李三河")
    sanhe.shot("07-review-authority-zh")
    pages["sanhe"] = [("/exchanges/review/", "07-review-authority")]
    page.get_by_test_id("to-approve").get_by_role("link", name="批准").click()
    page.fill("#id_comment", "同意。")
    sanhe.shot("08-approve-zh")
    page.get_by_test_id("approve").click()
    page.get_by_test_id("dialog-ok").click()
    expect(page.locator(".alert-success")).to_be_visible()
    app.refresh_from_db()
    assert app.status == AppStatus.APPROVED and app.approve_comment == "同意。"

    # 4. The Beijing authority closes applications, runs the matching and publishes it.
    beijing = Person(browser, base, "beijing")
    page = beijing.go(f"/exchanges/{program.pk}/")
    page.locator("form[action$='/status/']:has(input[value=closed]) button").click()
    page.get_by_test_id("dialog-ok").click()  # closing the window asks first
    expect(page.locator(".alert-success")).to_be_visible()
    page = beijing.nav("匹配")
    beijing.shot("09-matching-zh")
    pages["beijing"] = [("/exchanges/matching/", "09-matching")]
    page.locator("main a[href$='/runs/']").first.click()
    beijing.shot("10-runs-zh")
    pages["beijing"].append((f"/exchanges/{program.pk}/runs/", "10-runs"))
    page.get_by_test_id("start-run").click()
    expect(page.get_by_test_id("run-results")).to_contain_text("李三河", timeout=20_000)
    expect(page.get_by_test_id("matched-count")).to_have_text("1")
    _wait_drawn(page)
    beijing.shot("11-run-zh")
    run_path = page.url.removeprefix(base)
    pages["beijing"].append((run_path, "11-run"))
    page.get_by_test_id("publish").click()
    page.get_by_test_id("dialog-ok").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("已公布")
    app.refresh_from_db()
    assert app.status == AppStatus.MATCHED

    # 5. The teacher sees the result and its explanation, and accepts the place.
    page = teacher.go("/exchanges/")
    expect(page.get_by_test_id("unread-count")).to_be_visible()
    page.get_by_test_id("bell").click()
    teacher.shot("12-notifications-zh")
    pages["teacher"].append(("/notifications/", "12-notifications"))
    page.get_by_test_id("notification-link").first.click()  # the newest: the result is out
    expect(page.get_by_test_id("match-result")).to_contain_text("北京市通州区第一实验小学")
    page = teacher.nav("我的申请")
    teacher.shot("13-my-applications-zh")
    pages["teacher"].append(("/exchanges/applications/", "13-my-applications"))
    page.get_by_role("link", name=program.title).click()
    expect(page.get_by_test_id("match-result")).to_contain_text("北京市通州区第一实验小学")
    expect(page.get_by_test_id("explanation")).to_contain_text("第1志愿")
    teacher.shot("14-result-zh")
    pages["teacher"].append((f"/exchanges/applications/{app.pk}/", "14-result"))
    page.get_by_test_id("confirm").click()
    page.get_by_test_id("dialog-ok").click()
    expect(page.get_by_test_id("app-status")).to_have_text("已确认")
    placement = Placement.objects.get()

    # 6. The host starts the placement; the teacher logs a week and reports on completion.
    host = Person(browser, base, "host")
    page = host.nav("挂职/跟岗")
    host.shot("15-placements-host-zh")
    pages["host"] = [("/exchanges/placements/", "15-placements-host")]
    page.get_by_role("link", name="李三河").click()
    page.get_by_test_id("start-placement").click()
    expect(page.get_by_test_id("placement-status")).to_have_text("进行中")

    page = teacher.go(f"/exchanges/placements/{placement.pk}/")
    page.fill("#log_week_starting", "2025-03-03")
    page.fill("#log_hours", "16")
    page.fill("#log_content", "听课 8 节，参加数学教研组集体备课 2 次。")
    page.get_by_test_id("add-log").click()
    expect(page.locator("#logs")).to_contain_text("听课 8 节")
    page.select_option("#report_kind", "completion")
    page.locator("#report_content").fill("学习了单元整体教学设计，回校后将在教研组分享。")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_test_id("reports")).to_contain_text("单元整体教学")
    teacher.shot("16-placement-teacher-zh")
    pages["teacher"].append((f"/exchanges/placements/{placement.pk}/", "16-placement-teacher"))

    # 7. The host reports, evaluates and completes the placement, crediting the hours.
    page = host.go(f"/exchanges/placements/{placement.pk}/")
    page.select_option("#report_kind", "completion")
    page.locator("#report_content").fill("李老师积极参与教研，课堂实践表现优秀。")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_test_id("reports")).to_contain_text("表现优秀")
    page.fill("#evaluate_score", "93")
    page.locator("form[action$='/evaluate/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.fill("#complete_hours_credited", "64")
    host.shot("17-placement-host-zh")
    pages["host"].append((f"/exchanges/placements/{placement.pk}/", "17-placement-host"))
    page.get_by_test_id("complete-placement").click()
    expect(page.get_by_test_id("placement-status")).to_have_text("已完成")
    expect(page.get_by_test_id("hours-credited")).to_have_text("64")

    # 8. At home: the school sets the return duty, records it done, and completes the exchange.
    page = school.go(f"/exchanges/placements/{placement.pk}/")
    page.select_option("#duty_kind", "open_lesson")
    page.fill("#duty_due_on", (today + dt.timedelta(days=14)).isoformat())
    page.fill("#duty_description", "面向全校数学组上一节汇报课")
    page.locator("form[action$='/duties/'] button").click()
    expect(page.get_by_test_id("duties")).to_contain_text("公开课")
    page.fill("#done_evidence", "汇报课已上，教研组 12 人听课。")
    page.locator("form[action*='/done/'] button").click()
    expect(page.get_by_test_id("duties")).to_contain_text("教研组 12 人听课")
    school.shot("18-placement-home-zh")
    pages["school"].append((f"/exchanges/placements/{placement.pk}/", "18-placement-home"))
    page.get_by_test_id("complete-exchange").click()
    page.get_by_test_id("dialog-ok").click()
    expect(page.get_by_test_id("app-status")).to_have_text("已完成")
    app.refresh_from_db()
    assert app.status == AppStatus.COMPLETED

    page = teacher.go(f"/exchanges/applications/{app.pk}/")
    expect(page.get_by_test_id("app-status")).to_have_text("已完成")
    teacher.shot("19-completed-zh")
    visit(sanhe, "/exchanges/coverage/?school_year=2024-2025&area=beisanxian", "20-coverage")
    visit(beijing, f"/exchanges/{program.pk}/", "21-program-manager")
    visit(beijing, f"/exchanges/{program.pk}/edit/", "22-program-edit")
    visit(host, f"/exchanges/offers/{bj_offer.pk}/edit/", "23-offer-edit")
    visit(host, f"/exchanges/{program.pk}/offers/new/", "24-offer-new")

    # The same pages in English.
    people = {"teacher": teacher, "school": school, "sanhe": sanhe, "beijing": beijing}
    people["host"] = host
    for username, visited in pages.items():
        person = people[username]
        person.english()
        for path, name in visited:
            person.go(path)
            if "run" in name or "coverage" in name:
                _wait_drawn(person.page)
            person.shot(f"{name}-en")
    expect(teacher.page.locator("html")).to_have_attribute("lang", "en")
