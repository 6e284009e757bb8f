"""A real browser through teacher training, on the demo's named entities: the admin of
北京教育学院 opens a program (two sessions held at 北京四中雄安校区), the demo teacher of
八十中容东分校 (雄安新区) enrolls, the provider ticks her present at every session and
completes the program, her certificate is issued, its public verification page verifies
(and an altered number is refused), and the hours show on her training record. Pages are
shot in Chinese, and two in English, to ``test-artifacts/training/``."""

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

from xietong.accounts.models import User
from xietong.core.compile_messages import compile_all
from xietong.demo import named
from xietong.tests_browser.test_journey import CHROMIUM, _empty_the_audit_log_for_the_flush
from xietong.training.choices import EnrollmentStatus
from xietong.training.models import Certificate, Enrollment, Program
from xietong.training.services import programs

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "training"
TITLE = "雄安新区中学数学骨干教师研修班（2026年冬季）"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]


@pytest.fixture
def draft(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[Program]:
    """The demo's named entities and sign-ins — among them ``bie_admin``, an admin of
    北京教育学院 — and her draft program of 24 hours, whose two sessions were held in the
    last days."""
    call_command("demo", "--scale", "0", stdout=io.StringIO(), stderr=io.StringIO())
    admin = User.objects.get(username="bie_admin")
    bie = named.institution("bie")
    from xietong.access import actor_for

    keeper = actor_for(admin)
    today = timezone.localdate()
    program = programs.create_program(
        keeper,
        programs.ProgramIn(
            title=TITLE,
            description="面向雄安新区中学数学教师：新课标下的单元整体教学设计与课例研磨。",
            hours=24,
            capacity=40,
            applications_open=today - dt.timedelta(days=7),
            applications_close=today + dt.timedelta(days=7),
            provider_id=bie.pk,
        ),
    )
    start = timezone.now().replace(hour=1, minute=0, second=0, microsecond=0)
    for i, topic in enumerate(("单元整体教学设计", "课例研磨与评课")):
        begins = start - dt.timedelta(days=2 - i)
        programs.add_session(
            keeper,
            program.pk,
            programs.SessionIn(
                starts_at=begins,
                ends_at=begins + dt.timedelta(hours=3),
                place="北京四中雄安校区 教师发展中心",
                trainer="北京教育学院 数学系",
                topic=topic,
            ),
        )
    yield program
    _empty_the_audit_log_for_the_flush()


class Person:
    """One sign-in (the demo password) in its own browser context."""

    def __init__(self, browser: Any, base: str, username: str, locale: str = "zh-CN") -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, locale=locale)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.page.on("dialog", lambda d: d.accept())
        self.page.goto(f"{base}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", settings.XIETONG_DEMO_PASSWORD)
        self.page.locator("form.xt-form button[type=submit]").click()
        self.page.wait_for_url(f"{base}/")

    def go(self, path: str) -> Any:
        self.page.goto(f"{self.base}{path}")
        return self.page

    def press(self, testid: str) -> None:
        """Click the button, and confirm the page's own question if it asks one."""
        from playwright.sync_api import TimeoutError as NoQuestion

        self.page.get_by_test_id(testid).click()
        ok = self.page.get_by_test_id("dialog-ok")
        try:
            ok.wait_for(state="visible", timeout=1500)
        except NoQuestion:  # the button asks nothing
            return
        ok.click()

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_xiongan_teacher_is_trained_certified_verified_and_credited(
    live_server: Any, draft: Program, browser: Any
) -> None:
    from playwright.sync_api import expect

    base, p = live_server.url, draft
    me = named.staff("bj80_rd_teacher")

    # 1. The provider opens the program for enrollment.
    provider = Person(browser, base, "bie_admin")
    page = provider.go(f"/training/{p.pk}/")
    provider.shot("01-draft-program")
    provider.press("open-program")
    expect(page.get_by_test_id("open-program")).to_have_count(0)
    p.refresh_from_db()
    assert p.status == "open"

    # 2. The teacher of 八十中容东分校 finds it and enrolls.
    teacher = Person(browser, base, "teacher")
    page = teacher.go("/training/?open_to_me=on")
    expect(page.get_by_test_id("program-table")).to_contain_text(TITLE)
    teacher.shot("02-catalogue-open-to-me")
    page.get_by_role("link", name=TITLE).click()
    teacher.press("enroll")
    expect(page.get_by_test_id("enrollment-status")).to_be_visible()
    teacher.shot("03-enrolled")
    row = Enrollment.objects.get(program=p, staff=me)
    assert row.status == EnrollmentStatus.ENROLLED

    # 3. The provider ticks her present at every session, then completes the program.
    page = provider.go(f"/training/{p.pk}/roster/")
    for s in p.sessions.order_by("starts_at"):
        page.get_by_test_id(f"mark-{s.pk}-{row.pk}").check()
        page.get_by_test_id(f"save-attendance-{s.pk}").click()
        page.wait_for_load_state()
    expect(page.get_by_test_id("rate")).to_contain_text("2/2")
    provider.shot("04-roster-attendance")
    page = provider.go(f"/training/{p.pk}/")
    provider.press("complete-program")
    expect(page.get_by_test_id("complete-program")).to_have_count(0)
    row.refresh_from_db()
    assert row.status == EnrollmentStatus.COMPLETED and row.hours_credited == 24
    page = provider.go(f"/training/{p.pk}/certificates/")
    expect(page.get_by_test_id("certificate-row")).to_have_count(1)
    provider.shot("05-certificates")
    c = Certificate.objects.get(enrollment=row)

    # 4. Her certificate's public page (the QR code's) verifies without a sign-in …
    stranger = browser.new_context(viewport={"width": 1000, "height": 800}, locale="zh-CN")
    public = stranger.new_page()
    public.goto(f"{base}/training/verify/{c.number}/")
    verdict = public.get_by_test_id("verification")
    expect(verdict).to_be_visible()
    expect(verdict).to_contain_text(TITLE)
    expect(public.get_by_test_id("holder")).not_to_contain_text(me.name)  # masked
    public.screenshot(path=str(ARTIFACTS / "06-verified.png"), full_page=True)
    # … and one altered character is refused.
    last = c.number[-1]
    altered = c.number[:-1] + ("A" if last != "A" else "B")
    got = public.goto(f"{base}/training/verify/{altered}/")
    assert got is not None and got.status == 404
    expect(public.get_by_test_id("verification")).not_to_contain_text(TITLE)
    public.screenshot(path=str(ARTIFACTS / "07-altered-refused.png"), full_page=True)
    stranger.close()

    # 5. The hours show on her training record (reached from the navigation).
    page = teacher.go("/")
    page.locator(".xt-nav-link", has_text="我的培训档案").click()
    page.wait_for_url(f"{base}/training/record/")
    lines = page.get_by_test_id("record-lines")
    expect(lines).to_contain_text(TITLE)
    expect(lines).to_contain_text(c.number)
    expect(page.get_by_test_id("record-by-type")).to_contain_text("24")
    teacher.shot("08-my-training-record")

    # 6. Her school's admin reaches it from her staff page.
    school = Person(browser, base, "rongdong_school")
    page = school.go(f"/institutions/staff/{me.pk}/")
    expect(page.get_by_test_id("staff-training-record")).to_be_visible()
    school.shot("09-staff-page-record")
    page.get_by_test_id("staff-record-link").click()
    expect(page.get_by_test_id("record-lines")).to_contain_text(TITLE)

    # 7. In English: her record and the verification page.
    english = Person(browser, base, "teacher", locale="en-US")
    _english(english)
    page = english.go("/training/record/")
    expect(page.get_by_role("heading", name="My training record")).to_be_visible()
    english.shot("10-my-training-record-en")
    page = english.go(f"/training/verify/{c.number}/")
    english.shot("11-verified-en")


def _english(person: Person) -> None:
    """Switch the signed-in person's language to English (Django's language cookie)."""
    person.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": person.base}]
    )
