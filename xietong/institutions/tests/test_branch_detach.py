"""A branch campus answers to its parent's admin: only who manages the parent may detach it."""

from __future__ import annotations

import pytest

from xietong.accounts.access import actor_for
from xietong.accounts.models import Role
from xietong.conftest import make_user, region
from xietong.core.errors import PermissionDenied
from xietong.institutions import services


def test_the_branch_campus_admin_cannot_detach_it_from_its_parent(cast):
    branch_admin = make_user("branch_admin", Role.INSTITUTION_ADMIN, institution=cast.sanhe_branch)
    with pytest.raises(PermissionDenied) as refused:
        services.update_institution(actor_for(branch_admin), cast.sanhe_branch.pk, {"parent": None})
    assert "Sanhe Experimental" in str(refused.value.message)
    cast.sanhe_branch.refresh_from_db()
    assert cast.sanhe_branch.parent_id == cast.sanhe_school.pk


def test_the_authority_of_the_branch_alone_cannot_detach_it_either(cast):
    dachang = make_user(
        "dachang", Role.AUTHORITY_ADMIN, region=region(cast.sanhe_branch.region.code)
    )
    with pytest.raises(PermissionDenied):
        services.update_institution(actor_for(dachang), cast.sanhe_branch.pk, {"parent": None})


def test_the_parents_admin_detaches_its_branch(cast):
    services.update_institution(cast.actor("school_admin"), cast.sanhe_branch.pk, {"parent": None})
    cast.sanhe_branch.refresh_from_db()
    assert cast.sanhe_branch.parent_id is None


def test_the_branch_admin_still_edits_the_rest_of_its_record(cast):
    branch_admin = make_user("branch_admin", Role.INSTITUTION_ADMIN, institution=cast.sanhe_branch)
    services.update_institution(
        actor_for(branch_admin), cast.sanhe_branch.pk, {"address": "大厂回族自治县"}
    )
    cast.sanhe_branch.refresh_from_db()
    assert cast.sanhe_branch.address == "大厂回族自治县"
