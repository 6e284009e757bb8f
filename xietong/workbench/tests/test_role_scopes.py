"""Roles are shown with their real scope: a teacher's is her own record, the security
admin's the accounts, the auditor's the audit log — "whole platform" only for the system
admin — in the header, on the workbench and on the account page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xietong.institutions.models import Staff


@pytest.mark.parametrize("page", ["workbench:home", "accounts:account"])
def test_it_shows_the_teachers_scope_as_her_own_record(client, cast, page):
    client.force_login(cast.users["teacher"])
    html = client.get(reverse(page)).content.decode()
    assert "本人档案：李三河，Sanhe Experimental" in html
    assert "全平台" not in html


@pytest.mark.parametrize(
    ("username", "scope"),
    [
        ("secadmin", "账户与角色"),
        ("auditor", "审计日志"),
        ("sysadmin", "全平台"),
        ("sanhe", "三河市"),
    ],
)
def test_it_names_the_scope_each_role_really_has(client, cast, username, scope):
    client.force_login(cast.users[username])
    html = client.get(reverse("workbench:home")).content.decode()
    assert f'data-testid="role-scope">{scope}<' in html
    header = html[html.index('class="xt-user-role') :][:200]
    assert scope in header


def test_it_says_when_no_staff_record_is_linked_to_a_staff_account(client, cast):
    Staff.objects.filter(user=cast.users["teacher"]).update(user=None)
    client.force_login(cast.users["teacher"])
    assert "尚未关联教职工档案" in client.get(reverse("accounts:account")).content.decode()


def test_it_shows_the_security_admin_each_accounts_scope_in_the_users_list(client, cast):
    client.force_login(cast.users["secadmin"])
    html = client.get(reverse("accounts:users")).content.decode()
    assert "本人档案：李三河" in html
