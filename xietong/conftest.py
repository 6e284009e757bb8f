"""Shared test fixtures: a small cast of named people reused by every test module.

* Beijing: 北京市通州区 school "Tongzhou No. 1" with teacher **Bei Jing** (王北京)
* Hebei:   三河市 school "Sanhe Experimental" with teacher **Tina** (李三河),
           and its branch campus in 大厂 "Sanhe Experimental Dachang campus"
* Xiong'an: 雄县 school "Xiongxian No. 1" with teacher **Xavier** (赵雄安)

Users (each with one role): ``beijing`` (北京市 authority admin), ``tongzhou`` (通州区
authority admin), ``sanhe`` (三河市 authority admin), ``hebei_viewer`` (河北省 viewer),
``school_admin`` (admin of Sanhe Experimental), ``teacher`` (Tina herself), ``sysadmin``,
``secadmin``, ``auditor``, and ``nobody`` (signed in, no role).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from xietong.accounts.access import Actor, actor_for
from xietong.accounts.models import Role, RoleAssignment, User
from xietong.institutions import personal_data, tallies
from xietong.institutions.models import Institution, Staff
from xietong.institutions.validators import id_check_char
from xietong.regions.models import Region

PASSWORD = "Correct-horse-42"


def make_id_number(region_code: str, birth: dt.date, serial: int, male: bool = True) -> str:
    """A valid 18-character ID number for tests."""
    seq = serial * 2 + (1 if male else 0)
    body = f"{region_code}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + id_check_char(body)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def make_institution(name: str, code: str, kind: str = "primary", **extra: Any) -> Institution:
    r = region(code)
    stages = extra.pop("stages", ",primary,")
    return Institution.objects.create(
        name=name, kind=kind, region=r, region_path=r.path, stages=stages, **extra
    )


def make_staff(name: str, inst: Institution, serial: int, **extra: Any) -> Staff:
    """A staff member written directly, with the tallies kept as the services keep them."""
    birth = extra.pop("birth_date", dt.date(1985, 3, 14))
    male = extra.pop("male", True)
    number = make_id_number(inst.region.code, birth, serial, male)
    staff = Staff.objects.create(
        name=name,
        gender="M" if male else "F",
        birth_date=birth,
        **personal_data.sealed_fields(number, extra.pop("phone", f"1380000{serial:04d}")),
        institution=inst,
        joined_on=extra.pop("joined_on", dt.date(2015, 9, 1)),
        stages=extra.pop("stages", ",primary,"),
        subjects=extra.pop("subjects", ",14,"),  # 数学
        **extra,
    )
    tallies.refresh([inst.pk])
    return staff


def id_number_of(staff: Staff) -> str:
    """The clear ID number of a staff record (tests open it as the audited reveal does)."""
    return personal_data.unsealed(staff).id_number


def phone_of(staff: Staff) -> str:
    return personal_data.unsealed(staff).phone


def make_user(username: str, role: str | None = None, **scope: Any) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username)
    if role:
        RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


@dataclass
class Cast:
    tongzhou_school: Institution
    sanhe_school: Institution
    sanhe_branch: Institution
    xiongxian_school: Institution
    beijing_teacher: Staff
    sanhe_teacher: Staff
    branch_teacher: Staff
    xiongan_teacher: Staff
    users: dict[str, User]

    def actor(self, username: str) -> Actor:
        return actor_for(User.objects.get(username=username))


@pytest.fixture
def cast(db: Any) -> Cast:
    tongzhou = make_institution("Tongzhou No. 1", "110112", school_code="2111012345")
    sanhe = make_institution("Sanhe Experimental", "131082", school_code="2113012345")
    branch = make_institution("Sanhe Experimental Dachang campus", "131028", parent=sanhe)
    xiongxian = make_institution("Xiongxian No. 1", "130638", kind="senior", stages=",senior,")
    bj_teacher = make_staff("王北京", tongzhou, 1, honours=",backbone,", title="senior")
    sh_teacher = make_staff("李三河", sanhe, 2, male=False, title="first")
    br_teacher = make_staff("刘大厂", branch, 3)
    xa_teacher = make_staff("赵雄安", xiongxian, 4, stages=",senior,")
    users = {
        "beijing": make_user("beijing", Role.AUTHORITY_ADMIN, region=region("110000")),
        "tongzhou": make_user("tongzhou", Role.AUTHORITY_ADMIN, region=region("110112")),
        "sanhe": make_user("sanhe", Role.AUTHORITY_ADMIN, region=region("131082")),
        "hebei_viewer": make_user("hebei_viewer", Role.AUTHORITY_VIEWER, region=region("130000")),
        "school_admin": make_user("school_admin", Role.INSTITUTION_ADMIN, institution=sanhe),
        "teacher": make_user("teacher", Role.STAFF),
        "sysadmin": make_user("sysadmin", Role.SYSTEM_ADMIN),
        "secadmin": make_user("secadmin", Role.SECURITY_ADMIN),
        "auditor": make_user("auditor", Role.AUDITOR),
        "nobody": make_user("nobody"),
    }
    sh_teacher.user = users["teacher"]
    sh_teacher.save(update_fields=["user"])
    return Cast(
        tongzhou, sanhe, branch, xiongxian, bj_teacher, sh_teacher, br_teacher, xa_teacher, users
    )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """On PostgreSQL the tests commit without waiting for the disk (``synchronous_commit``
    off, per connection): a crash could lose only the test database's last commits, and the
    flushes of the transactional (browser) tests stop waiting on fsync."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        db.setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    """Tasks run inline in tests; test_tasks.py checks the database backend and its worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing_in_shared_fixtures() -> Any:
    """The package and module fixtures that load the demo sign up its users outside any
    test's settings: the fast hasher for them too (a production hash takes ~0.5 s)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The cast signs up ten users per test; the production hasher takes ~0.5 s a password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _audit_anchor_of_the_test(settings: Any, tmp_path: Any) -> None:
    """Each test anchors its audit chain in its own file, not in var/."""
    settings.XIETONG_AUDIT_ANCHOR = tmp_path / "audit-anchor.json"


@pytest.fixture(scope="session", autouse=True)
def _flush_may_truncate_the_audit_log() -> Any:
    """Between transactional tests Django empties every table; on PostgreSQL with TRUNCATE,
    which the audit log refuses unless ``xietong.audit_truncate`` is set in the
    transaction. Only the test suite's flush sets it."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements = original(self, style, tables, **kwargs)
        if statements and "accounts_auditevent" in tables:
            return ["SET LOCAL xietong.audit_truncate TO 'on'", *statements]
        return statements

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _second_factor_off(settings: Any) -> None:
    """Most tests sign in with force_login; test_second_factor.py turns these back on."""
    settings.XIETONG_REQUIRE_2FA = False
    settings.XIETONG_REQUIRE_REAUTH = False


@pytest.fixture(autouse=True)
def _rate_limits_count_afresh() -> Any:
    """The public pages count requests per address in the cache (a process-wide
    local-memory cache in tests): each test starts and ends with no count."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fresh_keys() -> Any:
    """Keys read again from the environment and the key folder, before and after the test."""
    from xietong.core import keys, sealing

    keys.key.cache_clear()
    sealing.PERSONAL.forget()
    yield
    keys.key.cache_clear()
    sealing.PERSONAL.forget()


@pytest.fixture
def new_personal_key(settings: Any, monkeypatch: Any, fresh_keys: Any) -> int:
    """A second personal-data key version beside the first, current from now on."""
    import secrets

    monkeypatch.setenv("XIETONG_KEY_PERSONAL_2", secrets.token_hex(32))
    settings.XIETONG_PERSONAL_KEY_VERSION = 2
    return 2
