"""A resource goes draft → submitted → published or returned, and may be withdrawn."""

from __future__ import annotations

import pytest

from xietong import access
from xietong.accounts.models import AuditEvent
from xietong.conftest import Cast
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.notifications.models import Notification
from xietong.resources import services
from xietong.resources.choices import ResourceStatus
from xietong.resources.models import Resource, Review
from xietong.resources.tests.conftest import make_resource

pytestmark = pytest.mark.django_db


def test_it_publishes_a_submitted_course_and_tells_its_keepers(world: Cast) -> None:
    draft = make_resource(world, status=ResourceStatus.DRAFT)
    services.submit_resource(world.actor("tongzhou_admin"), draft.pk)
    told = Notification.objects.filter(code="resources.submitted", recipient__username="reviewer")
    assert told.count() == 1

    services.review_resource(
        world.actor("reviewer"),
        draft.pk,
        services.ReviewIn(verdict="publish", accuracy=5, pedagogy=4, presentation=4),
    )

    draft.refresh_from_db()
    assert draft.status == ResourceStatus.PUBLISHED and draft.published_at is not None
    assert Review.objects.get(resource=draft).pedagogy == 4
    assert Notification.objects.filter(
        code="resources.published", recipient__username="tongzhou_admin"
    ).exists()
    assert AuditEvent.objects.filter(action="resources.resource.publish").count() == 1


def test_it_returns_a_resource_only_with_a_comment(world: Cast) -> None:
    draft = make_resource(world, status=ResourceStatus.SUBMITTED)
    silent = services.ReviewIn(verdict="return", accuracy=3, pedagogy=2, presentation=3)
    with pytest.raises(InvalidInput) as e:
        services.review_resource(world.actor("reviewer"), draft.pk, silent)
    assert "comment" in e.value.fields
    draft.refresh_from_db()
    assert draft.status == ResourceStatus.SUBMITTED and not Review.objects.exists()

    services.review_resource(
        world.actor("reviewer"),
        draft.pk,
        services.ReviewIn(
            verdict="return", accuracy=3, pedagogy=2, presentation=3, comment="请补充练习答案"
        ),
    )
    draft.refresh_from_db()
    assert draft.status == ResourceStatus.RETURNED and draft.return_comment == "请补充练习答案"
    assert "submit" in access.actions(world.actor("tongzhou_admin"), draft)


def test_it_refuses_a_review_by_someone_not_appointed_for_the_subject(world: Cast) -> None:
    chinese = make_resource(
        world, status=ResourceStatus.SUBMITTED, title="语文阅读课", subjects="语文"
    )
    with pytest.raises(NotFound):  # a submitted resource is hidden from other reviewers
        services.review_resource(
            world.actor("reviewer"),
            chinese.pk,
            services.ReviewIn(verdict="publish", accuracy=5, pedagogy=5, presentation=5),
        )
    with pytest.raises(PermissionDenied):  # its keeper reads it but does not review it
        services.review_resource(
            world.actor("tongzhou_admin"),
            chinese.pk,
            services.ReviewIn(verdict="publish", accuracy=5, pedagogy=5, presentation=5),
        )
    chinese.refresh_from_db()
    assert chinese.status == ResourceStatus.SUBMITTED


def test_it_asks_for_every_score_from_one_to_five(world: Cast) -> None:
    draft = make_resource(world, status=ResourceStatus.SUBMITTED)
    for bad in (0, 6, "x", None):
        with pytest.raises(InvalidInput) as e:
            services.review_resource(
                world.actor("reviewer"),
                draft.pk,
                services.ReviewIn(verdict="publish", accuracy=bad, pedagogy=4, presentation=4),
            )
        assert "accuracy" in e.value.fields


def test_it_will_not_submit_a_course_without_a_link_or_a_file(world: Cast) -> None:
    draft = make_resource(world, status=ResourceStatus.DRAFT, link="")
    with pytest.raises(InvalidInput) as e:
        services.submit_resource(world.actor("tongzhou_admin"), draft.pk)
    assert list(e.value.fields) == ["link"]
    draft.refresh_from_db()
    assert draft.status == ResourceStatus.DRAFT


def test_it_withdraws_a_published_resource_with_a_reason(world: Cast, course: Resource) -> None:
    with pytest.raises(InvalidInput):
        services.withdraw_resource(world.actor("tongzhou_admin"), course.pk, "  ")
    services.withdraw_resource(world.actor("beijing"), course.pk, "版权到期")
    course.refresh_from_db()
    assert course.status == ResourceStatus.WITHDRAWN and course.withdraw_reason == "版权到期"
    with pytest.raises(NotFound):  # no longer seen by its audience
        services.load(world.actor("teacher"), course.pk)
    with pytest.raises(Conflict):
        services.withdraw_resource(world.actor("tongzhou_admin"), course.pk, "again")


def test_it_keeps_resources_for_the_providers_admins_only(world: Cast) -> None:
    with pytest.raises(PermissionDenied):
        make_resource(world, keeper="school_admin")  # Sanhe's admin, Tongzhou's course
    assert not Resource.objects.exists()


def test_it_names_the_field_of_bad_metadata(world: Cast) -> None:
    admin = world.actor("tongzhou_admin")
    cases = {
        "kind": services.ResourceIn(kind="film", title="x"),
        "title": services.ResourceIn(kind="course", title=" "),
        "subjects": services.ResourceIn(kind="course", title="x", subjects="炼金术"),
        "link": services.ResourceIn(kind="course", title="x", link="javascript:alert(1)"),
        "visible_group": services.ResourceIn(kind="course", title="x", visibility="group"),
        "audience": services.ResourceIn(kind="course", title="x", visibility="named"),
        "capacity": services.ResourceIn(kind="lab", title="x", capacity=-3),
    }
    for name, data in cases.items():
        with pytest.raises(InvalidInput) as e:
            services.create_resource(admin, data)
        assert name in e.value.fields, name
    assert not Resource.objects.exists()
