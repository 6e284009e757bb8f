"""Approving a version you are not a party to, one that is superseded or already approved,
or writing outside your scope: a specific refusal and nothing written."""

from __future__ import annotations

import pytest
from django.utils import translation

from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.partnerships.agreements import services
from xietong.partnerships.choices import PartnershipStatus, VersionStatus
from xietong.partnerships.models import AgreementVersion, VersionApproval
from xietong.partnerships.tests.agreement_world import (
    approved_v1,
    changed_clauses,
    tongzhou_admin,
    version_in,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def pending(cast, paired):
    tongzhou_admin(cast)
    return services.create_agreement(cast.actor("sanhe"), paired.pk, version_in())


def test_a_manager_who_is_no_party_cannot_approve(cast, pending):
    with pytest.raises(PermissionDenied) as e:
        services.approve(cast.actor("sanhe"), pending.pk)
    assert "not a party" in str(e.value.message)
    assert not VersionApproval.objects.exists()


def test_the_refusal_to_a_non_party_is_in_chinese_for_a_chinese_reader(cast, pending):
    with translation.override("zh-hans"), pytest.raises(PermissionDenied) as e:
        services.approve(cast.actor("sanhe"), pending.pk)
    assert "您不是该协议的签约方" in str(e.value.message)


def test_someone_who_cannot_read_the_partnership_is_told_it_is_not_there(cast, pending):
    with pytest.raises(NotFound):
        services.approve(cast.actor("teacher"), pending.pk)
    with pytest.raises(NotFound):
        services.new_version(cast.actor("nobody"), pending.agreement_id, version_in(note="x"))
    with pytest.raises(NotFound):
        services.create_agreement(
            cast.actor("teacher"), pending.agreement.partnership_id, version_in()
        )


def test_a_superseded_version_cannot_be_approved(cast, pending):
    services.new_version(
        cast.actor("sanhe"), pending.agreement_id, version_in(clauses=changed_clauses(), note="改")
    )
    with pytest.raises(Conflict) as e:
        services.approve(cast.actor("school_admin"), pending.pk)
    assert "superseded" in str(e.value.message)
    with translation.override("zh-hans"), pytest.raises(Conflict) as e:
        services.approve(cast.actor("school_admin"), pending.pk)
    assert "已被新版本取代" in str(e.value.message)
    assert not VersionApproval.objects.filter(version=pending).exists()


def test_an_approved_version_cannot_be_approved_again(cast, paired):
    v1 = approved_v1(cast, paired)
    with pytest.raises(Conflict) as e:
        services.approve(cast.actor("school_admin"), v1.pk)
    assert "already been approved" in str(e.value.message)


def test_a_party_approves_once(cast, pending):
    services.approve(cast.actor("school_admin"), pending.pk)
    with pytest.raises(Conflict) as e:
        services.approve(cast.actor("school_admin"), pending.pk)
    assert "already approved" in str(e.value.message)
    assert VersionApproval.objects.filter(version=pending).count() == 1


def test_one_cannot_approve_for_a_member_one_does_not_administer(cast, pending):
    other = pending.agreement.partnership.members.get(institution=cast.tongzhou_school)
    with pytest.raises(PermissionDenied):
        services.approve(cast.actor("school_admin"), pending.pk, members=[other.pk])
    assert not VersionApproval.objects.exists()


def test_an_authority_only_reading_the_partnership_cannot_write_versions(cast, pending):
    with pytest.raises(PermissionDenied) as e:
        services.new_version(cast.actor("beijing"), pending.agreement_id, version_in(note="x"))
    assert "managers" in str(e.value.message)
    with pytest.raises(PermissionDenied):
        services.create_agreement(
            cast.actor("hebei_viewer"), pending.agreement.partnership_id, version_in()
        )
    assert AgreementVersion.objects.count() == 1


def test_an_ended_partnership_takes_no_new_version_and_no_approval(cast, pending):
    p = pending.agreement.partnership
    p.status = PartnershipStatus.ENDED
    p.save(update_fields=["status"])
    with pytest.raises(Conflict):
        services.new_version(cast.actor("sanhe"), pending.agreement_id, version_in(note="x"))
    with pytest.raises(Conflict):
        services.approve(cast.actor("school_admin"), pending.pk)
    with pytest.raises(Conflict):
        services.create_agreement(cast.actor("sanhe"), p.pk, version_in())
    pending.refresh_from_db()
    assert pending.status == VersionStatus.PENDING


def test_an_empty_choice_of_parties_is_refused_by_name(cast, pending):
    with pytest.raises(InvalidInput) as e:
        services.approve(cast.actor("school_admin"), pending.pk, members=[])
    assert "members" in e.value.fields


def test_an_admin_of_both_sides_approves_for_each_or_all(cast, paired):
    from xietong.accounts.models import Role, RoleAssignment

    tongzhou_admin(cast)
    RoleAssignment.objects.create(
        user=cast.users["school_admin"],
        role=Role.INSTITUTION_ADMIN,
        institution=cast.tongzhou_school,
    )
    v = services.create_agreement(cast.actor("sanhe"), paired.pk, version_in())
    sanhe = paired.members.get(institution=cast.sanhe_school)
    services.approve(cast.actor("school_admin"), v.pk, members=[sanhe.pk])
    v.refresh_from_db()
    assert v.status == VersionStatus.PENDING
    services.approve(cast.actor("school_admin"), v.pk)
    v.refresh_from_db()
    assert v.status == VersionStatus.APPROVED
