"""The personal-data key lives outside the database: without it, or with another one, the
platform refuses to start, and it never falls back to storing anything in clear."""

from __future__ import annotations

import datetime as dt
import os
import runpy
import secrets
import subprocess
import sys

import pytest
from django.urls import reverse

from xietong.accounts.models import AuditEvent
from xietong.conftest import make_id_number
from xietong.core import keys, sealing
from xietong.institutions import services
from xietong.institutions.models import Staff


def _cli(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("XIETONG_KEY_")}
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "xietong.cli", "check"],
        env={
            **base,
            "XIETONG_PRODUCTION": "1",
            "XIETONG_SECRET_KEY": "y" * 60,
            "XIETONG_KEY_DIR": str(tmp_path / "keys"),
            "XIETONG_VAR_DIR": str(tmp_path / "var"),
            "XIETONG_KEY_AUDIT": "ab" * 32,
            "XIETONG_KEY_TOTP": "cd" * 32,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_the_personal_data_key_refuses_to_start(tmp_path):
    done = _cli(tmp_path)
    assert done.returncode == 2
    assert "cannot start: The personal_1 key is missing: set XIETONG_KEY_PERSONAL_1" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "keys" / "personal_1.key").exists()  # none made on the fly


def test_a_key_version_setting_that_names_no_version_refuses_to_start(tmp_path):
    done = _cli(tmp_path, XIETONG_KEY_PERSONAL_1="ef" * 32, XIETONG_PERSONAL_KEY_VERSION="v2")
    assert done.returncode == 2
    assert "XIETONG_PERSONAL_KEY_VERSION must be a whole number" in done.stderr
    assert "Traceback" not in done.stderr


def test_production_with_its_keys_starts(tmp_path):
    done = _cli(tmp_path, XIETONG_KEY_PERSONAL_1="ef" * 32)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def wrong_key(cast, fresh_keys, monkeypatch) -> None:
    """The cast is sealed under the install's key; from now on another one is configured."""
    sealing.PERSONAL.register(1)
    monkeypatch.setenv("XIETONG_KEY_PERSONAL_1", secrets.token_hex(32))
    keys.key.cache_clear()
    sealing.PERSONAL.forget()


def test_the_wsgi_entry_point_refuses_to_start_with_another_key(wrong_key):
    with pytest.raises(sealing.WrongKey, match="not the key the data in the database"):
        runpy.run_module("xietong.wsgi")


def test_the_wsgi_entry_point_starts_with_the_right_key(cast, fresh_keys):
    assert "application" in runpy.run_module("xietong.wsgi")


def test_with_another_key_nothing_is_written_and_a_reveal_says_why(wrong_key, cast, client):
    with pytest.raises(sealing.WrongKey):
        services.create_staff(
            cast.actor("sanhe"),
            {
                "name": "周新",
                "id_number": make_id_number("131082", dt.date(1991, 7, 9), 61),
                "institution": cast.sanhe_school.pk,
                "joined_on": dt.date(2020, 9, 1),
            },
        )
    assert not Staff.objects.filter(name="周新").exists()
    client.force_login(cast.users["school_admin"])
    response = client.get(f"/api/staff/{cast.sanhe_teacher.pk}/personal-data")
    assert response.status_code == 503
    assert response.json()["code"] == "personal_data_unreadable"
    page = client.post(reverse("institutions:staff_reveal", args=[cast.sanhe_teacher.pk]))
    assert page.status_code == 503
    assert not AuditEvent.objects.filter(action="personal_data.read").exists()
