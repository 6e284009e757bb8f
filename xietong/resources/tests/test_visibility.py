"""Who reads a published resource, for each visibility (the services' side of the scope
matrix; the pages and the API are checked against the same table in test_pages.py)."""

from __future__ import annotations

import pytest

from xietong import access
from xietong.conftest import Cast
from xietong.core.errors import NotFound
from xietong.partnerships.choices import MemberRole, PartnershipStatus
from xietong.partnerships.tests.conftest import make_partnership
from xietong.resources import services
from xietong.resources.access import readable_resources
from xietong.resources.choices import ResourceStatus, Visibility
from xietong.resources.models import Resource
from xietong.resources.tests.conftest import make_resource

pytestmark = pytest.mark.django_db

EVERYONE = ("teacher", "school_admin", "sanhe", "hebei_viewer", "beijing", "tongzhou_admin")
NEVER = ("secadmin", "auditor", "nobody")


def readers(world: Cast, resource: Resource) -> set[str]:
    out = set()
    for name in world.users:
        actor = world.actor(name)
        listed = readable_resources(actor).filter(pk=resource.pk).exists()
        assert listed == access.can_read(actor, resource), name
        if listed:
            out.add(name)
    return out


def test_it_shows_a_whole_region_resource_to_every_business_role(world: Cast) -> None:
    course = make_resource(world)
    found = readers(world, course)
    assert set(EVERYONE) | {"sysadmin", "reviewer", "tongzhou"} <= found
    assert not found & set(NEVER)


def test_it_shows_a_partners_only_resource_to_the_providers_partners(world: Cast) -> None:
    course = make_resource(world, visibility=Visibility.PARTNERS)
    assert {"teacher", "school_admin", "sanhe"} & readers(world, course) == set()

    make_partnership(
        "通州一中—三河实验结对帮扶",
        "131082",
        [(world.tongzhou_school, MemberRole.LEAD), (world.sanhe_school, MemberRole.SUPPORTED)],
    )
    found = readers(world, course)
    assert {"teacher", "school_admin", "sanhe", "hebei_viewer", "tongzhou_admin"} <= found
    assert not found & set(NEVER)


def test_it_does_not_count_a_draft_or_ended_partnership(world: Cast) -> None:
    course = make_resource(world, visibility=Visibility.PARTNERS)
    for status in (PartnershipStatus.DRAFT, PartnershipStatus.ENDED):
        make_partnership(
            f"结对（{status}）",
            "131082",
            [(world.tongzhou_school, MemberRole.LEAD), (world.sanhe_school, MemberRole.SUPPORTED)],
            status=status,
        )
    assert "teacher" not in readers(world, course)


def test_it_shows_a_region_group_resource_to_the_groups_institutions(world: Cast) -> None:
    course = make_resource(world, visibility=Visibility.GROUP, visible_group="beisanxian")
    found = readers(world, course)
    assert {"teacher", "school_admin", "sanhe", "hebei_viewer"} <= found

    xiongan = make_resource(
        world, visibility=Visibility.GROUP, visible_group="xiongan", title="雄安专题课"
    )
    found = readers(world, xiongan)
    assert not {"teacher", "school_admin", "sanhe"} & found
    assert "hebei_viewer" in found  # Hebei's viewer covers Xiong'an's counties


def test_it_shows_a_named_institutions_resource_to_those_institutions(world: Cast) -> None:
    course = make_resource(world, visibility=Visibility.NAMED, audience=[world.sanhe_school.pk])
    found = readers(world, course)
    assert {"teacher", "school_admin", "sanhe", "hebei_viewer"} <= found

    other = make_resource(
        world, visibility=Visibility.NAMED, audience=[world.xiongxian_school.pk], title="雄县专题"
    )
    assert not {"teacher", "school_admin", "sanhe"} & readers(world, other)


def test_it_shows_an_unpublished_resource_to_its_keepers_and_authorities_only(
    world: Cast,
) -> None:
    draft = make_resource(world, status=ResourceStatus.DRAFT)
    assert readers(world, draft) == {"tongzhou_admin", "tongzhou", "beijing"}
    submitted = make_resource(world, status=ResourceStatus.SUBMITTED, title="待审课程")
    assert readers(world, submitted) == {"tongzhou_admin", "tongzhou", "beijing", "reviewer"}
    with pytest.raises(NotFound):
        services.load(world.actor("teacher"), submitted.pk)
