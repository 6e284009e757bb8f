"""Agreements are written as immutable versions, fingerprinted, each approved by every
party; an edit is a new version and supersession keeps every version."""

from __future__ import annotations

import datetime as dt

import pytest

from xietong.accounts.models import AuditEvent
from xietong.core.errors import InvalidInput
from xietong.notifications.models import Notification
from xietong.partnerships.agreements import services
from xietong.partnerships.agreements.fingerprint import canonical, fingerprint, of_version
from xietong.partnerships.choices import VersionStatus
from xietong.partnerships.models import AgreementVersion, VersionApproval
from xietong.partnerships.tests.agreement_world import (
    CLAUSES,
    approved_v1,
    changed_clauses,
    tongzhou_admin,
    version_in,
)

CONTENT = {
    "title": "结对帮扶协议",
    "starts_on": dt.date(2024, 9, 1),
    "ends_on": None,
    "clauses": CLAUSES,
    "note": "",
}


def test_the_same_content_gives_the_same_fingerprint_however_it_was_typed():
    messy = {
        **CONTENT,
        "title": "  结对帮扶协议 ",
        "clauses": [{"text": c["text"] + "\n", "heading": "  " + c["heading"]} for c in CLAUSES],
    }
    assert fingerprint(**CONTENT) == fingerprint(**messy)
    assert len(fingerprint(**CONTENT)) == 64


def test_composed_and_decomposed_unicode_give_the_same_fingerprint():
    composed = {**CONTENT, "title": "Caf\u00e9 agreement"}
    decomposed = {**CONTENT, "title": "Cafe\u0301 agreement"}
    assert fingerprint(**composed) == fingerprint(**decomposed)


@pytest.mark.parametrize(
    "change",
    [
        {"title": "结对帮扶协议（修订）"},
        {"starts_on": dt.date(2024, 9, 2)},
        {"ends_on": dt.date(2027, 8, 31)},
        {"note": "改为两次"},
        {"clauses": changed_clauses()},
        {"clauses": list(reversed(CLAUSES))},
        {"clauses": [{**CLAUSES[0], "heading": "一、目标"}, CLAUSES[1]]},
    ],
)
def test_any_change_of_a_field_gives_another_fingerprint(change):
    assert fingerprint(**CONTENT) != fingerprint(**{**CONTENT, **change})


def test_the_canonical_form_has_sorted_keys_and_no_whitespace():
    text = canonical(**CONTENT)
    assert text.startswith('{"clauses":[{"heading":"一、合作目标","text":')
    assert ", " not in text and ": " not in text


def test_creating_an_agreement_writes_version_one_pending_with_its_fingerprint(cast, paired):
    v = services.create_agreement(cast.actor("sanhe"), paired.pk, version_in())
    assert (v.number, v.status) == (1, VersionStatus.PENDING)
    assert v.fingerprint == of_version(v)
    assert v.agreement.title == "结对帮扶协议"
    assert AuditEvent.objects.filter(action="partnerships.agreementversion.create").exists()


def test_a_member_admin_may_start_an_agreement_too(cast, paired):
    v = services.create_agreement(cast.actor("school_admin"), paired.pk, version_in())
    assert v.number == 1


def test_the_version_is_approved_once_every_party_has_approved(cast, paired):
    tongzhou_admin(cast)
    v = services.create_agreement(cast.actor("sanhe"), paired.pk, version_in())
    services.approve(cast.actor("school_admin"), v.pk)
    v.refresh_from_db()
    assert v.status == VersionStatus.PENDING and v.approved_at is None
    services.approve(cast.actor("tongzhou_admin"), v.pk)
    v.refresh_from_db()
    assert v.status == VersionStatus.APPROVED and v.approved_at is not None
    who = set(
        VersionApproval.objects.filter(version=v).values_list("member__institution", flat=True)
    )
    assert who == {cast.tongzhou_school.pk, cast.sanhe_school.pk}
    told = Notification.objects.filter(code="partnerships.agreement_approved")
    assert set(told.values_list("recipient__username", flat=True)) == {
        "school_admin",
        "tongzhou_admin",
    }


def test_an_edit_after_approval_is_a_new_pending_version_and_the_approved_one_stays(cast, paired):
    v1 = approved_v1(cast, paired)
    v2 = services.new_version(
        cast.actor("school_admin"),
        v1.agreement_id,
        version_in(clauses=changed_clauses(), note="互访改为每学期两次"),
    )
    v1.refresh_from_db()
    assert (v2.number, v2.status) == (2, VersionStatus.PENDING)
    assert v1.status == VersionStatus.APPROVED
    assert v2.fingerprint != v1.fingerprint


def test_the_approved_version_is_superseded_when_the_new_one_is_approved(cast, paired):
    v1 = approved_v1(cast, paired)
    v2 = services.new_version(
        cast.actor("sanhe"), v1.agreement_id, version_in(note="延长期限", ends_on=None)
    )
    services.approve(cast.actor("school_admin"), v2.pk)
    services.approve(cast.actor("tongzhou_admin"), v2.pk)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (VersionStatus.SUPERSEDED, VersionStatus.APPROVED)
    assert v1.superseded_at is not None
    assert AgreementVersion.objects.filter(agreement=v1.agreement).count() == 2


def test_editing_while_pending_supersedes_the_pending_version(cast, paired):
    v1 = services.create_agreement(cast.actor("sanhe"), paired.pk, version_in())
    v2 = services.new_version(
        cast.actor("sanhe"), v1.agreement_id, version_in(note="改标题", title="新协议")
    )
    v1.refresh_from_db()
    assert v1.status == VersionStatus.SUPERSEDED
    assert v2.status == VersionStatus.PENDING
    assert v2.agreement.title == "新协议"


def test_every_version_keeps_its_content_and_fingerprint(cast, paired):
    v1 = approved_v1(cast, paired)
    before = (v1.title, v1.clauses, v1.fingerprint)
    services.new_version(
        cast.actor("sanhe"), v1.agreement_id, version_in(clauses=changed_clauses(), note="改")
    )
    v1.refresh_from_db()
    assert (v1.title, v1.clauses, v1.fingerprint) == before
    assert of_version(v1) == v1.fingerprint


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": " "}, "title"),
        ({"starts_on": None}, "starts_on"),
        ({"ends_on": dt.date(2024, 1, 1)}, "ends_on"),
        ({"clauses": []}, "clauses"),
        ({"clauses": [{"heading": " ", "text": ""}]}, "clauses"),
        ({"note": "长" * 301}, "note"),
    ],
)
def test_bad_content_is_refused_by_field_and_nothing_is_written(cast, paired, change, field):
    with pytest.raises(InvalidInput) as e:
        services.create_agreement(cast.actor("sanhe"), paired.pk, version_in(**change))
    assert field in e.value.fields
    assert not AgreementVersion.objects.exists()


def test_a_new_version_must_say_what_changed_and_change_something(cast, paired):
    v1 = services.create_agreement(cast.actor("sanhe"), paired.pk, version_in())
    with pytest.raises(InvalidInput) as e:
        services.new_version(cast.actor("sanhe"), v1.agreement_id, version_in(title="新"))
    assert "note" in e.value.fields
    with pytest.raises(InvalidInput) as e:
        services.new_version(cast.actor("sanhe"), v1.agreement_id, version_in(note="没改"))
    assert "内容没有变化" in str(e.value.message)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.PENDING
    assert AgreementVersion.objects.count() == 1
