"""The demo's shared resources (``xietong.demo.resources``) at the README's scale: the
named schools' courses, studios, practice bases and labs with their providers; a review
history with work left in the demo reviewer's queue; uses dated in order within terms,
weighted so that 三河市赵河沟小学 is among the heaviest users; ratings only by users."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from xietong import access
from xietong.accounts.access import actor_for
from xietong.accounts.models import AuditEvent, User
from xietong.core.terms import SchoolTerm
from xietong.demo import named
from xietong.demo import resources as story
from xietong.notifications.models import Notification
from xietong.resources.choices import PLACES, ResourceKind, ResourceStatus, UseKind, Verdict
from xietong.resources.models import Rating, Resource, Review, Reviewer, Use
from xietong.resources.services import RATING_USES

# one worker loads the shared demo of these tests (see scripts/run_tests.sh)
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("readme_scale")]


def resource(spec: story.Spec) -> Resource:
    return Resource.objects.get(provider=named.institution(spec.provider), title=spec.title)


def test_the_named_resources_exist_with_their_providers_and_authors(demo: None) -> None:
    assert story.demo_resources().count() == len(story.RESOURCES)
    for spec in story.RESOURCES:
        r = resource(spec)
        assert r.kind == spec.kind and r.visibility == spec.visibility, spec.title
        authors = list(r.author_rows.values_list("staff_id", flat=True))
        assert authors == [named.staff(k).pk for k in spec.authors], spec.title
        if r.kind in PLACES:
            assert r.address and r.capacity and r.open_term_keys, spec.title
    labs = Resource.objects.filter(kind=ResourceKind.LAB)
    assert {lab.provider.name for lab in labs} == {"北京交通大学唐山研究院"}
    assert {lab.subject_list[0] for lab in labs} == {"X16", "X17", "X18"}  # 交通、材料、能源
    community = Resource.objects.filter(title__startswith="共同体共享课程")
    assert community.count() == 4
    assert {r.visible_group.key for r in community if r.visible_group} == {"binhai"}
    assert {r.provider.region_path[:6] for r in community} == {"110000"}
    groups = set(Resource.objects.values_list("visible_group__key", flat=True))
    assert {"xiongan", "beisanxian", "binhai"} <= groups


def test_every_use_is_dated_in_order_within_terms_after_its_publication(demo: None) -> None:
    today = timezone.localdate()
    uses = list(
        Use.objects.order_by("pk").values_list(
            "used_on", "term", "resource__published_at", "resource__withdrawn_at", "created_at"
        )
    )
    assert len(uses) > 500
    days = [u[0] for u in uses]
    assert days == sorted(days)
    assert [u[4] for u in uses] == sorted(u[4] for u in uses)
    assert days[0] >= story.FIRST_USE and days[-1] <= today
    for day, term, published, withdrawn, _created in uses:
        assert published is not None and day > timezone.localtime(published).date()
        assert withdrawn is None or day < timezone.localtime(withdrawn).date()
        school_term = SchoolTerm.containing(day)
        assert term == school_term.key
        assert day.weekday() < 5 and school_term.starts_on <= day <= school_term.ends_on


def test_a_place_is_used_only_in_the_terms_it_opens(demo: None) -> None:
    for r in Resource.objects.filter(kind__in=PLACES):
        terms = set(r.use_rows.values_list("term", flat=True))
        assert terms and terms <= set(r.open_term_keys), r.title


def test_zhaohegou_is_among_the_top_three_using_schools(demo: None) -> None:
    top = [name for name, _n in story.using_institutions(3)]
    assert "三河市赵河沟小学" in top


def test_uses_lean_toward_paired_schools(demo: None) -> None:
    """Hebei schools in a partnership with a Beijing or Tianjin one use far more, for their
    number of teachers, than the other Hebei schools."""
    from xietong.institutions.choices import TEACHING_POSITIONS
    from xietong.institutions.models import Staff

    paired = story._pool().paired - {named.institution(story.HEAVY).pk}
    hebei = Use.objects.filter(region_path__startswith="130000/")
    teachers = Staff.objects.filter(
        institution__region_path__startswith="130000/", position__in=TEACHING_POSITIONS
    )
    use_share = hebei.filter(institution__in=paired).count() / hebei.count()
    staff_share = teachers.filter(institution__in=paired).count() / teachers.count()
    assert use_share > 2 * staff_share


def test_lessons_name_a_class_and_feedback_has_text(demo: None) -> None:
    lessons = Use.objects.filter(kind=UseKind.LESSON)
    assert lessons.count() > 200
    assert not lessons.filter(class_name="").exists()
    assert (
        lessons.filter(class_name="三年级（2）班").exists()
        or lessons.filter(class_name__regex=r"^三年级（\d）班$").exists()
    )
    assert not Use.objects.filter(kind=UseKind.FEEDBACK, feedback="").exists()
    assert not Use.objects.exclude(kind=UseKind.LESSON).exclude(class_name="").exists()


def test_ratings_are_only_by_users_who_used_the_resource(demo: None) -> None:
    ratings = Rating.objects.all()
    assert ratings.count() > 50
    for resource_id, account_id in ratings.values_list("resource_id", "account_id"):
        assert Use.objects.filter(
            resource_id=resource_id, account_id=account_id, kind__in=RATING_USES
        ).exists()
    named_raters = ratings.exclude(account__username__regex=r"^teacher\d+$")
    assert named_raters.exists()  # some through the service, as the named people


def test_the_counters_are_those_of_the_records(demo: None) -> None:
    for r in Resource.objects.annotate(
        n=Count("use_rows", distinct=True),
    ):
        assert r.uses == r.n, r.title
        assert r.lesson_uses == r.use_rows.filter(kind=UseKind.LESSON).count(), r.title
        agg = r.ratings.aggregate(n=Count("pk"), s=Sum("stars"))
        assert (r.rating_count, r.rating_sum) == (agg["n"], agg["s"] or 0), r.title


def test_the_demo_reviewer_has_submitted_resources_to_review(demo: None) -> None:
    reviewer = User.objects.get(username="reviewer")
    row = Reviewer.objects.get(account=reviewer, subject="14")  # 数学
    assert (row.region.code, row.appointed_by.username if row.appointed_by else None) == (
        "110000",
        "beijing",
    )
    queue = Resource.objects.filter(
        access.read_q(actor_for(reviewer), Resource), status=ResourceStatus.SUBMITTED
    )
    assert queue.count() >= 2
    assert all(r.provider_path.startswith("110000/") for r in queue)
    assert Notification.objects.filter(
        recipient=reviewer, code="resources.submitted", read_at__isnull=True
    ).exists()


def test_some_were_returned_and_submitted_again_and_one_withdrawn(demo: None) -> None:
    returned = Resource.objects.filter(reviews__verdict=Verdict.RETURN).distinct()
    assert returned.count() == sum(1 for s in story.RESOURCES if s.returned) >= 2
    for r in returned:
        assert r.status == ResourceStatus.PUBLISHED and r.returned_at and r.published_at
        assert r.returned_at < r.submitted_at < r.published_at
        verdicts = list(r.reviews.order_by("created_at").values_list("verdict", flat=True))
        assert verdicts == [Verdict.RETURN, Verdict.PUBLISH]
    [withdrawn] = Resource.objects.filter(status=ResourceStatus.WITHDRAWN)
    assert withdrawn.withdraw_reason and withdrawn.withdrawn_at
    assert withdrawn.published_at and withdrawn.published_at < withdrawn.withdrawn_at
    for review in Review.objects.all():
        assert review.reviewer_id is not None
        author_users = set(review.resource.authors.values_list("user_id", flat=True))
        assert review.reviewer_id not in author_users  # nobody reviews their own


def test_the_story_is_dated_in_the_past_and_old_notices_are_read(demo: None) -> None:
    now = timezone.now()
    for r in Resource.objects.all():
        stamps = [r.created_at, r.submitted_at, r.published_at]
        assert all(s is None or s <= now for s in stamps), r.title
        assert r.published_at is None or r.submitted_at < r.published_at
    notices = Notification.objects.filter(code__startswith="resources.")
    assert notices.exists() and not notices.filter(created_at__gt=now).exists()
    old = notices.filter(created_at__lt=now - dt.timedelta(days=story.READ_AFTER_DAYS))
    assert old.exists() and not old.filter(read_at__isnull=True).exists()


@pytest.mark.parametrize("username", ["teacher", "sanhe_teacher"])
def test_the_readme_teachers_find_beijing_courses_and_have_used_some(
    demo: None, username: str
) -> None:
    user = User.objects.get(username=username)
    actor = actor_for(user)
    readable = Resource.objects.filter(access.read_q(actor, Resource))
    beijing = readable.filter(kind=ResourceKind.COURSE, provider_path__startswith="110000/")
    assert beijing.count() >= 3
    used = Use.objects.filter(account=user)
    assert used.filter(kind=UseKind.LESSON, resource__provider_path__startswith="110000/").exists()
    for r in Resource.objects.filter(use_rows__account=user, status=ResourceStatus.PUBLISHED):
        assert "use" in access.actions(actor, r), r.title


def test_a_sample_of_users_could_use_what_they_used(demo: None) -> None:
    pairs = (
        Use.objects.filter(resource__status=ResourceStatus.PUBLISHED)
        .values_list("account_id", "resource_id")
        .distinct()
        .order_by("account_id", "resource_id")
    )
    sample = list(pairs)[::17][:25]
    assert len(sample) >= 10
    for account_id, resource_id in sample:
        actor = actor_for(User.objects.get(pk=account_id))
        assert "use" in access.actions(actor, Resource.objects.get(pk=resource_id))


def test_a_second_load_writes_nothing_new(demo: None) -> None:
    counts = (Resource.objects.count(), Use.objects.count(), Rating.objects.count())
    events = AuditEvent.objects.count()
    again = story.load()
    assert (again.created, again.uses, again.ratings, again.reviewers) == (0, 0, 0, 0)
    assert again.unchanged == len(story.RESOURCES)
    assert (Resource.objects.count(), Use.objects.count(), Rating.objects.count()) == counts
    assert AuditEvent.objects.count() == events
