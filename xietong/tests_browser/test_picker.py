"""A 河北省 authority admin picks a far-away county's school through the picker.

Six hundred schools in 石家庄市长安区 come first in the registry's order, so a ``<select>``
cut at 500 rows would never have shown the 赤城县 school. The admin adds a host offer there,
once with JavaScript (the typeahead, then the mentor picker narrowed to the chosen host)
and once without (the search button shows the matches as choices). Screenshots go to
``test-artifacts/pickers/``.
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
from xietong.exchanges.choices import ProgramStatus
from xietong.exchanges.models import HostOffer
from xietong.institutions.models import Institution
from xietong.institutions.selectors import InstitutionFilters, institutions_for
from xietong.tests_browser.test_journey import CHROMIUM, _empty_the_audit_log_for_the_flush

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pickers"
OLD_CAP = 500  # the rows a capped <select> used to offer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]


@pytest.fixture
def world(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[dict[str, Any]]:
    bureau = make_institution("河北省教育厅", "130000", kind="authority", stages="")
    changan = region("130102")
    Institution.objects.bulk_create(
        Institution(
            name=f"石家庄市长安区第{i:03d}小学",
            kind="primary",
            region=changan,
            region_path=changan.path,
            stages=",primary,",
        )
        for i in range(600)
    )
    target = make_institution("赤城县龙关镇中心小学", "130732")
    mentor = make_staff("赵赤城", target, 7, title="senior")
    make_staff("钱长安", Institution.objects.filter(region=changan).first(), 8)
    user = make_user("hebei", Role.AUTHORITY_ADMIN, region=region("130000"))
    hebei = actor_for(user)
    first = institutions_for(hebei, InstitutionFilters(mine=True)).values_list("pk", flat=True)
    assert target.pk not in set(first[:OLD_CAP])  # a capped select would have hidden it
    now = timezone.now()
    program = services.create_program(
        hebei,
        {
            "kind": "teaching_support",
            "organiser": bureau.pk,
            "region": "130000",
            "title": "河北省城乡教师交流支教",
            "school_year": "2024-2025",
            "term": 2,
            "starts_on": dt.date(2025, 3, 3),
            "ends_on": dt.date(2025, 6, 27),
            "duration_weeks": 17,
            "max_choices": 2,
            "opens_at": timezone.make_aware(dt.datetime(2025, 3, 3, 9)) - dt.timedelta(days=60),
            # (it opened before the program, and is still open: applying is tested today)
            "closes_at": now + dt.timedelta(days=14),
        },
    )
    services.set_program_status(hebei, program.pk, ProgramStatus.OPEN)
    yield {"program": program, "target": target, "mentor": mentor}
    _empty_the_audit_log_for_the_flush()


def _signed_in(browser: Any, base: str, *, javascript: bool = True) -> Any:
    context = browser.new_context(
        viewport={"width": 1300, "height": 900}, locale="zh-CN", java_script_enabled=javascript
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "hebei")
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/")
    return page


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _fill_slot_and_submit(page: Any) -> None:
    page.select_option("#id_stage_0", "primary")
    page.select_option("#id_subject_0", label="数学")  # the subject code table
    page.fill("#id_capacity_0", "2")
    page.locator("main form button.btn-primary[type=submit]").click()


def test_it_lets_a_hebei_admin_pick_a_far_county_school_by_typing(
    live_server: Any, world: dict[str, Any], browser: Any
) -> None:
    from playwright.sync_api import expect

    program, target, mentor = world["program"], world["target"], world["mentor"]
    page = _signed_in(browser, live_server.url)
    page.goto(f"{live_server.url}/exchanges/{program.pk}/offers/new/")
    expect(page.locator("#id_host")).to_be_hidden()  # the typeahead stands in for the select
    page.locator("input[name=host__q]").fill("龙关")
    option = page.locator("[role=option]", has_text="赤城县龙关镇中心小学")
    expect(option).to_have_count(1)
    _shot(page, "01-typeahead-host")
    option.click()
    expect(page.locator("#id_host")).to_have_value(str(target.pk))
    # The mentor field is reloaded for the chosen host; its picker searches that school only.
    mentor_search = page.locator("#mentor-field input[name=mentor__q]")
    expect(mentor_search).to_be_visible()
    mentor_picker = page.locator("#mentor-field [data-xt-picker]")
    expect(mentor_picker).to_have_attribute("data-url", f"/pickers/staff/?institution={target.pk}")
    expect(mentor_picker).to_have_attribute("data-xt-ready", "1")
    mentor_search.fill("赵")
    page.locator("#mentor-field [role=option]", has_text="赵赤城").click()
    expect(page.locator("#id_mentor")).to_have_value(str(mentor.pk))
    _shot(page, "02-host-and-mentor-chosen")
    _fill_slot_and_submit(page)
    expect(page.locator(".alert-success")).to_be_visible()
    _shot(page, "03-offer-added")
    offer = HostOffer.objects.get(program=program)
    assert (offer.host_id, offer.mentor_id) == (target.pk, mentor.pk)
    # The staff list's filter bar takes the same picker; the list narrows to that school.
    page.goto(f"{live_server.url}/institutions/staff/")
    page.locator("input[name=institution__q]").fill("龙关")
    page.locator("[role=option]", has_text="赤城县龙关镇中心小学").click()
    expect(page).to_have_url(re.compile(rf"\?institution={target.pk}&page_size=20$"))
    expect(page.get_by_test_id("staff-table")).not_to_contain_text("钱长安")
    expect(page.get_by_test_id("staff-table")).to_contain_text("赵赤城")
    _shot(page, "05-staff-filtered-by-picker")


def test_it_lets_a_hebei_admin_pick_a_far_county_school_without_javascript(
    live_server: Any, world: dict[str, Any], browser: Any
) -> None:
    from playwright.sync_api import expect

    program, target = world["program"], world["target"]
    page = _signed_in(browser, live_server.url, javascript=False)
    page.goto(f"{live_server.url}/exchanges/{program.pk}/offers/new/")
    page.locator("input[name=host__q]").fill("赤城")
    page.locator("button[name=_pick][value=host]").click()
    expect(page.locator("#id_host option", has_text="赤城县龙关镇中心小学")).to_have_count(1)
    assert not HostOffer.objects.exists()  # a search writes nothing
    page.select_option("#id_host", str(target.pk))
    _shot(page, "04-no-js-matches")
    _fill_slot_and_submit(page)
    expect(page.locator(".alert-success")).to_be_visible()
    assert HostOffer.objects.get(program=program).host_id == target.pk
