"""A real browser through the web UI: the 三河市 authority edits its school and meets the
masking of personal data (Playwright driving Debian's Chromium against ``live_server``)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from xietong.accounts.models import Role
from xietong.conftest import PASSWORD, make_institution, make_staff, make_user, region
from xietong.core.compile_messages import compile_all

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test
# itself (setting up and checking data) are still plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]


def _empty_the_audit_log_for_the_flush() -> None:
    """Let the flush after a transactional test pass the append-only triggers.

    PostgreSQL's flush truncates (allowed in tests, see xietong/conftest.py); SQLite's
    deletes, which its row triggers
    refuse. Empty the table with the triggers lifted, then put them back: a DELETE of
    no rows fires no row trigger.
    """
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    from xietong.accounts import triggers

    with connection.cursor() as cursor:
        for sql in triggers.SQLITE_DROP:
            cursor.execute(sql)
        cursor.execute("DELETE FROM accounts_auditevent")
        for sql in triggers.SQLITE:
            cursor.execute(sql)


@pytest.fixture
def people(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[dict[str, Any]]:
    """The part of the shared cast this journey needs, in a transactional database."""
    tongzhou = make_institution("Tongzhou No. 1", "110112", school_code="2111012345")
    sanhe = make_institution(
        "Sanhe Experimental", "131082", school_code="2113012345", address="三河市迎宾路 1 号"
    )
    make_institution("Sanhe No. 2 Primary", "131082")
    yield {
        "sanhe_school": sanhe,
        "beijing_teacher": make_staff("王北京", tongzhou, 1),
        "sanhe_teacher": make_staff("李三河", sanhe, 2, male=False),
        "sanhe": make_user("sanhe", Role.AUTHORITY_ADMIN, region=region("131082")),
    }
    _empty_the_audit_log_for_the_flush()


@pytest.fixture
def page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        context.set_default_timeout(10_000)
        yield context.new_page()
        browser.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"journey-{name}.png"), full_page=True)


def test_it_takes_the_sanhe_authority_through_editing_a_school_and_masked_personal_data(
    live_server: Any, people: dict[str, Any], page: Any
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    school = people["sanhe_school"]
    bj, own = people["beijing_teacher"], people["sanhe_teacher"]

    # Sign in through the form.
    page.goto(f"{base}/accounts/login/")
    shot(page, "01-sign-in")
    page.fill("#id_username", "sanhe")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_contain_text("欢迎")
    shot(page, "02-home")

    # Find the school in the institution list: the search filters the table in place.
    page.locator(".xt-nav-link", has_text="单位").click()
    expect(page.locator("h1")).to_have_text("单位")
    page.fill("#id_q", "Experimental")
    results = page.locator("#results")
    expect(results).not_to_contain_text("Tongzhou No. 1")
    expect(results).not_to_contain_text("Sanhe No. 2 Primary")
    expect(page).to_have_url(re.compile(r"q=Experimental"))
    shot(page, "03-institutions-filtered")

    # Open it and edit the address.
    results.get_by_role("link", name="Sanhe Experimental").click()
    expect(page.locator("h1")).to_have_text("Sanhe Experimental")
    shot(page, "04-institution")
    page.get_by_role("link", name="编辑").first.click()
    page.fill("#id_address", "三河市迎宾路 99 号")
    shot(page, "05-institution-edit")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator(".alert-success")).to_contain_text("修改已保存")
    expect(page.get_by_test_id("institution-address")).to_have_text("三河市迎宾路 99 号")
    shot(page, "06-institution-saved")
    school.refresh_from_db()
    assert school.address == "三河市迎宾路 99 号"

    # A Beijing teacher no exchange shows to 三河: outside its region, not found at all
    # (decision 0001, minimum necessary) — neither the record nor its masked numbers.
    response = page.goto(f"{base}/institutions/staff/{bj.pk}/")
    assert response is not None and response.status == 404
    assert bj.masked_id_number not in page.content()
    assert bj.id_number not in page.content()
    assert bj.phone not in page.content()
    shot(page, "07-staff-outside-scope")

    # Its own teacher: the audited reveal swaps in the full number.
    page.goto(f"{base}/institutions/staff/{own.pk}/")
    assert own.id_number not in page.content()
    page.get_by_test_id("reveal").click()
    expect(page.get_by_test_id("id-number")).to_have_text(own.id_number)
    expect(page.get_by_test_id("phone")).to_have_text(own.phone)
    shot(page, "08-staff-revealed")
