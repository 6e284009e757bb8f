"""In a real browser: Tina attaches evidence to her mid-term report without JavaScript help,
downloads it under its Chinese name, and is told in Chinese why a renamed PDF is refused."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from xietong.attachments.models import Attachment
from xietong.attachments.tests import corpus as c
from xietong.conftest import PASSWORD
from xietong.core.compile_messages import compile_all
from xietong.tests_browser.test_journey import CHROMIUM, _empty_the_audit_log_for_the_flush

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "attachments"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]


def test_it_attaches_downloads_and_refuses_through_the_placement_page(
    transactional_db: Any,
    django_db_serialized_rollback: Any,  # the flush afterwards keeps the regions for the rest
    live_server: Any,
    ex: Any,
    placement: Any,
    teacher_report: Any,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(
                viewport={"width": 1400, "height": 1000}, locale="zh-CN", java_script_enabled=False
            )
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", "teacher")
            page.fill("#id_password", PASSWORD)
            page.locator("form button[type=submit]").last.click()
            page.goto(f"{base}/exchanges/placements/{placement.pk}/")
            form = page.get_by_test_id("attachment-upload")
            form.locator("input[type=file]").set_input_files(
                {"name": "期中小结.pdf", "mimeType": "application/pdf", "buffer": c.PDF}
            )
            form.locator("input[name=label]").fill("听课记录")
            form.locator("button[type=submit]").click()
            expect(page.locator(".alert-success")).to_contain_text("已附加“期中小结.pdf”")
            page.screenshot(path=str(ARTIFACTS / "01-attached-zh.png"), full_page=True)

            with page.expect_download() as info:
                page.get_by_test_id("attachment-link").click()
            download = info.value
            assert download.suggested_filename == "期中小结.pdf"
            assert Path(download.path()).read_bytes() == c.PDF

            form = page.get_by_test_id("attachment-upload")
            form.locator("input[type=file]").set_input_files(
                {"name": "照片.png", "mimeType": "image/png", "buffer": c.PDF}
            )
            form.locator("button[type=submit]").click()
            expect(page.locator(".alert-danger")).to_contain_text("文件名以 .png 结尾")
            page.screenshot(path=str(ARTIFACTS / "02-refused-zh.png"), full_page=True)
            browser.close()
        assert Attachment.objects.count() == 1
    finally:
        _empty_the_audit_log_for_the_flush()
