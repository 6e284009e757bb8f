"""The demo's agreements: the named partnerships carry an agreement with two versions —
version 1 approved by both sides, version 2 waiting for one — loaded idempotently."""

from __future__ import annotations

import pytest

from xietong.accounts.access import actor_for
from xietong.accounts.models import AuditEvent, User
from xietong.demo import partnerships as demo
from xietong.demo.users import ensure_demo_users
from xietong.partnerships.agreements.fingerprint import of_version
from xietong.partnerships.agreements.selectors import inbox_for
from xietong.partnerships.models import Agreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> demo.PartnershipsResult:
    ensure_demo_users()
    return demo.load_partnerships()


def test_three_named_partnerships_have_an_agreement_with_two_versions(loaded):
    assert loaded.agreements == len(demo.AGREEMENTS) == 3
    for a in Agreement.objects.all():
        statuses = list(a.versions.order_by("number").values_list("status", flat=True))
        assert statuses == ["approved", "pending"]
        v1, v2 = a.versions.order_by("number")
        assert v1.approvals.count() == 2 and v2.approvals.count() == 1
        assert v1.fingerprint == of_version(v1) and v2.fingerprint == of_version(v2)


def test_the_sanhe_school_finds_version_two_in_its_inbox_and_beijing_school_does_not(loaded):
    sanhe = actor_for(User.objects.get(username="sanhe_school"))
    beijing = actor_for(User.objects.get(username="beijing_school"))
    waiting = list(inbox_for(sanhe))
    assert [(v.agreement.partnership.name, v.number) for v in waiting] == [
        ("北京学校—三河市赵河沟小学结对帮扶", 2)
    ]
    assert list(inbox_for(beijing)) == []


def test_loading_twice_writes_no_agreement_again(loaded):
    events = AuditEvent.objects.count()
    again = demo.load_partnerships()
    assert again.agreements == 0
    assert AuditEvent.objects.count() == events
