"""Account security: sign-in answers that tell nothing, tokens and sessions that end with the
password, password history and expiry, resets by the security admin, separation of duties."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xietong.accounts import services, sessions
from xietong.accounts.models import ApiToken, Role, RoleAssignment, User, UserSession
from xietong.conftest import PASSWORD
from xietong.core.compile_messages import compile_all
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

compile_all()

LOGIN = reverse("accounts:login")
ACCOUNT = reverse("accounts:account")
NEW = "Harbour-lights-77"


def signed_in(cast, username: str, agent: str = "test") -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]
    return client


def is_signed_in(client: Client) -> bool:
    return client.get(ACCOUNT).status_code == 200


def fail_until_locked(username: str) -> None:
    for _ in range(5):
        Client().post(LOGIN, {"username": username, "password": "wrong"})


# --- what a refused sign-in tells ----------------------------------------------------------


def test_it_spends_one_password_hash_on_a_user_that_does_not_exist(cast, monkeypatch):
    calls: list[str] = []
    original = MD5PasswordHasher.encode

    def counting(self, password, salt):
        calls.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    for username in ("sanhe", "no-such-user"):
        calls.clear()
        with pytest.raises(services.SignInRefused) as refused:
            services.authenticate(username, "wrong")
        assert len(calls) == 1, username
        assert "locked" in str(refused.value.message) or "锁定" in str(refused.value.message)


def test_it_answers_a_deactivated_account_like_an_unknown_one(cast):
    User.objects.filter(username="sanhe").update(is_active=False)
    with pytest.raises(services.SignInRefused) as deactivated:
        services.authenticate("sanhe", PASSWORD)
    with pytest.raises(services.SignInRefused) as unknown:
        services.authenticate("ghost", PASSWORD)
    assert str(deactivated.value.message) == str(unknown.value.message)


# --- tokens and sessions end with the password ---------------------------------------------


def test_a_lock_out_ends_the_sessions_and_tokens_of_the_account(cast):
    browser = signed_in(cast, "sanhe")
    _, plain = services.create_token(cast.actor("sanhe"), "script", 30)
    fail_until_locked("sanhe")
    assert not is_signed_in(browser)
    assert services.user_for_token(plain) is None
    assert not UserSession.objects.filter(user__username="sanhe").exists()


def test_a_deactivation_ends_the_sessions_and_tokens_of_the_account(cast):
    browser = signed_in(cast, "sanhe")
    _, plain = services.create_token(cast.actor("sanhe"), "script", 30)
    services.set_active(cast.actor("secadmin"), cast.users["sanhe"].pk, False)
    assert not is_signed_in(browser)
    assert ApiToken.objects.get(user__username="sanhe").revoked_at is not None
    assert services.user_for_token(plain) is None


def test_a_new_password_keeps_this_session_and_ends_the_others_and_every_token(cast):
    here, there = signed_in(cast, "sanhe", "laptop"), signed_in(cast, "sanhe", "phone")
    _, plain = services.create_token(cast.actor("sanhe"), "script", 30)
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "password": NEW, "password2": NEW},
    )
    assert response.status_code == 302
    assert is_signed_in(here) and not is_signed_in(there)
    assert services.user_for_token(plain) is None


def test_a_token_of_a_locked_account_is_refused_even_before_it_is_revoked(cast):
    _, plain = services.create_token(cast.actor("sanhe"), "script", 30)
    User.objects.filter(username="sanhe").update(
        locked_until=timezone.now() + dt.timedelta(minutes=5)
    )
    assert services.user_for_token(plain) is None


def test_a_token_made_before_tokens_had_to_expire_is_refused(cast):
    token, plain = services.create_token(cast.actor("sanhe"), "old", 30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    assert services.user_for_token(plain) is None


# --- sessions: listed, limited, ended ---------------------------------------------------


def test_it_lists_my_sessions_and_marks_the_one_i_am_using(cast):
    here = signed_in(cast, "sanhe", "Firefox on the office PC")
    signed_in(cast, "sanhe", "Chromium on the laptop")
    html = here.get(ACCOUNT).content.decode()
    assert "Firefox on the office PC" in html and "Chromium on the laptop" in html
    assert html.count("当前会话") == 1


def test_a_sign_in_beyond_the_limit_ends_the_oldest_session(cast, settings):
    settings.XIETONG_MAX_SESSIONS = 2
    first = signed_in(cast, "sanhe", "first")
    second = signed_in(cast, "sanhe", "second")
    third = signed_in(cast, "sanhe", "third")
    assert not is_signed_in(first)
    assert is_signed_in(second) and is_signed_in(third)
    assert UserSession.objects.filter(user__username="sanhe").count() == 2


def test_i_sign_out_another_of_my_sessions_but_not_this_one_nor_someone_elses(cast):
    here, there = signed_in(cast, "sanhe", "here"), signed_in(cast, "sanhe", "there")
    other = UserSession.objects.get(user__username="sanhe", user_agent="there")
    mine = UserSession.objects.get(user__username="sanhe", user_agent="here")
    beijing = signed_in(cast, "beijing")
    assert beijing.post(reverse("accounts:session_end", args=[other.pk])).status_code == 404
    assert is_signed_in(there)
    with pytest.raises(PermissionDenied):
        sessions.end(cast.actor("sanhe"), mine.pk, current_key=mine.session_key)
    response = here.post(reverse("accounts:session_end", args=[other.pk]))
    assert response.status_code == 302
    assert not is_signed_in(there) and is_signed_in(here)


def test_signing_out_forgets_the_session(cast):
    client = signed_in(cast, "sanhe")
    client.post(reverse("accounts:logout"))
    assert not UserSession.objects.filter(user__username="sanhe").exists()


# --- password history and expiry ----------------------------------------------------------


def test_it_refuses_the_current_and_the_last_five_passwords(cast):
    actor = cast.actor("sanhe")
    history = [PASSWORD] + [f"Rotation-{i}-pass" for i in range(1, 6)]
    for old, new in itertools.pairwise(history):
        services.change_password(actor, old, new)
    current = history[-1]
    for reused in history[1:]:  # the current one and the four before it
        with pytest.raises(InvalidInput) as refused:
            services.change_password(actor, current, reused)
        assert "password" in refused.value.fields
    with pytest.raises(InvalidInput):
        services.change_password(actor, current, current)
    services.change_password(actor, current, PASSWORD)  # six changes ago: allowed again


def test_an_expired_password_sends_the_user_to_choose_a_new_one(cast, settings):
    settings.XIETONG_PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(username="sanhe").update(
        password_changed_at=timezone.now() - dt.timedelta(days=91)
    )
    client = signed_in(cast, "sanhe")
    response = client.get(reverse("institutions:list"))
    assert response.status_code == 302 and response["Location"].startswith(ACCOUNT)
    assert 'data-testid="must-change"' in client.get(ACCOUNT).content.decode()
    api = client.get("/api/institutions/")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "password": NEW, "password2": NEW},
    )
    assert client.get(reverse("institutions:list")).status_code == 200


def test_no_password_expires_when_the_policy_says_never(cast, settings):
    settings.XIETONG_PASSWORD_MAX_AGE_DAYS = 0
    User.objects.filter(username="sanhe").update(
        password_changed_at=timezone.now() - dt.timedelta(days=4000)
    )
    assert not services.password_expired(User.objects.get(username="sanhe"))


# --- resets by the security admin ----------------------------------------------------------


def test_the_security_admin_resets_a_password_that_must_be_changed_at_sign_in(cast):
    browser = signed_in(cast, "sanhe")
    secadmin = signed_in(cast, "secadmin")
    response = secadmin.post(
        reverse("accounts:password_reset", args=[cast.users["sanhe"].pk]),
        {"password": "Temporary-2026x", "password2": "Temporary-2026x"},
    )
    assert response.status_code == 302
    assert not is_signed_in(browser)
    again = Client()
    again.post(LOGIN, {"username": "sanhe", "password": "Temporary-2026x"})
    assert again.get(reverse("institutions:list")).status_code == 302
    assert User.objects.get(username="sanhe").must_change_password


@pytest.mark.parametrize(
    ("actor", "subject", "error"),
    [
        ("secadmin", "secadmin", PermissionDenied),
        ("sanhe", "beijing", PermissionDenied),
        ("sysadmin", "sanhe", PermissionDenied),
        ("secadmin", None, NotFound),
    ],
    ids=["own-account", "not-security-admin", "system-admin", "unknown-user"],
)
def test_it_refuses_a_reset_outside_the_security_admins_remit(cast, actor, subject, error):
    before = User.objects.values_list("pk", "password").order_by("pk")
    pk = cast.users[subject].pk if subject else 999999
    with pytest.raises(error):
        services.reset_password(cast.actor(actor), pk, "Temporary-2026x")
    assert list(User.objects.values_list("pk", "password").order_by("pk")) == list(before)


def test_it_refuses_to_reset_another_security_admins_password(cast):
    peer = User.objects.create_user("secadmin2", password=PASSWORD)
    RoleAssignment.objects.create(user=peer, role=Role.SECURITY_ADMIN)
    with pytest.raises(PermissionDenied):
        services.reset_password(cast.actor("secadmin"), peer.pk, "Temporary-2026x")


def test_a_reset_with_a_weak_password_says_why_on_the_form(cast):
    secadmin = signed_in(cast, "secadmin")
    response = secadmin.post(
        reverse("accounts:password_reset", args=[cast.users["sanhe"].pk]),
        {"password": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 422
    assert not User.objects.get(username="sanhe").must_change_password


# --- separation of duties over whole accounts ---------------------------------------------

B = [Role.AUTHORITY_ADMIN, Role.AUTHORITY_VIEWER, Role.INSTITUTION_ADMIN, Role.STAFF]


@pytest.mark.parametrize(
    ("held", "role", "allowed"),
    [
        *[({Role.AUDITOR}, r, False) for r in [*B, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN]],
        *[({Role.SECURITY_ADMIN}, r, False) for r in [*B, Role.SYSTEM_ADMIN, Role.AUDITOR]],
        *[({r}, Role.AUDITOR, False) for r in [*B, Role.SYSTEM_ADMIN]],
        *[({r}, Role.SECURITY_ADMIN, False) for r in [*B, Role.SYSTEM_ADMIN]],
        ({Role.SYSTEM_ADMIN}, Role.STAFF, True),
        ({Role.STAFF}, Role.SYSTEM_ADMIN, True),
        ({Role.SYSTEM_ADMIN}, Role.AUTHORITY_ADMIN, False),
        ({Role.INSTITUTION_ADMIN}, Role.SYSTEM_ADMIN, False),
        ({Role.AUTHORITY_ADMIN}, Role.STAFF, True),
        ({Role.INSTITUTION_ADMIN, Role.STAFF}, Role.AUTHORITY_VIEWER, True),
        (set(), Role.AUDITOR, True),
    ],
)
def test_the_separation_of_duties_rule(held, role, allowed):
    assert (services.separation_conflict(held, role) is None) is allowed


def test_it_refuses_an_authority_admin_the_auditor_role(cast):
    with pytest.raises(Conflict):
        services.assign_role(cast.actor("secadmin"), cast.users["beijing"].pk, Role.AUDITOR)
    assert not RoleAssignment.objects.filter(user__username="beijing", role=Role.AUDITOR).exists()
