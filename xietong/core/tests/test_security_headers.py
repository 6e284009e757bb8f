"""Every response carries a Content-Security-Policy with a fresh nonce; no template runs an
inline script without it; signed-in responses are never stored; a production deployment
over HTTPS passes ``check --deploy``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.test import Client
from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def nonce_of(response) -> str:
    match = re.search(r"script-src 'self' 'nonce-([\w-]+)'", response["Content-Security-Policy"])
    assert match, response["Content-Security-Policy"]
    return match.group(1)


def test_it_sends_a_policy_with_a_new_nonce_on_each_response(db):
    client = Client()
    first, second = client.get(reverse("accounts:login")), client.get(reverse("accounts:login"))
    assert nonce_of(first) != nonce_of(second)
    policy = first["Content-Security-Policy"]
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_no_template_has_an_inline_script_without_the_nonce():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", path.read_text(encoding="utf-8")):
            if "src=" not in tag and 'type="application/json"' not in tag and "nonce=" not in tag:
                offenders.append(f"{path.relative_to(TEMPLATES)}: {tag}")
    assert not offenders, offenders


def test_no_template_has_an_inline_event_handler():
    handler = re.compile(r"<[^>]+\son[a-z]+=", re.I)
    offenders = [
        str(p.relative_to(TEMPLATES))
        for p in TEMPLATES.rglob("*.html")
        if handler.search(p.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders


def test_a_page_puts_the_responses_nonce_on_its_inline_script(client, cast):
    from xietong.exchanges.models import Program  # noqa: F401  (the app is installed)

    client.force_login(cast.users["teacher"])
    response = client.get(reverse("institutions:list"))
    html = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or f'nonce="{nonce_of(response)}"' in tag or "application/json" in tag


def test_signed_in_responses_are_never_stored(client, cast):
    client.force_login(cast.users["sanhe"])
    assert client.get(reverse("institutions:list"))["Cache-Control"] == "no-store"
    staff = client.get(reverse("institutions:staff_detail", args=[cast.sanhe_teacher.pk]))
    assert staff["Cache-Control"] == "no-store"


def test_a_production_deployment_over_https_passes_the_deploy_check(tmp_path):
    # The browser tests allow async-unsafe calls for the whole process; a deployment does not.
    # A fresh deployment's own database (the keys are checked against what it has sealed).
    skipped = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    inherited = {k: v for k, v in os.environ.items() if k not in skipped}
    env = {
        **inherited,
        "XIETONG_PRODUCTION": "1",
        "XIETONG_HTTPS": "1",
        "XIETONG_SECRET_KEY": "x" * 20 + "-Production-Secret-Of-Sixty-Characters-Or-More-123456789",
        "XIETONG_ALLOWED_HOSTS": "xietong.example.gov.cn",
        "XIETONG_KEY_DIR": str(tmp_path),
        "XIETONG_KEY_AUDIT": "ab" * 32,
        "XIETONG_KEY_TOTP": "cd" * 32,
        "XIETONG_KEY_PERSONAL_1": "ef" * 32,
        "XIETONG_VAR_DIR": str(tmp_path / "var"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "xietong.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_without_its_keys_refuses_to_start(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("XIETONG_KEY_")},
        "XIETONG_PRODUCTION": "1",
        "XIETONG_SECRET_KEY": "y" * 60,
        "XIETONG_KEY_DIR": str(tmp_path / "no-keys-here"),
        "XIETONG_VAR_DIR": str(tmp_path / "var"),
        "XIETONG_KEY_PERSONAL_1": "ef" * 32,  # all but the audit key
    }
    done = subprocess.run(
        [sys.executable, "-m", "xietong.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "cannot start: The audit key is missing" in done.stderr
    assert "Traceback" not in done.stderr
