"""Sign-in and sign-out, my account (password, API tokens), users and roles, the audit log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xietong.accounts.models import ApiToken, AuditEvent, RoleAssignment, User
from xietong.conftest import PASSWORD
from xietong.core.compile_messages import compile_all

compile_all()  # the Chinese catalog (normally compiled by `make setup`)

LOGIN = reverse("accounts:login")
ACCOUNT = reverse("accounts:account")
USERS = reverse("accounts:users")
AUDIT = reverse("accounts:audit")


def html_of(response) -> str:
    return response.content.decode()


def login(client, cast, username: str):
    client.force_login(cast.users[username])
    return client


# --- signing in and out ------------------------------------------------------------------


def test_it_signs_in_through_the_form_and_goes_home(client, cast):
    assert "登录" in html_of(client.get(LOGIN))
    response = client.post(LOGIN, {"username": "sanhe", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("workbench:home")
    assert client.get(reverse("workbench:home")).status_code == 200


def test_it_returns_to_the_page_asked_for_but_never_to_another_site(client, cast):
    response = client.post(
        LOGIN, {"username": "sanhe", "password": PASSWORD, "next": "/institutions/"}
    )
    assert response["Location"] == "/institutions/"
    client.logout()
    response = client.post(
        LOGIN, {"username": "sanhe", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("workbench:home")


def test_it_refuses_a_wrong_password_with_a_specific_chinese_message(client, cast):
    response = client.post(LOGIN, {"username": "sanhe", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确，或账户因多次登录失败已被暂时锁定。" in html_of(response)
    assert "_auth_user_id" not in client.session


def test_it_answers_a_locked_account_as_it_answers_an_unknown_user(client, cast):
    for _ in range(5):
        client.post(LOGIN, {"username": "sanhe", "password": "wrong"})
    locked = html_of(client.post(LOGIN, {"username": "sanhe", "password": PASSWORD}))
    unknown = html_of(client.post(LOGIN, {"username": "no-such-user", "password": PASSWORD}))
    message = "用户名或密码不正确，或账户因多次登录失败已被暂时锁定。"
    assert message in locked and message in unknown
    assert "_auth_user_id" not in client.session


def test_it_shows_missing_credentials_inline(client, db):
    html = html_of(client.post(LOGIN, {"username": "", "password": ""}))
    assert "此字段为必填项。" in html and 'id="id_username_errors"' in html


def test_it_signs_out_only_by_post(client, cast):
    client = login(client, cast, "sanhe")
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert client.get(reverse("workbench:home")).status_code == 302


def test_it_switches_the_sign_in_page_to_english(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": LOGIN})
    html = html_of(client.get(LOGIN))
    assert "Sign in" in html and "User name" in html and "用户名" not in html


# --- my account --------------------------------------------------------------------------


def test_it_shows_my_roles_with_their_scope(client, cast):
    html = html_of(login(client, cast, "school_admin").get(ACCOUNT))
    assert "单位管理员" in html and cast.sanhe_school.name in html


def test_it_shows_a_wrong_current_password_inline_and_keeps_the_password(client, cast):
    client = login(client, cast, "sanhe")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "password": "Brand-new-pass-77", "password2": "Brand-new-pass-77"},
    )
    assert response.status_code == 422
    assert "当前密码不正确。" in html_of(response)
    assert User.objects.get(username="sanhe").check_password(PASSWORD)


def test_it_shows_a_weak_new_password_inline(client, cast):
    response = login(client, cast, "sanhe").post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "password": "abc", "password2": "abc"},
    )
    html = html_of(response)
    assert 'id="id_password_errors"' in html and "密码必须同时包含字母和数字。" in html


def test_it_changes_the_password_and_keeps_me_signed_in(client, cast):
    client = login(client, cast, "sanhe")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "password": "Brand-new-pass-77",
            "password2": "Brand-new-pass-77",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="sanhe").check_password("Brand-new-pass-77")
    assert client.get(ACCOUNT).status_code == 200


def test_it_shows_a_new_api_token_once_and_then_only_its_prefix(client, cast):
    client = login(client, cast, "sanhe")
    response = client.post(reverse("accounts:token_create"), {"name": "花名册导入", "days": 30})
    html = html_of(response)
    token = ApiToken.objects.get(name="花名册导入")
    plain = html.split('id="plain-token">')[1].split("<")[0].strip()
    assert plain.startswith(token.prefix) and len(plain) > 20
    assert response["Cache-Control"] == "no-store"
    later = html_of(client.get(ACCOUNT))
    assert plain not in later and f"{token.prefix}…" in later


def test_it_refuses_an_out_of_range_token_lifetime_inline(client, cast):
    response = login(client, cast, "sanhe").post(
        reverse("accounts:token_create"), {"name": "x", "days": 999}
    )
    assert "令牌有效期为 1 至 365 天。" in html_of(response)
    assert not ApiToken.objects.exists()


def test_it_revokes_only_my_own_tokens(client, cast):
    client = login(client, cast, "sanhe")
    client.post(reverse("accounts:token_create"), {"name": "mine", "days": 30})
    token = ApiToken.objects.get(name="mine")
    other = login(client.__class__(), cast, "beijing")
    assert other.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


# --- security admin ------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["sanhe", "sysadmin", "auditor", "nobody"])
def test_it_refuses_the_user_pages_to_everyone_but_the_security_admin(client, cast, username):
    client = login(client, cast, username)
    assert client.get(USERS).status_code == 403
    assert client.get(reverse("accounts:user_create")).status_code == 403
    assert (
        client.get(reverse("accounts:user_detail", args=[cast.users["sanhe"].pk])).status_code
        == 403
    )
    assert (
        client.post(reverse("accounts:user_unlock", args=[cast.users["sanhe"].pk])).status_code
        == 403
    )


def test_it_lists_and_searches_users_with_their_roles(client, cast):
    client = login(client, cast, "secadmin")
    html = html_of(client.get(USERS))
    assert "school_admin" in html and "单位管理员" in html
    html = html_of(client.get(USERS, {"q": "sanhe"}))
    assert "sanhe" in html and "school_admin" not in html


def test_it_creates_an_account_and_shows_a_weak_password_inline(client, cast):
    client = login(client, cast, "secadmin")
    url = reverse("accounts:user_create")
    response = client.post(url, {"username": "zhang", "display_name": "张老师", "password": "123"})
    assert 'id="id_password_errors"' in html_of(response)
    assert not User.objects.filter(username="zhang").exists()
    response = client.post(
        url, {"username": "zhang", "display_name": "张老师", "password": "Zhang-pass-2025"}
    )
    user = User.objects.get(username="zhang")
    assert response["Location"] == reverse("accounts:user_detail", args=[user.pk])


def test_it_grants_and_revokes_a_scoped_role(client, cast):
    client = login(client, cast, "secadmin")
    nobody = cast.users["nobody"]
    grant = reverse("accounts:role_grant", args=[nobody.pk])
    response = client.post(grant, {"role": "authority_viewer", "region": "999999"})
    assert "未知的地区代码：999999" in html_of(response)
    assert 'id="id_region_errors"' in html_of(response)
    response = client.post(grant, {"role": "authority_viewer", "region": "131082"})
    assert response.status_code == 302
    ra = RoleAssignment.objects.get(user=nobody)
    html = html_of(client.get(reverse("accounts:user_detail", args=[nobody.pk])))
    assert "教育行政部门查看员" in html and "三河市" in html
    client.post(reverse("accounts:role_revoke", args=[nobody.pk, ra.pk]))
    assert not RoleAssignment.objects.filter(user=nobody).exists()


def test_it_keeps_the_three_separated_roles_apart_with_a_message(client, cast):
    client = login(client, cast, "secadmin")
    auditor = cast.users["auditor"]
    response = client.post(
        reverse("accounts:role_grant", args=[auditor.pk]), {"role": "system_admin"}
    )
    assert "安全管理员和安全审计员不得兼任其他角色" in html_of(response)
    assert not auditor.roles.filter(role="system_admin").exists()


def test_it_refuses_to_change_the_security_admins_own_account(client, cast):
    client = login(client, cast, "secadmin")
    me = cast.users["secadmin"]
    response = client.post(
        reverse("accounts:user_active", args=[me.pk]), {"active": "0"}, follow=True
    )
    assert "不能停用您自己的账户。" in html_of(response)
    assert User.objects.get(pk=me.pk).is_active


def test_it_unlocks_and_deactivates_an_account(client, cast):
    for _ in range(5):
        client.post(LOGIN, {"username": "sanhe", "password": "wrong"})
    sanhe = User.objects.get(username="sanhe")
    assert sanhe.is_locked
    client = login(client, cast, "secadmin")
    assert "已锁定" in html_of(client.get(USERS))
    client.post(reverse("accounts:user_unlock", args=[sanhe.pk]))
    assert not User.objects.get(pk=sanhe.pk).is_locked
    client.post(reverse("accounts:user_active", args=[sanhe.pk]), {"active": "0"})
    assert not User.objects.get(pk=sanhe.pk).is_active


def test_it_answers_a_forged_user_id_with_404(client, cast):
    client = login(client, cast, "secadmin")
    assert client.get(reverse("accounts:user_detail", args=[999999])).status_code == 404


# --- auditor -----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["secadmin", "sysadmin", "sanhe"])
def test_it_refuses_the_audit_log_to_everyone_but_the_auditor(client, cast, username):
    client = login(client, cast, username)
    assert client.get(AUDIT).status_code == 403
    assert client.post(AUDIT, {"verify": "1"}).status_code == 403


def test_it_shows_the_audit_log_filtered_and_verifies_the_chain(client, cast):
    login(client, cast, "secadmin").post(
        reverse("accounts:role_grant", args=[cast.users["nobody"].pk]),
        {"role": "authority_viewer", "region": "131082"},
    )
    client = login(client, cast, "auditor")
    row = '<span class="xt-mono">role.assign</span>'  # an event's row, not the filter's option
    html = html_of(client.get(AUDIT))
    assert row in html and "nobody" in html
    html = html_of(client.get(AUDIT, {"action": "user.create"}))
    assert row not in html
    html = html_of(client.post(AUDIT, {"verify": "1"}))
    assert 'data-testid="verify-result"' in html and "哈希链完好" in html
    assert AuditEvent.objects.count() >= 1


def test_the_security_admin_grants_an_institution_role_through_a_picker_by_name(client, cast):
    client = login(client, cast, "secadmin")
    nobody = cast.users["nobody"]
    grant = reverse("accounts:role_grant", args=[nobody.pk])
    # Without JavaScript the search button sends the form back with the matches offered.
    response = client.post(
        grant,
        {"role": "institution_admin", "institution__q": "Sanhe", "_pick": "institution"},
    )
    page = html_of(response)
    assert f'value="{cast.sanhe_school.pk}"' in page
    assert f"Sanhe Experimental · {cast.sanhe_school.school_code}" in page
    assert not RoleAssignment.objects.filter(user=nobody).exists()
    response = client.post(
        grant, {"role": "institution_admin", "institution": cast.sanhe_school.pk}
    )
    assert response.status_code == 302
    html = html_of(client.get(reverse("accounts:user_detail", args=[nobody.pk])))
    assert "Sanhe Experimental" in html
