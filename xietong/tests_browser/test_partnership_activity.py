"""A real browser: the admin of 三河市赵河沟小学 (``sanhe_school``) logs an activity with a
photo (PNG) and a PDF as evidence on its paired assistance with 北京学校, and the admin of
北京学校 (``beijing_school``) sees it, with both files, on the partnership's timeline and on
the school's own timeline. Then the network and gaps pages are shot, in Chinese and in
English, to ``test-artifacts/partnerships/``."""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from xietong.core.compile_messages import compile_all
from xietong.partnerships.models import Activity, Partnership
from xietong.tests_browser.test_journey import CHROMIUM, _empty_the_audit_log_for_the_flush

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "partnerships"
NAME = "北京学校—三河市赵河沟小学结对帮扶"
TITLE = "同步课堂：四年级数学《平移与旋转》"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x30\x80\xc0" * 8 for _ in range(8))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def demo(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[Partnership]:
    call_command("demo", "--scale", "0", stdout=io.StringIO(), stderr=io.StringIO())
    yield Partnership.objects.get(name=NAME)
    _empty_the_audit_log_for_the_flush()


class Person:
    def __init__(self, browser: Any, base: str, username: str, locale: str = "zh-CN") -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, locale=locale)
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


def test_a_sanhe_school_logs_an_activity_with_evidence_and_its_beijing_partner_sees_it(
    live_server: Any, demo: Partnership, browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    base, p = live_server.url, demo
    photo, pdf = tmp_path / "课堂照片.png", tmp_path / "活动记录.pdf"
    photo.write_bytes(png_bytes())
    pdf.write_bytes(PDF)

    sanhe = Person(browser, base, "sanhe_school")
    page = sanhe.go(f"/partnerships/{p.pk}/")
    page.get_by_test_id("log-activity").click()
    page.select_option("#id_kind", "remote_class")
    page.fill("#id_title", TITLE)
    page.fill("#id_occurred_on", "2025-10-15")
    page.fill("#id_location", "三河市赵河沟小学 录播教室")
    page.fill("#id_hours", "1.5")
    page.fill("#id_teachers", "4")
    page.fill("#id_students", "45")
    page.locator("input[name=institutions]").first.check()
    page.locator("input[name=institutions]").last.check()
    page.set_input_files("#id_evidence", [str(photo), str(pdf)])
    sanhe.shot("01-log-activity")
    page.locator("form.xt-form button[type=submit]").click()
    page.wait_for_url(f"{base}/partnerships/{p.pk}/")
    expect(page.get_by_test_id("activities-timeline")).to_contain_text(TITLE)
    sanhe.shot("02-timeline-sanhe")

    a = Activity.objects.get(title=TITLE)
    assert a.logged_for is not None and a.logged_for.institution.name == "三河市赵河沟小学"

    beijing = Person(browser, base, "beijing_school")
    page = beijing.go(f"/partnerships/{p.pk}/")
    timeline = page.get_by_test_id("activities-timeline")
    expect(timeline).to_contain_text(TITLE)
    expect(timeline.get_by_test_id("evidence")).to_contain_text("课堂照片.png")
    expect(timeline.get_by_test_id("evidence")).to_contain_text("活动记录.pdf")
    expect(page.get_by_test_id("log-activity")).to_be_visible()  # a member: it may log too
    beijing.shot("03-timeline-beijing")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("attachments")).to_contain_text("课堂照片.png")
    expect(page.get_by_test_id("edit-activity")).to_have_count(0)  # logged by the other side
    beijing.shot("04-activity-beijing")

    bj_school = a.institutions.get(name="北京学校")
    page = beijing.go(f"/institutions/{bj_school.pk}/")
    page.get_by_test_id("institution-activities").click()
    expect(page.get_by_test_id("institution-timeline")).to_contain_text(TITLE)
    beijing.shot("05-institution-timeline")


def test_the_network_and_gaps_pages_read_in_chinese_and_in_english(
    live_server: Any, demo: Partnership, browser: Any
) -> None:
    from playwright.sync_api import expect

    person = Person(browser, live_server.url, "hebei")
    for lang, words in (("zh-hans", "河北"), ("en", "Hebei schools")):
        page = person.go("/partnerships/network/?date=2025-11-30")
        if lang == "en":
            page.locator("button[name=language][value=en]").first.click()
            page = person.go("/partnerships/network/?date=2025-11-30")
        expect(page.get_by_test_id("cooperation-counts")).to_contain_text(words)
        expect(page.locator("#chart-network canvas")).to_have_count(1)
        person.shot(f"network-{lang}")
        page = person.go("/partnerships/network/gaps/?date=2025-11-30")
        expect(page.get_by_test_id("gap-counties")).to_be_visible()
        person.shot(f"gaps-{lang}")
