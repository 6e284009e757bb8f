"""Helpers for the agreements' tests: a paired partnership whose two sides each have an
admin (``school_admin`` for Sanhe Experimental, ``tongzhou_admin`` for Tongzhou No. 1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xietong.accounts.models import Role
from xietong.conftest import Cast, make_user
from xietong.partnerships.agreements import services
from xietong.partnerships.models import AgreementVersion

CLAUSES = [
    {"heading": "一、合作目标", "text": "双方每学期互访一次，共同开展教研活动。"},
    {"heading": "二、合作期限", "text": "自2024年9月起，为期三年。"},
]


def version_in(**changes: Any) -> services.VersionIn:
    data: dict[str, Any] = {
        "title": "结对帮扶协议",
        "starts_on": dt.date(2024, 9, 1),
        "ends_on": dt.date(2027, 8, 31),
        "clauses": CLAUSES,
        "note": "",
    }
    data.update(changes)
    return services.VersionIn(**data)


def tongzhou_admin(cast: Cast) -> Any:
    user = make_user("tongzhou_admin", Role.INSTITUTION_ADMIN, institution=cast.tongzhou_school)
    cast.users["tongzhou_admin"] = user
    return user


def changed_clauses() -> list[dict[str, str]]:
    return [
        {"heading": "一、合作目标", "text": "双方每学期互访两次，共同开展教研活动。"},
        CLAUSES[1],
    ]


def approved_v1(cast: Cast, partnership: Any) -> AgreementVersion:
    """Version 1 of an agreement of ``partnership``, approved by both sides."""
    if "tongzhou_admin" not in cast.users:
        tongzhou_admin(cast)
    v1 = services.create_agreement(cast.actor("sanhe"), partnership.pk, version_in())
    services.approve(cast.actor("school_admin"), v1.pk)
    services.approve(cast.actor("tongzhou_admin"), v1.pk)
    v1.refresh_from_db()
    return v1
