"""Fixtures of the attachment tests: a temporary media root and an active placement.

The placement is Tina's (李三河, user ``teacher``) from Sanhe Experimental to Tongzhou No. 1
(hosted under the ``tongzhou`` authority, 王北京 mentoring), built through the exchange
services; ``teacher_report`` and ``host_report`` are its two mid-term reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xietong.accounts.models import Role
from xietong.conftest import make_user
from xietong.exchanges import services
from xietong.exchanges.models import Placement, PlacementLog, PlacementReport
from xietong.exchanges.tests.conftest import Ex, approve, close, english, ex

__all__ = ["english", "ex"]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root},
        },
    }
    return root


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def placement(ex: Ex, django_capture_on_commit_callbacks: Any) -> Placement:
    teacher, sanhe = ex.actor("teacher"), ex.actor("sanhe")
    app = services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk])
    services.submit_application(teacher, app.pk)
    approve(ex, app.pk)
    close(ex)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_matching_run(sanhe, ex.program.pk, "stable")
    services.publish_run(sanhe, run.pk)
    p = services.confirm_application(teacher, app.pk)
    services.start_placement(ex.actor("tongzhou"), p.pk)
    ex.cast.users["xiongxian_admin"] = make_user(
        "xiongxian_admin", Role.INSTITUTION_ADMIN, institution=ex.cast.xiongxian_school
    )
    return p


@pytest.fixture
def teacher_report(ex: Ex, placement: Placement) -> PlacementReport:
    return services.submit_report(
        ex.actor("teacher"), placement.pk, kind="midterm", content="期中小结"
    )


@pytest.fixture
def host_report(ex: Ex, placement: Placement) -> PlacementReport:
    return services.submit_report(
        ex.actor("tongzhou"), placement.pk, kind="midterm", content="表现良好"
    )


@pytest.fixture
def log(ex: Ex, placement: Placement) -> PlacementLog:
    import datetime as dt

    return services.add_log(
        ex.actor("teacher"), placement.pk, week_starting=dt.date(2024, 9, 2), content="听课 8 节"
    )
