"""A real browser on the workbench: the teacher (on a phone too), her school's admin and
the 三河市 authority sign in and each sees what waits for them, linked to where it is done.

Pages are shot to ``test-artifacts/workbench/``.
"""

from __future__ import annotations

import datetime as dt
import os
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
from xietong.exchanges.choices import ProgramStatus
from xietong.exchanges.tests.conftest import notice_over
from xietong.tests_browser.test_journey import CHROMIUM, _empty_the_audit_log_for_the_flush

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "workbench"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]


@pytest.fixture
def world(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[dict[str, Any]]:
    """An open program; one teacher has applied and been recommended (notice over), the
    other, 李三河, has not applied yet."""
    bureau = make_institution("三河市教育局", "131082", kind="authority", stages="")
    sanhe = make_institution("三河市第一实验小学", "131082")
    tongzhou = make_institution("北京市通州区第一实验小学", "110112")
    teacher = make_staff("李三河", sanhe, 2, male=False, title="first")
    colleague = make_staff("张同事", sanhe, 3)
    newcomer = make_staff("赵新申", sanhe, 4)
    mentor = make_staff("王北京", tongzhou, 1)
    users = {
        "teacher": make_user("teacher", Role.STAFF),
        "school": make_user("school", Role.INSTITUTION_ADMIN, institution=sanhe),
        "sanhe": make_user("sanhe", Role.AUTHORITY_ADMIN, region=region("131082")),
        "tongzhou": make_user("tongzhou", Role.AUTHORITY_ADMIN, region=region("110112")),
    }
    teacher.user = users["teacher"]
    teacher.save(update_fields=["user"])
    authority = actor_for(users["sanhe"])
    now = timezone.now()
    program = services.create_program(
        authority,
        {
            "kind": "shadowing",
            "organiser": bureau.pk,
            "region": "131082",
            "title": "三河—副中心跟岗研修",
            "school_year": "2025-2026",
            "term": 2,
            "starts_on": dt.date(2026, 3, 2),
            "ends_on": dt.date(2026, 6, 26),
            "max_choices": 2,
            "opens_at": timezone.make_aware(dt.datetime(2026, 3, 2, 9)) - dt.timedelta(days=60),
            # (it opened before the program, and is still open: applying is tested today)
            "closes_at": now + dt.timedelta(days=10),
            "elig_positions": ["teacher"],
            "sending_areas": ["beisanxian"],
            "host_areas": ["fuzhongxin"],
        },
    )
    services.set_program_status(authority, program.pk, ProgramStatus.OPEN)
    offer = services.create_offer(
        actor_for(users["tongzhou"]),
        program.pk,
        host=tongzhou.pk,
        mentor=mentor.pk,
        slots=[{"stage": "primary", "subject": "数学", "capacity": 2}],
    )
    school = actor_for(users["school"])
    app = services.create_application(
        school, program.pk, choices=[offer.pk], applicant=colleague.pk, submit=True
    )
    today = timezone.localdate()
    services.recommend_application(
        school,
        app.pk,
        notice_starts_on=today,
        notice_ends_on=services.earliest_notice_end(today),
    )
    notice_over(app.pk)  # the public notice has run its course, as time would have it
    submitted = services.create_application(
        school, program.pk, choices=[offer.pk], applicant=newcomer.pk, submit=True
    )
    yield {"program": program, "app": app, "submitted": submitted}
    _empty_the_audit_log_for_the_flush()


def sign_in(browser: Any, base: str, username: str, width: int = 1440) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form.xt-form button[type=submit]").click()
    page.wait_for_url(f"{base}/")
    return page


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_it_shows_the_teacher_the_school_and_the_authority_what_waits_for_them(
    live_server: Any, world: dict[str, Any], browser: Any
) -> None:
    from playwright.sync_api import expect

    base, program, app = live_server.url, world["program"], world["app"]

    # The teacher: a program open to her, with the way to apply; her scope is her record.
    page = sign_in(browser, base, "teacher")
    panel = page.get_by_test_id("queue-open-programs")
    expect(panel).to_contain_text(program.title)
    expect(page.get_by_test_id("role-scope")).to_contain_text("本人档案：李三河")
    assert fits(page)
    shot(page, "teacher-zh-1440")
    panel.get_by_role("link", name=program.title).click()
    expect(page).to_have_url(f"{base}/exchanges/{program.pk}/apply/")

    # On a phone the same, in one column that fits the screen.
    phone = sign_in(browser, base, "teacher", width=390)
    expect(phone.get_by_test_id("queue-open-programs")).to_contain_text(program.title)
    assert fits(phone)
    shot(phone, "teacher-zh-390")

    # The school: the newcomer's application waits for its recommendation (the colleague's
    # is recommended already); the program hosts elsewhere, so no offer is asked of it.
    page = sign_in(browser, base, "school")
    recommend = page.get_by_test_id("queue-to-recommend")
    expect(page.get_by_test_id("count-to-recommend")).to_have_text("1")
    expect(recommend).to_contain_text("赵新申")
    expect(page.get_by_test_id("clear-offers-to-make")).to_be_visible()
    assert fits(page)
    shot(page, "school-zh-1440")
    recommend.get_by_role("link", name=f"赵新申 · {program.title}").click()
    expect(page).to_have_url(f"{base}/exchanges/applications/{world['submitted'].pk}/recommend/")

    # The authority: the approval is due, and its link opens the decision.
    page = sign_in(browser, base, "sanhe")
    approvals = page.get_by_test_id("queue-approvals")
    expect(page.get_by_test_id("count-approvals")).to_have_text("1")
    expect(approvals).to_contain_text("张同事")
    expect(page.get_by_test_id("count-region-institutions")).to_have_text("2")
    assert fits(page)
    shot(page, "authority-zh-1440")
    approvals.get_by_role("link", name=f"张同事 · {program.title}").click()
    expect(page).to_have_url(f"{base}/exchanges/applications/{app.pk}/approve/")
