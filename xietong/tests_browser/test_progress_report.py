"""A real browser: the 河北省 authority (``hebei``) files a quarterly progress report with
a PDF as evidence on a task of 河北省教育厅, the Beijing authority (``beijing``) returns it
with a comment, it is corrected and resubmitted, and Beijing accepts it. The report page is
shot as both roles, in Chinese and in English, to ``/tmp/shots-c/``."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from xietong.accounts.models import Role, RoleAssignment, User
from xietong.core.compile_messages import compile_all
from xietong.institutions.models import Institution
from xietong.plan.choices import BodyRole, ReportStatus, TaskStatus
from xietong.plan.models import Plan, ProgressReport, Section, Task, TaskBody
from xietong.regions.models import Region
from xietong.tests_browser.test_journey import CHROMIUM, _empty_the_audit_log_for_the_flush
from xietong.tests_browser.test_partnership_activity import PDF, Person

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

SHOTS = Path("/tmp/shots-c")
COMMENT = "请补充本季度结对学校名单。"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]


def _authority(name: str, code: str) -> Institution:
    region = Region.objects.get(code=code)
    return Institution.objects.create(
        name=name, kind="authority", region=region, region_path=region.path
    )


def _user(username: str, display: str, code: str) -> User:
    user = User.objects.create_user(
        username=username, password=settings.XIETONG_DEMO_PASSWORD, display_name=display
    )
    RoleAssignment.objects.create(
        user=user, role=Role.AUTHORITY_ADMIN, region=Region.objects.get(code=code)
    )
    return user


@pytest.fixture
def task(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[Task]:
    beijing = _authority("北京市教育委员会", "110000")
    hebei = _authority("河北省教育厅", "130000")
    _user("beijing", "北京市教委 王老师", "110000")
    _user("hebei", "河北省教育厅 赵老师", "130000")
    plan = Plan.objects.create(
        key="jjj-2023",
        name="京津冀基础教育协同发展行动计划（2023—2025年）",
        starts_on=dt.date(2023, 10, 8),
        ends_on=dt.date(2025, 12, 31),
    )
    plan.signatories.set([beijing, hebei])
    section = Section.objects.create(plan=plan, number="二", title="促进优质资源共享")
    task = Task.objects.create(
        plan=plan,
        section=section,
        code="2.3",
        title="深化京津冀中小学结对帮扶",
        deadline=plan.ends_on,
    )
    TaskBody.objects.create(task=task, institution=hebei, role=BodyRole.RESPONSIBLE)
    yield task
    _empty_the_audit_log_for_the_flush()


def _shot(person: Person, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    person.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _english(person: Person, path: str) -> Any:
    page = person.go(path)
    page.locator("button[name=language][value=en]").first.click()
    return person.go(path)


def test_hebei_files_a_report_beijing_returns_it_and_accepts_it_resubmitted(
    live_server: Any, task: Task, browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    evidence = tmp_path / "结对帮扶名单.pdf"
    evidence.write_bytes(PDF)

    hebei = Person(browser, base, "hebei")
    page = hebei.go(f"/plan/reports/new/?task={task.pk}")
    page.fill("#id_period", "2025年第3季度")
    page.select_option("#id_progress", TaskStatus.ON_TRACK)
    page.fill("#id_narrative", "本季度新增结对学校12所，开展联合教研活动8次。")
    page.get_by_test_id("save-report").click()
    report = ProgressReport.objects.get()
    page.wait_for_url(f"{base}/plan/reports/{report.pk}/")
    assert report.period == "2025Q3" and report.state == ReportStatus.DRAFT

    upload = page.get_by_test_id("attachment-upload")
    upload.locator("input[type=file]").set_input_files(str(evidence))
    upload.locator("button[type=submit]").click()
    expect(page.get_by_test_id("attachments")).to_contain_text("结对帮扶名单.pdf")
    _shot(hebei, "01-hebei-draft-zh")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_test_id("report-state")).to_have_attribute("data-state", "submitted")
    expect(page.get_by_test_id("attachment-upload")).to_have_count(0)  # no files once filed

    beijing = Person(browser, base, "beijing")
    page = beijing.go(f"/plan/reports/{report.pk}/")
    expect(page.get_by_test_id("attachments")).to_contain_text("结对帮扶名单.pdf")
    page.get_by_test_id("return-report").click()  # without a comment: refused
    expect(page.locator(".invalid-feedback, .text-danger").first).to_contain_text("意见")
    page.fill("#id_comment", COMMENT)
    _shot(beijing, "02-beijing-review-zh")
    page.get_by_test_id("return-report").click()
    expect(page.get_by_test_id("report-state")).to_have_attribute("data-state", "returned")
    expect(page.get_by_test_id("review-notes")).to_contain_text(COMMENT)

    page = hebei.go(f"/plan/reports/{report.pk}/")
    expect(page.get_by_test_id("review-comment")).to_contain_text(COMMENT)
    page.fill("#id_narrative", "本季度新增结对学校12所（名单见附件），开展联合教研活动8次。")
    page.get_by_test_id("save-report").click()
    _shot(hebei, "03-hebei-returned-zh")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_test_id("report-state")).to_have_attribute("data-state", "submitted")

    page = beijing.go(f"/plan/reports/{report.pk}/")
    page.get_by_test_id("accept-report").click()
    expect(page.get_by_test_id("report-state")).to_have_attribute("data-state", "accepted")
    _shot(beijing, "04-beijing-accepted-zh")

    report.refresh_from_db()
    task.refresh_from_db()
    assert report.state == ReportStatus.ACCEPTED and task.status == TaskStatus.ON_TRACK
    assert list(report.notes.values_list("verdict", flat=True)) == ["returned", "accepted"]

    page = _english(beijing, f"/plan/reports/{report.pk}/")
    expect(page.get_by_test_id("report-fields")).to_contain_text("State of the task")
    _shot(beijing, "05-beijing-accepted-en")
    page = _english(hebei, f"/plan/reports/{report.pk}/")
    expect(page.get_by_test_id("review-notes")).to_contain_text(COMMENT)
    expect(page.get_by_test_id("report-fields")).to_contain_text("Narrative")
    _shot(hebei, "06-hebei-accepted-en")
    page = hebei.go("/plan/reports/rate/")
    expect(page.get_by_test_id("rate-table")).to_contain_text("河北省教育厅")
    _shot(hebei, "07-hebei-rate-en")
