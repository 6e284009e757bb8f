"""A world of shared resources over the shared cast.

``tongzhou_admin`` keeps the resources of Tongzhou No. 1 (Beijing), ``sanhe_admin`` (the
cast's ``school_admin``) those of Sanhe Experimental. ``reviewer`` reviews mathematics in
北京市, appointed by ``beijing``. ``course``: Tongzhou's mathematics course, published for
the whole region; ``make_resource`` makes others, by default published.
"""

from __future__ import annotations

from typing import Any

import pytest

from xietong.accounts.models import Role
from xietong.conftest import Cast, make_user
from xietong.institutions.models import Institution
from xietong.resources import services
from xietong.resources.choices import ResourceKind, ResourceStatus, Visibility
from xietong.resources.models import Resource, Reviewer


@pytest.fixture
def world(cast: Cast) -> Cast:
    users = cast.users
    users["tongzhou_admin"] = make_user(
        "tongzhou_admin", Role.INSTITUTION_ADMIN, institution=cast.tongzhou_school
    )
    users["reviewer"] = make_user("reviewer", Role.STAFF)
    services.appoint_reviewer(cast.actor("beijing"), "reviewer", "数学", "110000")
    return cast


def make_resource(
    cast: Cast,
    *,
    provider: Institution | None = None,
    keeper: str = "tongzhou_admin",
    status: str = ResourceStatus.PUBLISHED,
    visibility: str = Visibility.REGION,
    **extra: Any,
) -> Resource:
    data = services.ResourceIn(
        kind=extra.pop("kind", ResourceKind.COURSE),
        title=extra.pop("title", "初中数学名师示范课：一元二次方程"),
        description=extra.pop(
            "description", "北京名师主讲的一元二次方程单元示范课，含课件和练习。"
        ),
        stages=extra.pop("stages", "初中"),
        subjects=extra.pop("subjects", "数学"),
        link=extra.pop("link", "https://course.example.edu.cn/math/quadratic"),
        visibility=visibility,
        provider_id=(provider or cast.tongzhou_school).pk,
        **extra,
    )
    resource = services.create_resource(cast.actor(keeper), data)
    if status == ResourceStatus.DRAFT:
        return resource
    services.submit_resource(cast.actor(keeper), resource.pk)
    if status == ResourceStatus.PUBLISHED:
        services.review_resource(
            cast.actor("reviewer"),
            resource.pk,
            services.ReviewIn(verdict="publish", accuracy=5, pedagogy=4, presentation=5),
        )
    resource.refresh_from_db()
    return resource


@pytest.fixture
def course(world: Cast) -> Resource:
    return make_resource(world)


@pytest.fixture
def math_reviewer(world: Cast) -> Reviewer:
    return Reviewer.objects.get(account__username="reviewer")
