"""Records of use (viewed, downloaded, taught in a lesson, feedback) and ratings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xietong.conftest import Cast
from xietong.core.errors import Conflict, InvalidInput, NotFound
from xietong.core.terms import SchoolTerm
from xietong.resources import services
from xietong.resources.choices import ResourceStatus, UseKind, Visibility
from xietong.resources.models import Rating, Resource, Use
from xietong.resources.tests.conftest import make_resource

pytestmark = pytest.mark.django_db


def lesson(day: dt.date | None = None) -> services.UseIn:
    return services.UseIn(kind=UseKind.LESSON, used_on=day, class_name="初二（3）班")


def test_it_records_a_lesson_use_for_the_teachers_school(world: Cast, course: Resource) -> None:
    day = timezone.localdate() - dt.timedelta(days=3)
    use = services.record_use(world.actor("teacher"), course.pk, lesson(day))
    assert use.institution == world.sanhe_school and use.provider == world.tongzhou_school
    assert use.staff == world.sanhe_teacher and use.term == SchoolTerm.containing(day).key
    course.refresh_from_db()
    assert (course.uses, course.lesson_uses) == (1, 1)


def test_it_asks_a_lesson_for_its_class_and_feedback_for_its_text(
    world: Cast, course: Resource
) -> None:
    teacher = world.actor("teacher")
    with pytest.raises(InvalidInput) as e:
        services.record_use(teacher, course.pk, services.UseIn(kind=UseKind.LESSON))
    assert "class_name" in e.value.fields
    with pytest.raises(InvalidInput) as e:
        services.record_use(teacher, course.pk, services.UseIn(kind=UseKind.FEEDBACK))
    assert "feedback" in e.value.fields
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as e:
        services.record_use(teacher, course.pk, lesson(tomorrow))
    assert "used_on" in e.value.fields
    assert not Use.objects.exists()


def test_it_refuses_a_use_of_a_resource_one_cannot_see(world: Cast) -> None:
    hidden = make_resource(world, visibility=Visibility.NAMED, audience=[world.xiongxian_school.pk])
    with pytest.raises(NotFound):
        services.record_use(world.actor("teacher"), hidden.pk, lesson())
    draft = make_resource(world, status=ResourceStatus.DRAFT, title="草稿")
    with pytest.raises(NotFound):
        services.record_use(world.actor("teacher"), draft.pk, lesson())
    assert not Use.objects.exists()


def test_it_lets_only_those_who_used_a_resource_rate_it(world: Cast, course: Resource) -> None:
    teacher = world.actor("teacher")
    with pytest.raises(Conflict):
        services.rate_resource(teacher, course.pk, 5)
    services.record_use(teacher, course.pk, services.UseIn(kind=UseKind.VIEW))
    with pytest.raises(Conflict):  # a look is not a use
        services.rate_resource(teacher, course.pk, 5)
    assert not Rating.objects.exists()

    services.record_use(teacher, course.pk, lesson())
    services.rate_resource(teacher, course.pk, 5, "学生反响很好")
    services.rate_resource(teacher, course.pk, 4, "再看一遍，练习偏难")
    course.refresh_from_db()
    assert (course.rating_count, course.rating_sum, course.rating) == (1, 4, 4.0)
    assert Rating.objects.get().comment == "再看一遍，练习偏难"


def test_it_refuses_stars_outside_one_to_five(world: Cast, course: Resource) -> None:
    teacher = world.actor("teacher")
    services.record_use(teacher, course.pk, lesson())
    for bad in (0, 6, "五", None):
        with pytest.raises(InvalidInput) as e:
            services.rate_resource(teacher, course.pk, bad)
        assert "stars" in e.value.fields
