"""The second factor: administrators enrol an authenticator app at the first sign-in and
give a code at every sign-in; codes are single-use; wrong codes lock; recovery codes;
the security admin's reset; re-authentication before revealing personal data or granting
roles; the demo with the second factor off says so."""

from __future__ import annotations

import re
import time

import pytest
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from django.test import Client
from django.urls import reverse

from xietong.accounts import second_factor as sf
from xietong.accounts.models import RecoveryCode, RoleAssignment, TotpDevice, User
from xietong.conftest import PASSWORD, id_number_of
from xietong.core.compile_messages import compile_all

compile_all()

LOGIN = reverse("accounts:login")
HOME = reverse("institutions:list")


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.XIETONG_REQUIRE_2FA = True
    settings.XIETONG_REQUIRE_REAUTH = True


def code_for(secret: bytes, at: float | None = None) -> str:
    return (
        TOTP(secret, 6, SHA1(), 30, enforce_key_length=False)
        .generate(int(time.time() if at is None else at))
        .decode()
    )


def enrolled_secret(user: User) -> bytes:
    return sf._unseal(TotpDevice.objects.get(user=user))


def password_step(client: Client, username: str, next_url: str = HOME):
    return client.post(LOGIN, {"username": username, "password": PASSWORD, "next": next_url})


def enrol(client: Client, username: str) -> tuple[bytes, list[str]]:
    """Sign in the first time: password, then the enrolment page; returns secret, codes."""
    response = password_step(client, username)
    assert response["Location"] == reverse("accounts:enrol")
    page = client.get(reverse("accounts:enrol")).content.decode()
    assert 'data-testid="enrol-qr"' in page
    typed = re.search(r'data-testid="enrol-secret">([A-Z2-7 ]+)<', page).group(1)
    import base64

    text = typed.replace(" ", "")
    secret = base64.b32decode(text + "=" * (-len(text) % 8))
    done = client.post(reverse("accounts:enrol"), {"code": code_for(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<li>(\d{5}-\d{5})</li>", done.content.decode())
    return secret, codes


def test_an_administrator_enrols_at_the_first_sign_in_and_is_then_signed_in(cast):
    client = Client()
    secret, codes = enrol(client, "sanhe")
    assert len(codes) == 10
    assert client.get(HOME).status_code == 200
    assert enrolled_secret(cast.users["sanhe"]) == secret


def test_the_password_alone_opens_no_page(cast):
    client = Client()
    password_step(client, "sanhe")
    assert client.get(HOME).status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_enrolled_administrator_gives_a_code_at_each_sign_in(cast):
    secret, _ = enrol(Client(), "sanhe")
    client = Client()
    assert password_step(client, "sanhe")["Location"] == reverse("accounts:second_factor")
    wrong = client.post(reverse("accounts:second_factor"), {"code": "000000"})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.content.decode()
    later = time.time() + 30  # the enrolment used the current step
    ok = client.post(reverse("accounts:second_factor"), {"code": code_for(secret, later)})
    assert ok.status_code == 302 and ok["Location"] == HOME


def test_a_code_is_accepted_once(cast):
    secret, _ = enrol(Client(), "sanhe")
    user = cast.users["sanhe"]
    later = time.time() + 60
    sf.check(user, code_for(secret, later), now=later)
    with pytest.raises(sf.SecondFactorRefused) as replay:
        sf.check(user, code_for(secret, later), now=later)
    assert "used already" in str(replay.value.message) or "已使用" in str(replay.value.message)


def test_five_wrong_codes_lock_the_account(cast):
    enrol(Client(), "sanhe")
    user = cast.users["sanhe"]
    for _ in range(5):
        with pytest.raises(sf.SecondFactorRefused):
            sf.check(user, "123456")
    assert User.objects.get(pk=user.pk).is_locked


def test_a_recovery_code_signs_in_once(cast):
    _, codes = enrol(Client(), "sanhe")
    user = cast.users["sanhe"]
    sf.check(user, codes[0])
    with pytest.raises(sf.SecondFactorRefused):
        sf.check(user, codes[0])
    assert sf.recovery_codes_left(user) == 9


def test_a_teacher_signs_in_with_the_password_alone(cast):
    client = Client()
    assert password_step(client, "teacher")["Location"] == HOME
    assert client.get(reverse("accounts:account")).status_code == 200


def test_the_security_admin_resets_a_lost_second_factor(cast):
    enrol(Client(), "sanhe")
    secadmin = Client()
    secadmin.force_login(cast.users["secadmin"])
    session = secadmin.session
    session["xt_2fa_at"] = "x"
    session.save()
    url = reverse("accounts:second_factor_reset", args=[cast.users["sanhe"].pk])
    assert secadmin.post(url).status_code == 302
    assert not TotpDevice.objects.filter(user=cast.users["sanhe"]).exists()
    assert not RecoveryCode.objects.filter(user=cast.users["sanhe"]).exists()
    assert password_step(Client(), "sanhe")["Location"] == reverse("accounts:enrol")


def test_only_the_security_admin_resets_a_second_factor(cast):
    with pytest.raises(sf.PermissionDenied):
        sf.reset(cast.actor("sysadmin"), cast.users["sanhe"].pk)


def test_a_session_that_never_gave_the_code_is_signed_out(cast):
    client = Client()
    client.force_login(cast.users["sanhe"])  # as a session made before the rule
    assert client.get(HOME).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_demo_says_on_its_sign_in_page_that_the_second_factor_is_off(cast, settings):
    settings.XIETONG_REQUIRE_2FA = False
    page = Client().get(LOGIN).content.decode()
    assert 'data-testid="second-factor-off"' in page
    settings.XIETONG_REQUIRE_2FA = True
    assert 'data-testid="second-factor-off"' not in Client().get(LOGIN).content.decode()


# --- re-authentication --------------------------------------------------------------


def test_revealing_personal_data_asks_to_confirm_it_is_me(cast):
    secret, _ = enrol(client := Client(), "sanhe")
    staff = cast.sanhe_teacher
    reveal = reverse("institutions:staff_reveal", args=[staff.pk])
    detail = reverse("institutions:staff_detail", args=[staff.pk])
    session = client.session
    session["xt_reauth_at"] = "2000-01-01T00:00:00+00:00"  # long ago
    session.save()
    response = client.post(reveal, HTTP_REFERER=f"http://testserver{detail}")
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:reauthenticate")
    )
    later = time.time() + 30
    confirmed = client.post(
        reverse("accounts:reauthenticate"),
        {"password": PASSWORD, "code": code_for(secret, later), "next": detail},
    )
    assert confirmed.status_code == 302
    shown = client.post(reveal)
    assert id_number_of(staff) in shown.content.decode()


def test_a_wrong_password_on_reauthentication_says_so_on_its_field(cast):
    client = Client()
    client.force_login(cast.users["teacher"])
    response = client.post(reverse("accounts:reauthenticate"), {"password": "wrong", "next": "/"})
    assert response.status_code == 422 and "密码不正确" in response.content.decode()


def test_granting_a_role_asks_to_confirm_it_is_me(cast):
    from xietong.accounts import services

    with pytest.raises(sf.ReauthenticationRequired):
        services.assign_role(
            cast.actor("secadmin"),
            cast.users["nobody"].pk,
            "authority_viewer",
            region_code="130000",
        )
    assert not RoleAssignment.objects.filter(user=cast.users["nobody"]).exists()
