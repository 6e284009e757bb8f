"""A world of partnerships over the shared cast.

``paired`` (active): Tongzhou No. 1 (lead) supports Sanhe Experimental (supported), managed
by 三河市's authority (``sanhe``). ``draft``: the same pair, still a draft.
``xiongan``: Tongzhou No. 1 with Xiongxian No. 1, managed in 北京市 (``beijing``), active.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from xietong.conftest import Cast, region
from xietong.partnerships.choices import MemberRole, PartnershipKind, PartnershipStatus
from xietong.partnerships.models import Member, Partnership

START = dt.date(2023, 9, 1)


def make_partnership(
    name: str,
    region_code: str,
    members: list[tuple[Any, str]],
    *,
    kind: str = PartnershipKind.PAIRED,
    status: str = PartnershipStatus.ACTIVE,
    starts_on: dt.date = START,
    **extra: Any,
) -> Partnership:
    p = Partnership.objects.create(
        name=name,
        kind=kind,
        region=region(region_code),
        status=status,
        starts_on=starts_on,
        **extra,
    )
    for inst, role in members:
        Member.objects.create(partnership=p, institution=inst, role=role, joined_on=starts_on)
    return p


@pytest.fixture
def paired(cast: Cast) -> Partnership:
    return make_partnership(
        "通州一中—三河实验结对帮扶",
        "131082",
        [(cast.tongzhou_school, MemberRole.LEAD), (cast.sanhe_school, MemberRole.SUPPORTED)],
    )


@pytest.fixture
def draft(cast: Cast) -> Partnership:
    return make_partnership(
        "通州一中—三河实验结对帮扶（草案）",
        "131082",
        [(cast.tongzhou_school, MemberRole.LEAD), (cast.sanhe_school, MemberRole.SUPPORTED)],
        status=PartnershipStatus.DRAFT,
    )
