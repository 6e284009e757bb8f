"""A real browser: the journey of a shared resource from Beijing to a 三河市 classroom.

A teacher of 三河市赵河沟小学 (``sanhe_teacher``; the school is paired with
北京市东城区史家小学) types the pinyin initials "mssfk" in the catalogue's search box, finds
the Beijing school's famous-teacher course (名师示范课), opens it, records a lesson use in two
clicks (today, her last class), leaves feedback and a rating. The Beijing school's admin
(``shijia_admin``) then sees the use from 三河市赵河沟小学 on the provider view, and the
河北省 viewer (``hebei_viewer``) sees the flow from the Beijing school to the 三河市 school on
the flows page. Pages are shot in Chinese and English to ``test-artifacts/resources/``.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from xietong.accounts.models import Role, User
from xietong.conftest import Cast, make_institution, make_staff, make_user
from xietong.core.compile_messages import compile_all
from xietong.institutions.models import Institution
from xietong.partnerships.choices import MemberRole
from xietong.partnerships.tests.conftest import make_partnership
from xietong.resources import services
from xietong.resources.choices import ResourceKind, UseKind
from xietong.resources.models import Rating, Resource, Use
from xietong.resources.tests.conftest import make_resource, world  # noqa: F401  (the fixture)
from xietong.tests_browser.conftest import browser  # noqa: F401  (the fixture)
from xietong.tests_browser.test_journey import CHROMIUM, _empty_the_audit_log_for_the_flush
from xietong.tests_browser.test_partnership_activity import Person

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "resources"
COURSE = "小学数学名师示范课：分数的初步认识"
LAST_CLASS = "三年级（2）班"
FEEDBACK = "学生借助折纸理解了几分之一，课堂节奏很好。"
COMMENT = "示范课讲解清楚，练习设计适合乡村小学。"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]


@dataclass
class Journey:
    cast: Cast
    beijing: Institution
    sanhe: Institution
    course: Resource


@pytest.fixture
def journey(
    transactional_db: Any,
    django_db_serialized_rollback: Any,
    world: Cast,  # noqa: F811  (the fixture)
) -> Iterator[Journey]:
    """The Beijing school and its course, the paired 三河市 school and its teacher, who once
    taught with another course (her last class is ``LAST_CLASS``)."""
    users = world.users
    beijing = make_institution("北京市东城区史家小学", "110101", school_code="2111099001")
    sanhe = make_institution("三河市赵河沟小学", "131082", school_code="2113099001")
    users["shijia_admin"] = make_user("shijia_admin", Role.INSTITUTION_ADMIN, institution=beijing)
    make_staff("王名师", beijing, 31, honours=",backbone,", title="senior")
    users["sanhe_teacher"] = make_user("sanhe_teacher", Role.STAFF)
    make_staff("周晓梅", sanhe, 32, male=False, user=users["sanhe_teacher"])
    make_partnership(
        "史家小学—赵河沟小学结对帮扶",
        "131082",
        [(beijing, MemberRole.LEAD), (sanhe, MemberRole.SUPPORTED)],
    )
    course = make_resource(
        world,
        provider=beijing,
        keeper="shijia_admin",
        title=COURSE,
        description="北京市东城区数学名师主讲的三年级示范课，含课件、板书设计和课后练习。",
        stages="小学",
        grade="三年级",
    )
    make_resource(
        world,
        provider=beijing,
        keeper="shijia_admin",
        kind=ResourceKind.EXERCISES,
        title="小学数学练习：分数的大小比较",
        description="三年级分数单元的分层练习。",
        stages="小学",
    )
    earlier = make_resource(
        world,
        kind=ResourceKind.COURSEWARE,
        title="小学数学课件：认识周长",
        description="通州区教研员制作的周长单元课件。",
        stages="小学",
    )
    services.record_use(
        world.actor("sanhe_teacher"),
        earlier.pk,
        services.UseIn(kind=UseKind.LESSON, class_name=LAST_CLASS),
    )
    for user in User.objects.all():
        user.set_password(settings.XIETONG_DEMO_PASSWORD)
        user.save(update_fields=["password"])
    yield Journey(world, beijing, sanhe, course)
    _empty_the_audit_log_for_the_flush()


def _person(chromium: Any, base: str, username: str) -> Person:
    """Signed in; its steps wait up to 30 s (the machine may be busy with other runs)."""
    person = Person(chromium, base, username)
    person.context.set_default_timeout(30_000)
    return person


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _english(person: Person, base: str) -> None:
    person.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])


def test_a_sanhe_teacher_finds_a_beijing_course_by_initials_uses_it_and_the_flow_shows(
    live_server: Any,
    journey: Journey,
    browser: Any,  # noqa: F811  (the fixture)
) -> None:
    from playwright.sync_api import expect

    base, j = live_server.url, journey
    # The first request imports every URL and API module: wait for it here, not in a page.
    urllib.request.urlopen(f"{base}/accounts/login/", timeout=120).read()

    teacher = _person(browser, base, "sanhe_teacher")
    page = teacher.go("/resources/")
    page.fill("#id_q", "mssfk")
    page.press("#id_q", "Enter")
    rows = page.get_by_test_id("resource-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(COURSE)
    expect(rows.first).to_contain_text("北京市东城区史家小学")
    _shot(page, "01-catalogue-initials-zh")

    page.get_by_role("link", name=COURSE).click()
    page.wait_for_url(f"{base}/resources/{j.course.pk}/")
    quick = page.get_by_test_id("quick-use")
    expect(quick).to_contain_text(LAST_CLASS)
    _shot(page, "02-resource-zh")

    # Two clicks: the button, then "Confirm" in the dialog that names the day and class.
    quick.click()
    dialog = page.locator("#xt-confirm")
    expect(dialog).to_contain_text(LAST_CLASS)
    _shot(page, "03-confirm-zh")
    dialog.get_by_test_id("dialog-ok").click()
    page.wait_for_url(f"{base}/resources/{j.course.pk}/")
    expect(page.get_by_test_id("my-uses")).to_contain_text(LAST_CLASS)
    use = Use.objects.get(resource=j.course, kind=UseKind.LESSON)
    assert (use.class_name, use.used_on, use.institution_id) == (
        LAST_CLASS,
        timezone.localdate(),
        j.sanhe.pk,
    )

    page.fill("#fb_feedback", FEEDBACK)
    page.get_by_test_id("feedback-submit").click()
    page.wait_for_url(f"{base}/resources/{j.course.pk}/")
    expect(page.get_by_test_id("my-uses")).to_contain_text("反馈")
    assert Use.objects.get(resource=j.course, kind=UseKind.FEEDBACK).feedback == FEEDBACK

    form = page.get_by_test_id("rating-form")
    form.locator("input[name=stars][value='5']").check()
    form.locator("textarea[name=comment]").fill(COMMENT)
    page.get_by_test_id("rate-submit").click()
    page.wait_for_url(f"{base}/resources/{j.course.pk}/")
    expect(page.get_by_test_id("ratings")).to_contain_text(COMMENT)
    assert Rating.objects.get(resource=j.course).stars == 5
    _shot(page, "04-resource-used-zh")

    _english(teacher, base)
    page = teacher.go("/resources/?q=mssfk")
    expect(page.get_by_test_id("resource-row")).to_have_count(1)
    _shot(page, "01-catalogue-initials-en")
    page = teacher.go(f"/resources/{j.course.pk}/")
    expect(page.get_by_test_id("quick-use")).to_contain_text("Taught with it today")
    _shot(page, "04-resource-used-en")

    keeper = _person(browser, base, "shijia_admin")
    page = keeper.go("/resources/flows/provider/")
    page.wait_for_url(f"{base}/resources/flows/providers/{j.beijing.pk}/")
    page.wait_for_selector("#chart-terms[data-drawn]")
    expect(page.get_by_test_id("top-schools")).to_contain_text("三河市赵河沟小学")
    table = page.get_by_test_id("provider-resource-table")
    expect(table.locator("tr", has_text=COURSE)).to_contain_text("5.0")
    expect(page.get_by_test_id("provider-feedback")).to_contain_text(FEEDBACK)
    _shot(page, "05-provider-zh")
    _english(keeper, base)
    page = keeper.go(f"/resources/flows/providers/{j.beijing.pk}/")
    page.wait_for_selector("#chart-terms[data-drawn]")
    expect(page.get_by_test_id("top-schools")).to_contain_text("三河市赵河沟小学")
    _shot(page, "05-provider-en")

    viewer = _person(browser, base, "hebei_viewer")
    page = viewer.go("/resources/flows/?by=institution")
    page.wait_for_selector("#chart-flows[data-drawn]")
    rows = page.get_by_test_id("flow-row")
    expect(
        rows.filter(has_text="北京市东城区史家小学").filter(has_text="三河市赵河沟小学")
    ).to_have_count(1)
    _shot(page, "06-flows-zh")
    _english(viewer, base)
    page = viewer.go("/resources/flows/?by=institution")
    page.wait_for_selector("#chart-flows[data-drawn]")
    rows = page.get_by_test_id("flow-row")
    expect(
        rows.filter(has_text="北京市东城区史家小学").filter(has_text="三河市赵河沟小学")
    ).to_have_count(1)
    _shot(page, "06-flows-en")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_catalogue_reads_at_desk_and_phone_width(
    live_server: Any,
    journey: Journey,
    browser: Any,  # noqa: F811  (the fixture)
    lang: str,
) -> None:
    """The catalogue as ``sanhe_teacher`` at 1400 and 390 px: nothing runs off the page."""
    from playwright.sync_api import expect

    base = live_server.url
    urllib.request.urlopen(f"{base}/accounts/login/", timeout=120).read()
    teacher = _person(browser, base, "sanhe_teacher")
    teacher.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    for width, height in ((1400, 900), (390, 844)):
        page = teacher.page
        page.set_viewport_size({"width": width, "height": height})
        for query in ("", "?q=mssfk"):
            page = teacher.go(f"/resources/{query}")
            expect(page.get_by_test_id("resource-row").first).to_be_visible()
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            name = f"07-catalogue{'-search' if query else ''}-{width}-{lang[:2]}"
            _shot(page, name)
            assert overflow <= 0, (name, overflow)
        page = teacher.go(f"/resources/{journey.course.pk}/")
        _shot(page, f"08-resource-{width}-{lang[:2]}")
        assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
