"""The layout, the home page, the region browser, the language switch and the error pages."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from xietong.core.compile_messages import compile_all
from xietong.core.views import server_error

compile_all()  # the Chinese catalog (normally compiled by `make setup`)


def nav_labels(html: str) -> list[str]:
    return re.findall(r'class="xt-nav-link[^"]*"[^>]*>\s*<i[^>]*></i><span>([^<]+)</span>', html)


def test_it_sends_anonymous_visitors_to_the_sign_in_page(client, db):
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_greets_the_sanhe_authority_with_its_counts_and_role_in_chinese(client, cast):
    client.force_login(cast.users["sanhe"])
    html = client.get(reverse("workbench:home")).content.decode()
    assert 'lang="zh-Hans"' in html
    assert "京津冀教育协同平台" in html
    assert 'data-testid="count-region-institutions">1<' in html
    assert 'data-testid="count-region-staff">1<' in html
    assert "教育行政部门管理员" in html and "三河市" in html


def test_it_shows_the_auditor_no_registry_counts(client, cast):
    client.force_login(cast.users["auditor"])
    html = client.get(reverse("workbench:home")).content.decode()
    assert "count-institutions" not in html
    assert "安全审计员" in html


@pytest.mark.parametrize(
    ("username", "present", "absent"),
    [
        ("sanhe", ["单位", "教职工", "行政区划", "我的账户"], ["用户与角色", "审计日志"]),
        ("teacher", ["单位", "教职工", "我的账户"], ["用户与角色", "审计日志"]),
        ("secadmin", ["用户与角色", "我的账户"], ["单位", "教职工", "审计日志"]),
        ("auditor", ["审计日志", "我的账户"], ["单位", "教职工", "用户与角色"]),
        ("nobody", ["首页", "我的账户"], ["单位", "教职工", "用户与角色", "审计日志"]),
    ],
)
def test_it_lists_in_the_sidebar_only_the_pages_a_role_may_open(
    client, cast, username, present, absent
):
    client.force_login(cast.users[username])
    labels = nav_labels(client.get(reverse("workbench:home")).content.decode())
    for label in present:
        assert label in labels
    for label in absent:
        assert label not in labels


def test_it_marks_only_the_most_specific_sidebar_entry_active(client, cast):
    client.force_login(cast.users["sanhe"])
    html = client.get(reverse("institutions:staff_list")).content.decode()
    active = re.findall(r'class="xt-nav-link active"[^>]*>\s*<i[^>]*></i><span>([^<]+)<', html)
    assert active == ["教职工"]


def test_it_browses_the_provinces_and_the_region_groups_with_counts(client, cast):
    client.force_login(cast.users["sanhe"])
    html = client.get(reverse("regions:browser")).content.decode()
    for name in ("北京市", "天津市", "河北省", "雄安新区", "北三县"):
        assert name in html
    assert "?area=beisanxian" in html
    assert reverse("regions:region", args=["130000"]) in html


def test_it_browses_a_city_down_to_its_counties_linking_to_the_lists(client, cast):
    client.force_login(cast.users["sanhe"])
    html = client.get(reverse("regions:region", args=["131000"])).content.decode()
    assert "三河市" in html and "河北省" in html
    assert f"{reverse('institutions:list')}?area=131082" in html


def test_it_answers_an_unknown_region_with_a_styled_404(client, cast):
    client.force_login(cast.users["sanhe"])
    response = client.get(reverse("regions:region", args=["999999"]))
    assert response.status_code == 404
    assert "xt-sidebar" in response.content.decode()


def test_it_switches_the_whole_page_to_english(client, cast):
    client.force_login(cast.users["sanhe"])
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("workbench:home")).content.decode()
    assert 'lang="en"' in html
    assert "Beijing–Tianjin–Hebei Education Collaboration Platform" in html
    assert "Institutions in your region" in html
    assert "Authority administrator" in html
    assert "京津冀教育协同平台" not in html


def test_it_renders_a_styled_404_for_an_unknown_address(client, cast):
    client.force_login(cast.users["sanhe"])
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "xt-sidebar" in html and "Traceback" not in html


def test_it_renders_a_styled_403_with_the_reason(client, cast):
    client.force_login(cast.users["sanhe"])
    response = client.get(reverse("accounts:users"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html and "只有安全管理员可以管理账户。" in html


def test_it_renders_the_server_error_page_without_touching_the_database():
    request = RequestFactory().get("/")
    response = server_error(request)
    assert response.status_code == 500
    assert "服务器错误" in response.content.decode()
