"""Signing in (lockout), the password policy, idle timeout, role rules and API tokens."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from xietong.accounts import services
from xietong.accounts.access import actor_for
from xietong.accounts.models import ApiToken, AuditEvent, Role, RoleAssignment, User
from xietong.conftest import PASSWORD
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def fail_sign_in(username="sanhe", times=1):
    for _ in range(times):
        with pytest.raises(services.SignInRefused):
            services.authenticate(username, "wrong password 1")


def user(username):
    return User.objects.get(username=username)


# --- lockout ----------------------------------------------------------------------------------


def test_it_signs_in_with_the_right_password_and_resets_the_failure_count(cast):
    fail_sign_in(times=2)
    assert user("sanhe").failed_logins == 2
    assert services.authenticate(" sanhe ", PASSWORD).username == "sanhe"
    assert (user("sanhe").failed_logins, user("sanhe").last_login is not None) == (0, True)


def test_it_refuses_unknown_and_deactivated_users_with_the_same_message(cast):
    with pytest.raises(services.SignInRefused) as unknown:
        services.authenticate("ghost", PASSWORD)
    User.objects.filter(username="sanhe").update(is_active=False)
    with pytest.raises(services.SignInRefused) as inactive:
        services.authenticate("sanhe", PASSWORD)
    with pytest.raises(services.SignInRefused) as wrong:
        services.authenticate("beijing", "wrong")
    assert str(unknown.value.message) == str(inactive.value.message) == str(wrong.value.message)
    assert unknown.value.status == 401


def test_it_counts_failures_even_though_each_sign_in_is_refused(cast):
    fail_sign_in(times=settings.XIETONG_MAX_FAILED_LOGINS - 1)
    assert user("sanhe").failed_logins == settings.XIETONG_MAX_FAILED_LOGINS - 1
    assert not user("sanhe").is_locked
    assert AuditEvent.objects.filter(action="auth.failed").count() == 4


def test_it_locks_the_account_after_too_many_failures(cast):
    fail_sign_in(times=settings.XIETONG_MAX_FAILED_LOGINS)
    locked = user("sanhe")
    assert locked.is_locked
    expected_until = timezone.now() + dt.timedelta(minutes=settings.XIETONG_LOCKOUT_MINUTES)
    assert abs(locked.locked_until - expected_until) < dt.timedelta(seconds=30)
    assert AuditEvent.objects.filter(action="auth.locked", object_id=str(locked.pk)).count() == 1


def test_it_refuses_a_locked_account_even_with_the_right_password(cast):
    fail_sign_in(times=settings.XIETONG_MAX_FAILED_LOGINS)
    with pytest.raises(services.SignInRefused) as refused:
        services.authenticate("sanhe", PASSWORD)
    assert "locked" in str(refused.value.message)
    assert not AuditEvent.objects.filter(action="auth.sign_in").exists()


def test_it_lets_the_security_admin_unlock_an_account(cast):
    fail_sign_in(times=settings.XIETONG_MAX_FAILED_LOGINS)
    services.unlock_user(cast.actor("secadmin"), cast.users["sanhe"].pk)
    assert not user("sanhe").is_locked
    assert services.authenticate("sanhe", PASSWORD)


@pytest.mark.parametrize("who", ["sysadmin", "auditor", "sanhe"])
def test_it_lets_nobody_else_unlock_an_account(cast, who):
    fail_sign_in("beijing", times=settings.XIETONG_MAX_FAILED_LOGINS)
    with pytest.raises(PermissionDenied):
        services.unlock_user(cast.actor(who), cast.users["beijing"].pk)
    assert user("beijing").is_locked


def test_it_lifts_the_lock_when_it_expires(cast):
    fail_sign_in(times=settings.XIETONG_MAX_FAILED_LOGINS)
    User.objects.filter(username="sanhe").update(
        locked_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert services.authenticate("sanhe", PASSWORD).username == "sanhe"
    assert user("sanhe").locked_until is None


# --- password policy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["Ab3", "short1A", "1234567890123", "password123", "abcdefghijkl", "qwertyuiopas"],
    ids=["too-short", "still-too-short", "numeric", "common", "letters-only", "no-digits"],
)
def test_it_refuses_a_weak_password_for_a_new_user(cast, password):
    with pytest.raises(InvalidInput) as refused:
        services.create_user(
            cast.actor("secadmin"), username="newbie", display_name="N", password=password
        )
    assert refused.value.fields["password"]
    assert not User.objects.filter(username="newbie").exists()


def test_it_refuses_a_password_like_the_user_name(cast):
    with pytest.raises(InvalidInput) as refused:
        services.create_user(
            cast.actor("secadmin"),
            username="zhangwei2024",
            display_name="",
            password="zhangwei2024",
        )
    assert "password" in refused.value.fields


def test_it_creates_a_user_with_a_good_password(cast):
    new = services.create_user(
        cast.actor("secadmin"), username=" newbie ", display_name="新人", password="Tea-leaf-2025"
    )
    assert new.username == "newbie" and new.check_password("Tea-leaf-2025")
    event = AuditEvent.objects.get(action="user.create")
    assert "Tea-leaf-2025" not in str(event.after) and new.password not in str(event.after)


def test_it_refuses_a_taken_or_invalid_user_name(cast):
    for username in ("sanhe", "", "has space!"):
        with pytest.raises(InvalidInput) as refused:
            services.create_user(
                cast.actor("secadmin"), username=username, display_name="", password="Tea-leaf-2025"
            )
        assert "username" in refused.value.fields


def test_it_changes_a_password_only_with_the_current_one_and_under_the_policy(cast):
    actor = cast.actor("teacher")
    with pytest.raises(InvalidInput) as wrong_old:
        services.change_password(actor, "not it", "Brand-new-2025")
    assert "old_password" in wrong_old.value.fields
    with pytest.raises(InvalidInput) as weak:
        services.change_password(actor, PASSWORD, "12345678901")
    assert "password" in weak.value.fields
    assert user("teacher").check_password(PASSWORD)
    services.change_password(actor, PASSWORD, "Brand-new-2025")
    assert user("teacher").check_password("Brand-new-2025")


def test_it_refuses_a_password_change_without_an_account(cast):
    from xietong.accounts.access import ANONYMOUS

    with pytest.raises(PermissionDenied):
        services.change_password(ANONYMOUS, PASSWORD, "Brand-new-2025")


def test_it_applies_the_policy_configured_in_settings():
    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
        "CharacterClassValidator",
    ]
    assert settings.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"]["min_length"] >= 10


# --- idle timeout -------------------------------------------------------------------------------


def test_it_ends_idle_sessions():
    # Every request renews the cookie, so its age counts from the last request: idle time.
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_it_renews_the_session_on_every_request_and_ends_it_when_idle(client, cast):
    from django.contrib.sessions.models import Session

    client.force_login(cast.users["sanhe"])
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    idle = timezone.now() + dt.timedelta(seconds=60)  # as if the last request was long ago
    Session.objects.filter(session_key=key).update(expire_date=idle)
    assert client.get("/api/accounts/me").status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
    expected = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs(renewed - expected) < dt.timedelta(seconds=30)
    # Idle past the age: the session is gone and so is the sign-in.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    assert client.get("/api/accounts/me").status_code == 401


# --- roles ------------------------------------------------------------------------------------


def test_it_grants_roles_with_the_scope_their_kind_needs(cast):
    actor = cast.actor("secadmin")
    nobody = cast.users["nobody"]
    services.assign_role(actor, nobody.pk, Role.AUTHORITY_ADMIN, region_code="120116")
    services.assign_role(
        actor, nobody.pk, Role.INSTITUTION_ADMIN, institution_id=cast.xiongxian_school.pk
    )
    scopes = {
        ra.role: (ra.region.code if ra.region else None, ra.institution_id)
        for ra in RoleAssignment.objects.filter(user=nobody)
    }
    assert scopes == {
        "authority_admin": ("120116", None),
        "institution_admin": (None, cast.xiongxian_school.pk),
    }
    grants = actor_for(nobody).grants
    assert {g.region_path for g in grants} == {"120000/120116/", None}


@pytest.mark.parametrize(
    ("role", "scope", "field"),
    [
        (Role.AUTHORITY_ADMIN, {}, "region"),
        (Role.AUTHORITY_VIEWER, {"region_code": "000000"}, "region"),
        (Role.INSTITUTION_ADMIN, {}, "institution"),
        (Role.INSTITUTION_ADMIN, {"region_code": "131082"}, "region"),
        (Role.SYSTEM_ADMIN, {"region_code": "131082"}, "region"),
        (Role.AUDITOR, {"institution_id": 1}, "institution"),
        (Role.STAFF, {}, "role"),  # no staff record linked
        ("emperor", {}, "role"),
    ],
    ids=[
        "authority-no-region",
        "authority-unknown-region",
        "institution-admin-no-institution",
        "institution-admin-with-region",
        "system-admin-with-region",
        "auditor-with-institution",
        "staff-without-record",
        "unknown-role",
    ],
)
def test_it_refuses_a_role_whose_scope_does_not_fit(cast, role, scope, field):
    with pytest.raises(InvalidInput) as refused:
        services.assign_role(cast.actor("secadmin"), cast.users["nobody"].pk, role, **scope)
    assert field in refused.value.fields
    assert not RoleAssignment.objects.filter(user=cast.users["nobody"]).exists()


def test_it_grants_the_staff_role_to_a_user_linked_to_a_staff_record(cast):
    actor = cast.actor("secadmin")
    services.link_staff(actor, cast.users["nobody"].pk, cast.xiongan_teacher.pk)
    services.assign_role(actor, cast.users["nobody"].pk, Role.STAFF)
    assert cast.actor("nobody").own_staff_id == cast.xiongan_teacher.pk
    with pytest.raises(Conflict):  # Tina's record already belongs to the teacher account
        services.link_staff(actor, cast.users["nobody"].pk, cast.sanhe_teacher.pk)


@pytest.mark.parametrize(
    ("holder", "role"),
    [
        ("sysadmin", Role.SECURITY_ADMIN),
        ("sysadmin", Role.AUDITOR),
        ("auditor", Role.SYSTEM_ADMIN),
        ("auditor", Role.SECURITY_ADMIN),
    ],
)
def test_it_keeps_the_three_separated_roles_apart(cast, holder, role):
    with pytest.raises(Conflict):
        services.assign_role(cast.actor("secadmin"), cast.users[holder].pk, role)
    assert RoleAssignment.objects.filter(user=cast.users[holder]).count() == 1


def test_it_refuses_the_system_admin_a_business_role(cast):
    with pytest.raises(Conflict):
        services.assign_role(
            cast.actor("secadmin"),
            cast.users["sysadmin"].pk,
            Role.AUTHORITY_VIEWER,
            region_code="110000",
        )
    assert RoleAssignment.objects.filter(user=cast.users["sysadmin"]).count() == 1


def test_it_refuses_the_same_role_twice(cast):
    with pytest.raises(Conflict):
        services.assign_role(
            cast.actor("secadmin"),
            cast.users["sanhe"].pk,
            Role.AUTHORITY_ADMIN,
            region_code="131082",
        )


def test_it_does_not_let_the_security_admin_change_their_own_roles(cast):
    actor = cast.actor("secadmin")
    me = cast.users["secadmin"]
    with pytest.raises(PermissionDenied):
        services.assign_role(actor, me.pk, Role.AUTHORITY_ADMIN, region_code="110000")
    with pytest.raises(PermissionDenied):
        services.revoke_role(actor, RoleAssignment.objects.get(user=me).pk)
    with pytest.raises(PermissionDenied):
        services.set_active(actor, me.pk, False)
    assert list(me.roles.values_list("role", flat=True)) == ["security_admin"]


@pytest.mark.parametrize("who", ["sysadmin", "auditor", "beijing", "nobody"])
def test_it_lets_only_the_security_admin_manage_accounts(cast, who):
    actor = cast.actor(who)
    target = cast.users["teacher"].pk
    with pytest.raises(PermissionDenied):
        services.assign_role(actor, target, Role.AUTHORITY_VIEWER, region_code="110000")
    with pytest.raises(PermissionDenied):
        services.create_user(actor, username="x", display_name="", password="Tea-leaf-2025")
    with pytest.raises(PermissionDenied):
        services.set_active(actor, target, False)
    assert not AuditEvent.objects.exists()


def test_it_answers_unknown_accounts_and_roles_with_not_found(cast):
    actor = cast.actor("secadmin")
    with pytest.raises(NotFound):
        services.assign_role(actor, 999999, Role.AUDITOR)
    with pytest.raises(NotFound):
        services.revoke_role(actor, 999999)
    with pytest.raises(NotFound):
        services.unlock_user(actor, 999999)


def test_a_deactivated_user_acts_with_no_role(cast):
    services.set_active(cast.actor("secadmin"), cast.users["sanhe"].pk, False)
    assert cast.actor("sanhe").grants == ()


# --- tokens ---------------------------------------------------------------------------------


def test_it_stores_only_a_digest_of_a_token(cast):
    token, plain = services.create_token(cast.actor("sanhe"), "ci", days=7)
    assert plain.startswith("xt_") and len(plain) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert plain not in (stored.digest, stored.prefix) and stored.prefix == plain[:8]
    assert services.user_for_token(plain) == cast.users["sanhe"]
    assert dt.timedelta(days=6) < stored.expires_at - timezone.now() <= dt.timedelta(days=7)


@pytest.mark.parametrize(
    ("name", "days"),
    [("", 90), ("x" * 51, 90), ("ok", 0), ("ok", 366), ("ok", None)],
    ids=["no-name", "long-name", "zero-days", "too-many-days", "no-expiry"],
)
def test_it_refuses_a_bad_token_request(cast, name, days):
    with pytest.raises(InvalidInput):
        services.create_token(cast.actor("sanhe"), name, days)
    assert not ApiToken.objects.exists()


def test_it_refuses_a_token_to_anonymous_callers(db):
    from xietong.accounts.access import ANONYMOUS

    with pytest.raises(PermissionDenied):
        services.create_token(ANONYMOUS, "ci")


def test_it_accepts_no_revoked_expired_foreign_or_malformed_token(cast):
    actor = cast.actor("sanhe")
    revoked, revoked_plain = services.create_token(actor, "revoked")
    services.revoke_token(actor, revoked.pk)
    expired, expired_plain = services.create_token(actor, "expired", days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    for plain in (revoked_plain, expired_plain, "xt_nothing", "token", ""):
        assert services.user_for_token(plain) is None
    with pytest.raises(NotFound):  # one cannot revoke another user's token
        services.revoke_token(cast.actor("beijing"), services.create_token(actor, "mine")[0].pk)


def test_it_accepts_no_token_of_a_deactivated_user(cast):
    _, plain = services.create_token(cast.actor("sanhe"), "ci")
    User.objects.filter(username="sanhe").update(is_active=False)
    assert services.user_for_token(plain) is None


# --- xietong token create ---------------------------------------------------------------------


def run_token(*args):
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_a_new_token_once_and_audits_it_as_its_owner(cast):
    out, err = run_token("create", "sanhe", "--name", "nightly import", "--days", "30")
    plain = out.strip()
    assert plain.startswith("xt_") and "\n" not in plain
    assert plain not in err and "nightly import" in err and "shown only this once" in err
    assert services.user_for_token(plain) == cast.users["sanhe"]
    token = ApiToken.objects.get(user=cast.users["sanhe"])
    assert (token.name, (token.expires_at - timezone.now()).days) == ("nightly import", 29)
    event = AuditEvent.objects.get(action="token.create")
    assert event.actor_id == cast.users["sanhe"].pk


@pytest.mark.parametrize(
    ("args", "mention"),
    [
        (("create", "ghost", "--name", "x"), "ghost"),
        (("create", "sanhe", "--name", "x", "--days", "0"), "365"),
        (("create", "sanhe", "--name", ""), "50"),
        (("create", "sanhe"), "--name"),
        (("create", "sanhe", "--name", "x", "--days", "soon"), "soon"),
        (("rotate", "sanhe"), "rotate"),
    ],
    ids=[
        "unknown-user",
        "zero-days",
        "empty-name",
        "no-name",
        "days-not-a-number",
        "unknown-subcommand",
    ],
)
def test_the_command_refuses_bad_arguments_clearly(cast, args, mention):
    with pytest.raises(CommandError) as refused:
        run_token(*args)
    assert mention in str(refused.value)
    assert not ApiToken.objects.exists()


def test_the_command_gives_no_token_to_a_deactivated_account(cast):
    User.objects.filter(username="sanhe").update(is_active=False)
    with pytest.raises(CommandError, match="deactivated"):
        run_token("create", "sanhe", "--name", "x")
