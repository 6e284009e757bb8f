"""/api/accounts: me, my tokens, users and roles (security admin), the audit log (auditor)."""

from __future__ import annotations

import pytest

from xietong.accounts.models import ApiToken, AuditEvent, Role, RoleAssignment, User
from xietong.api_tests.conftest import assert_error

NEW_USER = {"username": "wang", "display_name": "王老师", "password": "Long-enough-2025"}


def test_it_tells_me_who_i_am(api, cast):
    body = api.get("/api/accounts/me", as_="teacher").json()
    assert body["username"] == "teacher"
    assert body["staff_id"] == cast.sanhe_teacher.pk
    assert [r["role"] for r in body["roles"]] == ["staff"]
    assert api.get("/api/accounts/me", as_="nobody").json()["roles"] == []


def test_it_creates_lists_and_revokes_my_tokens(api, cast):
    created = api.post("/api/accounts/tokens", {"name": "laptop", "days": 30}, as_="sanhe")
    assert created.status_code == 201, created.content
    token = created.json()
    assert token["token"].startswith("xt_") and token["prefix"] == token["token"][:8]
    listed = api.get("/api/accounts/tokens", as_="sanhe").json()
    assert {t["name"] for t in listed} == {"laptop", "api tests"}
    assert all("token" not in t for t in listed)  # the plain text is shown once only
    assert api.delete(f"/api/accounts/tokens/{token['id']}", as_="sanhe").status_code == 204
    me = api.get("/api/accounts/me", headers={"Authorization": f"Bearer {token['token']}"})
    assert_error(me, 401, "unauthenticated")


def test_it_does_not_let_me_revoke_someone_elses_token(api, cast):
    other = api.post("/api/accounts/tokens", {"name": "theirs"}, as_="beijing").json()
    assert_error(api.delete(f"/api/accounts/tokens/{other['id']}", as_="sanhe"), 404)
    assert ApiToken.objects.get(pk=other["id"]).revoked_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"name": "x", "days": 0}, "days"),
        ({"name": "x", "days": 367}, "days"),
        ({"name": "x", "scope": "all"}, "scope"),
    ],
    ids=["empty-name", "long-name", "zero-days", "too-many-days", "unknown-field"],
)
def test_it_refuses_a_bad_token_request(api, body, field):
    error = assert_error(api.post("/api/accounts/tokens", body, as_="sanhe"), 422)
    assert field in error["fields"]


# --- users and roles --------------------------------------------------------------------


@pytest.mark.parametrize("user", ["sysadmin", "auditor", "beijing", "nobody"])
def test_it_lets_only_the_security_admin_manage_users(api, cast, user):
    assert_error(api.get("/api/accounts/users", as_=user), 403, "forbidden")
    assert_error(api.post("/api/accounts/users", NEW_USER, as_=user), 403, "forbidden")
    path = f"/api/accounts/users/{cast.users['nobody'].pk}/roles"
    assert_error(api.post(path, {"role": "auditor"}, as_=user), 403, "forbidden")
    assert not User.objects.filter(username="wang").exists()


def test_it_lets_the_security_admin_create_a_user_and_grant_a_scoped_role(api, cast):
    created = api.post("/api/accounts/users", NEW_USER, as_="secadmin")
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    granted = api.post(
        f"/api/accounts/users/{user_id}/roles",
        {"role": "authority_viewer", "region": "131000"},
        as_="secadmin",
    )
    assert granted.status_code == 201, granted.content
    assert granted.json()["roles"][0] | {"id": None} == {
        "id": None,
        "role": "authority_viewer",
        "region_code": "131000",
        "institution_id": None,
    }
    listed = api.get("/api/accounts/users", {"q": "wang"}, as_="secadmin").json()
    assert [u["username"] for u in listed] == ["wang"]
    role_id = granted.json()["roles"][0]["id"]
    assert api.delete(f"/api/accounts/roles/{role_id}", as_="secadmin").status_code == 204
    assert not RoleAssignment.objects.filter(user_id=user_id).exists()


def test_it_refuses_a_weak_password_or_a_taken_user_name(api):
    weak = assert_error(
        api.post("/api/accounts/users", {**NEW_USER, "password": "12345678"}, as_="secadmin"), 422
    )
    assert "password" in weak["fields"]
    taken = assert_error(
        api.post("/api/accounts/users", {**NEW_USER, "username": "sanhe"}, as_="secadmin"), 422
    )
    assert "username" in taken["fields"]
    assert not User.objects.filter(username="wang").exists()


def test_it_refuses_a_second_separated_role_with_409(api, cast):
    path = f"/api/accounts/users/{cast.users['sysadmin'].pk}/roles"
    error = assert_error(api.post(path, {"role": "auditor"}, as_="secadmin"), 409, "conflict")
    assert error["message"]
    assert list(cast.users["sysadmin"].roles.values_list("role", flat=True)) == ["system_admin"]


def test_it_refuses_the_security_admin_a_change_of_their_own_roles(api, cast):
    path = f"/api/accounts/users/{cast.users['secadmin'].pk}/roles"
    assert_error(
        api.post(path, {"role": "authority_admin", "region": "110000"}, as_="secadmin"), 403
    )
    own = RoleAssignment.objects.get(user=cast.users["secadmin"])
    assert_error(api.delete(f"/api/accounts/roles/{own.pk}", as_="secadmin"), 403)
    assert RoleAssignment.objects.filter(user=cast.users["secadmin"]).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "emperor"}, "role"),
        ({"role": "authority_admin"}, "region"),
        ({"role": "authority_admin", "region": "999999"}, "region"),
        ({"role": "institution_admin"}, "institution"),
        ({"role": "institution_admin", "institution": 999999}, "institution"),
        ({"role": "staff"}, "role"),
        ({"role": "auditor", "region": "110000"}, "region"),
        ({"role": "authority_viewer", "region": "110000", "institution": 1}, "institution"),
    ],
    ids=[
        "unknown-role",
        "authority-without-region",
        "unknown-region",
        "institution-admin-without-institution",
        "unknown-institution",
        "staff-without-staff-record",
        "auditor-with-region",
        "authority-with-institution",
    ],
)
def test_it_refuses_a_role_whose_scope_does_not_match(api, cast, body, field):
    path = f"/api/accounts/users/{cast.users['nobody'].pk}/roles"
    error = assert_error(api.post(path, body, as_="secadmin"), 422)
    assert field in error["fields"], error
    assert not RoleAssignment.objects.filter(user=cast.users["nobody"]).exists()


def test_it_unlocks_an_account(api, cast):
    from django.utils import timezone

    User.objects.filter(username="sanhe").update(locked_until=timezone.now().replace(year=2999))
    body = api.post(f"/api/accounts/users/{cast.users['sanhe'].pk}/unlock", as_="secadmin").json()
    assert body["locked"] is False
    assert_error(api.post("/api/accounts/users/999999/unlock", as_="secadmin"), 404)


# --- the audit log ----------------------------------------------------------------------


@pytest.mark.parametrize("user", ["secadmin", "sysadmin", "beijing", "nobody"])
def test_it_lets_only_the_auditor_read_the_audit_log(api, user):
    assert_error(api.get("/api/accounts/audit", as_=user), 403, "forbidden")
    assert_error(api.get("/api/accounts/audit/verify", as_=user), 403, "forbidden")


def test_it_shows_the_auditor_the_log_filtered_and_paged(api, cast):
    api.get(f"/api/staff/{cast.sanhe_teacher.pk}/personal-data", as_="sanhe")
    body = api.get("/api/accounts/audit", {"action": "personal_data.read"}, as_="auditor").json()
    assert len(body["items"]) == 1 and body["next_cursor"] is None
    event = body["items"][0]
    assert (event["action"], event["actor_name"], event["object_id"]) == (
        "personal_data.read",
        "sanhe",
        str(cast.sanhe_teacher.pk),
    )
    seen, cursor = [], ""
    while True:
        page = api.get("/api/accounts/audit", {"page_size": 20, "cursor": cursor}, as_="auditor")
        page = page.json()
        seen += [e["id"] for e in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert len(seen) == AuditEvent.objects.count() >= 3  # tokens and the read
    assert seen == sorted(seen, reverse=True)  # newest first


def test_it_verifies_the_audit_chain_for_the_auditor(api, cast):
    api.get(f"/api/staff/{cast.sanhe_teacher.pk}/personal-data", as_="sanhe")
    body = api.get("/api/accounts/audit/verify", as_="auditor").json()
    assert body == {"ok": True, "checked": AuditEvent.objects.count(), "problems": []}
    assert body["checked"] >= 3


def test_it_shows_the_security_admin_each_users_roles_with_their_scope(api, cast):
    users = {u["username"]: u for u in api.get("/api/accounts/users", as_="secadmin").json()}
    assert [r["role"] for r in users["school_admin"]["roles"]] == [Role.INSTITUTION_ADMIN]
    assert users["school_admin"]["roles"][0]["institution_id"] == cast.sanhe_school.pk
    assert users["nobody"]["roles"] == []
