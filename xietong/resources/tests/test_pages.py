"""The resource pages: the catalogue with its facets, one resource, using and rating it,
the keeper's form, the review queue and the reviewers' page — the scope matrix of
test_visibility.py seen through the pages, bounded queries and every form's bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from xietong.accounts.models import Role
from xietong.attachments import services as attachments
from xietong.conftest import Cast, make_user
from xietong.partnerships.choices import MemberRole
from xietong.partnerships.tests.conftest import make_partnership
from xietong.resources import services
from xietong.resources.choices import ResourceKind, ResourceStatus, UseKind, Visibility
from xietong.resources.models import Rating, Resource, Review, Reviewer, Use
from xietong.resources.tests.conftest import make_resource

pytestmark = pytest.mark.django_db

MATH = "初中数学名师示范课：一元二次方程"


def zh(message: str) -> str:
    """A message as the pages show it (Chinese, the default language)."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def client(world: Cast, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


@pytest.fixture
def outsider(world: Cast) -> Cast:
    """``xiongxian_admin``: an admin of Xiongxian No. 1, outside 北三县 and Sanhe's partners."""
    world.users["xiongxian_admin"] = make_user(
        "xiongxian_admin", Role.INSTITUTION_ADMIN, institution=world.xiongxian_school
    )
    return world


@pytest.fixture(autouse=True)
def _more_subjects(world: Cast) -> None:
    """The reviewer reviews Chinese and physics too (the resources made below)."""
    for subject in ("语文", "物理"):
        services.appoint_reviewer(world.actor("beijing"), "reviewer", subject, "110000")


def _partners(world: Cast) -> None:
    make_partnership(
        "通州一中—三河实验结对帮扶",
        "131082",
        [(world.tongzhou_school, MemberRole.LEAD), (world.sanhe_school, MemberRole.SUPPORTED)],
    )


VISIBILITIES: dict[str, dict[str, Any]] = {
    "region": {},
    "partners": {"visibility": Visibility.PARTNERS},
    "group": {"visibility": Visibility.GROUP, "visible_group": "beisanxian"},
    "named": {"visibility": Visibility.NAMED},
}
READERS = ("teacher", "school_admin", "sanhe", "hebei_viewer", "tongzhou_admin", "beijing")
NEVER = ("secadmin", "auditor", "nobody")


@pytest.mark.parametrize("visibility", list(VISIBILITIES))
def test_it_lists_and_shows_a_resource_exactly_to_its_audience(
    outsider: Cast, visibility: str
) -> None:
    world = outsider
    extra = dict(VISIBILITIES[visibility])
    if visibility == "partners":
        _partners(world)
    if visibility == "named":
        extra["audience"] = [world.sanhe_school.pk]
    resource = make_resource(world, **extra)
    shut_out = NEVER if visibility == "region" else (*NEVER, "xiongxian_admin")
    for name in (*READERS, *shut_out):
        c = client(world, name)
        page = c.get(reverse("resources:list"))
        one = c.get(reverse("resources:detail", args=[resource.pk]))
        if name in READERS:
            assert page.status_code == 200 and MATH in page.content.decode(), name
            assert one.status_code == 200, name
        else:
            assert MATH not in page.content.decode() if page.status_code == 200 else True, name
            assert one.status_code == 404, name
    if visibility == "region":
        assert (
            MATH in client(world, "xiongxian_admin").get(reverse("resources:list")).content.decode()
        )


def test_it_keeps_drafts_out_of_the_catalogue_but_lists_them_to_their_keepers(
    world: Cast,
) -> None:
    draft = make_resource(world, status=ResourceStatus.DRAFT, title="草稿课程")
    keeper = client(world, "tongzhou_admin")
    assert "草稿课程" not in keeper.get(reverse("resources:list")).content.decode()
    assert "草稿课程" in keeper.get(reverse("resources:list") + "?status=draft").content.decode()
    assert "草稿课程" in keeper.get(reverse("resources:mine")).content.decode()
    teacher = client(world, "teacher")
    assert "草稿课程" not in teacher.get(reverse("resources:list") + "?status=all").content.decode()
    assert teacher.get(reverse("resources:detail", args=[draft.pk])).status_code == 404
    assert teacher.get(reverse("resources:mine")).status_code == 403


def test_it_counts_the_facets_on_the_filtered_catalogue(world: Cast) -> None:
    make_resource(world)
    make_resource(world, title="小学语文朗读课", stages="小学", subjects="语文", edition="renjiao")
    make_resource(world, title="初中物理实验", subjects="物理", kind=ResourceKind.LESSON_VIDEO)
    c = client(world, "teacher")
    html = c.get(reverse("resources:list")).content.decode()
    assert 'data-testid="facet-stage-junior"' in html and 'data-testid="facet-subject-13"' in html
    page = c.get(reverse("resources:list") + "?stage=junior")
    facets = {f.name: {v: n for v, _l, n in f.values} for f in page.context["facets"]}
    assert facets["subject"] == {"14": 1, "16": 1}
    assert facets["stage"] == {"junior": 2, "primary": 1}  # its own filter does not narrow it
    assert facets["kind"] == {"course": 1, "lesson_video": 1}
    region = facets["region"]
    assert sum(region.values()) == 2 and len(region) == 1  # 北京市
    assert "小学语文朗读课" not in page.content.decode()
    searched = c.get(reverse("resources:list") + "?q=朗读")
    assert [r.title for r in searched.context["page"].object_list] == ["小学语文朗读课"]


def test_a_search_of_the_catalogue_pages_title_matches_first_then_by_use(world: Cast) -> None:
    in_titles = [make_resource(world, title=f"初中数学勾股定理 {i}") for i in range(24)]
    proof = "勾股定理的证明。"
    elsewhere = [make_resource(world, title=f"初中几何 {i}", description=proof) for i in range(6)]
    for n, r in enumerate(in_titles + elsewhere):
        Resource.objects.filter(pk=r.pk).update(uses=n % 5)
    expected = [
        r.pk
        for r in sorted(
            Resource.objects.filter(pk__in=[r.pk for r in in_titles + elsewhere]),
            key=lambda r: (r.title.startswith("初中几何"), -r.uses, -r.lesson_uses, -r.pk),
        )
    ]
    c = client(world, "teacher")
    shown: list[int] = []
    for number in (1, 2):
        page = c.get(reverse("resources:list"), {"q": "勾股定理", "page": number})
        assert page.context["page"].paginator.count == 30
        shown += [r.pk for r in page.context["page"].object_list]
    assert shown == expected
    junior = c.get(reverse("resources:list"), {"q": "勾股定理", "stage": "primary"})
    assert list(junior.context["page"].object_list) == []


def test_it_lists_the_catalogue_in_the_same_number_of_queries_for_3_and_20_resources(
    world: Cast,
) -> None:
    def count() -> int:
        c = client(world, "teacher")
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("resources:list") + "?page_size=50").status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        make_resource(world, title=f"课程 {i}", edition="renjiao")
    few = count()
    for i in range(17):
        make_resource(world, title=f"更多课程 {i}", subjects="语文、数学", stages="小学、初中")
    assert count() == few
    assert few < 40


def test_it_answers_bad_filters_with_their_message(world: Cast) -> None:
    c = client(world, "teacher")
    page = c.get(reverse("resources:list") + "?kind=castle&q=" + "x" * 200)
    assert page.status_code == 200 and page.context["page"] is None
    assert page.context["form"].errors.keys() == {"kind", "q"}


# --- one resource: use, views and downloads, ratings --------------------------------------


def test_it_records_a_lesson_use_in_two_clicks_prefilled_with_today_and_the_last_class(
    world: Cast, course: Resource
) -> None:
    other = make_resource(world, title="另一门课")
    services.record_use(
        world.actor("teacher"),
        other.pk,
        services.UseIn(kind=UseKind.LESSON, class_name="初二（3）班"),
    )
    c = client(world, "teacher")
    page = c.get(reverse("resources:detail", args=[course.pk]))
    form = page.context["use_form"]
    assert form.initial == {"used_on": timezone.localdate(), "class_name": "初二（3）班"}
    assert 'data-testid="use-open"' in page.content.decode()
    done = c.post(
        reverse("resources:use", args=[course.pk]),
        {"used_on": timezone.localdate().isoformat(), "class_name": "初二（3）班"},
    )
    assert done.status_code == 302
    use = Use.objects.get(resource=course)
    assert (use.kind, use.class_name, use.institution) == (
        "lesson",
        "初二（3）班",
        world.sanhe_school,
    )


def test_it_offers_the_one_button_lesson_use_with_today_and_the_last_class_only(
    world: Cast, course: Resource
) -> None:
    c = client(world, "teacher")
    url = reverse("resources:detail", args=[course.pk])
    first = c.get(url).content.decode()
    assert 'data-testid="quick-use"' not in first  # no class yet: the form asks for it
    assert 'data-testid="use-open"' in first
    other = make_resource(world, title="另一门课")
    services.record_use(
        world.actor("teacher"), other.pk, services.UseIn(kind=UseKind.LESSON, class_name="一班")
    )
    page = c.get(url).content.decode()
    today = timezone.localdate().isoformat()
    assert 'data-testid="quick-use"' in page
    assert f'name="used_on" value="{today}"' in page and 'name="class_name" value="一班"' in page
    with translation.override("zh-hans"):
        question = translation.gettext(
            "Record a lesson taught with this resource today (%(day)s) to %(class)s?"
        ) % {"day": today, "class": "一班"}
    assert f'data-confirm="{question}"' in page
    # The confirmed button posts the lesson use as it was shown (the day and the class).
    done = c.post(
        reverse("resources:use", args=[course.pk]), {"used_on": today, "class_name": "一班"}
    )
    assert done.status_code == 302
    use = Use.objects.get(resource=course)
    assert (use.kind, use.used_on, use.class_name) == ("lesson", timezone.localdate(), "一班")


def test_it_sends_feedback_to_the_provider_as_a_use_and_shows_it_on_the_provider_view(
    world: Cast, course: Resource
) -> None:
    c = client(world, "teacher")
    url = reverse("resources:feedback", args=[course.pk])
    before = c.get(reverse("resources:detail", args=[course.pk])).content.decode()
    assert 'data-testid="feedback-form"' not in before  # offered once the teacher used it
    blank = c.post(url, {"feedback": "  "})
    assert blank.status_code == 422 and "feedback" in blank.context["feedback_form"].errors
    assert not Use.objects.exists()
    done = c.post(url, {"feedback": "学生很投入，练习偏难。"})
    assert done.status_code == 302
    use = Use.objects.get(resource=course)
    assert (use.kind, use.feedback, use.institution) == (
        "feedback",
        "学生很投入，练习偏难。",
        world.sanhe_school,
    )
    page = c.get(reverse("resources:detail", args=[course.pk])).content.decode()
    assert 'data-testid="feedback-form"' in page
    keeper = client(world, "tongzhou_admin")
    view = keeper.get(reverse("resource_flows:provider", args=[world.tongzhou_school.pk]))
    feedback = view.context["view"].feedback
    assert [(x["feedback"], x["institution__name"]) for x in feedback] == [
        ("学生很投入，练习偏难。", "Sanhe Experimental")
    ]
    assert 'data-testid="provider-feedback"' in view.content.decode()


def test_it_answers_feedback_on_a_resource_one_cannot_see_with_404(outsider: Cast) -> None:
    world = outsider
    hidden = make_resource(world, visibility=Visibility.NAMED, audience=[world.sanhe_school.pk])
    c = client(world, "xiongxian_admin")
    answer = c.post(reverse("resources:feedback", args=[hidden.pk]), {"feedback": "很好"})
    assert answer.status_code == 404
    assert not Use.objects.exists()


def test_it_answers_a_bad_use_with_the_fields_message_and_records_nothing(
    world: Cast, course: Resource
) -> None:
    c = client(world, "teacher")
    url = reverse("resources:use", args=[course.pk])
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    bad = c.post(url, {"used_on": tomorrow, "class_name": "初二（3）班"})
    assert bad.status_code == 422
    assert "used_on" in bad.context["use_form"].errors
    blank = c.post(url, {"used_on": timezone.localdate().isoformat(), "class_name": ""})
    assert blank.status_code == 422 and "class_name" in blank.context["use_form"].errors
    assert not Use.objects.exists()


def test_it_answers_a_use_of_a_resource_one_cannot_see_with_404(outsider: Cast) -> None:
    world = outsider
    hidden = make_resource(world, visibility=Visibility.NAMED, audience=[world.sanhe_school.pk])
    c = client(world, "xiongxian_admin")
    today = timezone.localdate().isoformat()
    answer = c.post(
        reverse("resources:use", args=[hidden.pk]), {"used_on": today, "class_name": "一班"}
    )
    assert answer.status_code == 404
    assert c.get(reverse("resources:open", args=[hidden.pk])).status_code == 404
    assert c.post(reverse("resources:rate", args=[hidden.pk]), {"stars": "5"}).status_code == 404
    assert not Use.objects.exists()


def test_it_records_a_view_when_the_link_is_followed_and_a_download_for_a_file(
    world: Cast, settings: Any, tmp_path: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    draft = make_resource(world, status=ResourceStatus.DRAFT, title="带讲义的课程")
    upload = SimpleUploadedFile(
        "讲义.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
    )
    att = attachments.attach(world.actor("tongzhou_admin"), draft, upload)
    services.submit_resource(world.actor("tongzhou_admin"), draft.pk)
    services.review_resource(
        world.actor("reviewer"),
        draft.pk,
        services.ReviewIn(verdict="publish", accuracy=5, pedagogy=5, presentation=5),
    )
    course = draft
    c = client(world, "teacher")
    followed = c.get(reverse("resources:open", args=[course.pk]))
    assert followed.status_code == 302 and followed["Location"] == course.link
    page = c.get(reverse("resources:detail", args=[course.pk])).content.decode()
    assert reverse("resources:file", args=[course.pk, att.pk]) in page
    got = c.get(reverse("resources:file", args=[course.pk, att.pk]))
    assert got.status_code == 200
    assert sorted(Use.objects.values_list("kind", flat=True)) == ["download", "view"]
    unpublished = make_resource(world, status=ResourceStatus.DRAFT, title="草稿")
    keeper = client(world, "tongzhou_admin")  # a look at a draft is not a use
    assert keeper.get(reverse("resources:open", args=[unpublished.pk])).status_code == 302
    assert Use.objects.count() == 2


def test_it_offers_a_rating_only_after_use_and_refuses_one_before(
    world: Cast, course: Resource
) -> None:
    c = client(world, "teacher")
    page = c.get(reverse("resources:detail", args=[course.pk])).content.decode()
    assert 'data-testid="rate-after-use"' in page and 'data-testid="rating-form"' not in page
    refused = c.post(reverse("resources:rate", args=[course.pk]), {"stars": "5"})
    assert refused.status_code == 422
    assert zh("Rate a resource once you have used it: record its use first.") in (
        refused.context["rating_form"].non_field_errors()
    )
    assert not Rating.objects.exists()

    services.record_use(
        world.actor("teacher"), course.pk, services.UseIn(kind=UseKind.LESSON, class_name="一班")
    )
    assert (
        'data-testid="rating-form"'
        in c.get(reverse("resources:detail", args=[course.pk])).content.decode()
    )
    no_stars = c.post(reverse("resources:rate", args=[course.pk]), {"stars": "9"})
    assert no_stars.status_code == 422 and "stars" in no_stars.context["rating_form"].errors
    done = c.post(reverse("resources:rate", args=[course.pk]), {"stars": "4", "comment": "好用"})
    assert done.status_code == 302
    assert Rating.objects.get().stars == 4


# --- the keeper's form and steps ----------------------------------------------------------


def _form_data(**extra: Any) -> dict[str, Any]:
    data = {
        "kind": "course",
        "title": "高中化学实验微课",
        "description": "十个演示实验。",
        "stages": ["senior"],
        "subjects": ["17"],
        "licence": "region-share",
        "link": "https://chem.example.edu.cn/",
        "visibility": "region",
    }
    data.update(extra)
    return data


def test_it_creates_a_draft_with_authors_and_kind_dependent_fields(world: Cast) -> None:
    c = client(world, "tongzhou_admin")
    assert c.get(reverse("resources:new")).status_code == 200
    answer = c.post(
        reverse("resources:new"),
        _form_data(
            kind="practice_base",
            address="北京市通州区运河东大街",
            capacity="60",
            open_terms="2025-2026-1",
            author_0=str(world.beijing_teacher.pk),
        ),
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    r = Resource.objects.get(title="高中化学实验微课")
    assert (r.status, r.capacity, r.open_term_keys) == ("draft", 60, [20251])
    assert list(r.authors.all()) == [world.beijing_teacher]
    edit = c.get(reverse("resources:edit", args=[r.pk]))
    assert (
        edit.status_code == 200
        and edit.context["form"].initial["author_0"] == world.beijing_teacher.pk
    )


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"title": ""}, "title"),
        ({"link": "ftp://x"}, "link"),
        ({"kind": "castle"}, "kind"),
        ({"visibility": "group", "visible_group": ""}, "visible_group"),
        ({"visibility": "named"}, "audience"),
        ({"subjects": ["炼金术"]}, "subjects"),
        ({"kind": "lab", "capacity": "-3"}, "capacity"),
        ({"kind": "lab", "open_terms": "明年"}, "open_terms"),
    ],
)
def test_it_answers_each_bad_field_of_the_form_with_its_message(
    world: Cast, extra: dict[str, Any], field: str
) -> None:
    answer = client(world, "tongzhou_admin").post(reverse("resources:new"), _form_data(**extra))
    assert answer.status_code == 422
    assert field in answer.context["form"].errors, answer.context["form"].errors
    assert not Resource.objects.exists()


def test_it_refuses_an_author_outside_the_provider(world: Cast) -> None:
    answer = client(world, "tongzhou_admin").post(
        reverse("resources:new"), _form_data(author_0=str(world.sanhe_teacher.pk))
    )
    assert answer.status_code == 422 and "author_0" in answer.context["form"].errors


def test_it_refuses_the_form_to_whoever_keeps_no_institution(world: Cast) -> None:
    assert client(world, "teacher").get(reverse("resources:new")).status_code == 403
    course = make_resource(world)
    assert (
        client(world, "school_admin").get(reverse("resources:edit", args=[course.pk])).status_code
        == 403
    )


def test_it_submits_withdraws_and_deletes_through_the_pages(world: Cast) -> None:
    c = client(world, "tongzhou_admin")
    draft = make_resource(world, status=ResourceStatus.DRAFT, description="")
    refused = c.post(reverse("resources:submit", args=[draft.pk]), follow=True)
    assert zh("Describe the resource.") in refused.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert c.post(reverse("resources:delete", args=[draft.pk])).status_code == 302
    assert not Resource.objects.filter(pk=draft.pk).exists()

    course = make_resource(world)
    no_reason = c.post(reverse("resources:withdraw", args=[course.pk]), {"reason": ""})
    assert no_reason.status_code == 422 and "reason" in no_reason.context["withdraw_form"].errors
    done = c.post(reverse("resources:withdraw", args=[course.pk]), {"reason": "教材已更新"})
    assert done.status_code == 302
    course.refresh_from_db()
    assert (course.status, course.withdraw_reason) == ("withdrawn", "教材已更新")
    assert c.post(reverse("resources:delete", args=[course.pk])).status_code == 302  # not now
    assert Resource.objects.filter(pk=course.pk).exists()


# --- review -------------------------------------------------------------------------------


RUBRIC = {"accuracy": "5", "pedagogy": "4", "presentation": "4", "comment": "内容准确"}


def test_it_lists_the_review_queue_and_publishes_from_it(world: Cast) -> None:
    submitted = make_resource(world, status=ResourceStatus.SUBMITTED, title="待审课程")
    c = client(world, "reviewer")
    queue = c.get(reverse("resources:reviews"))
    assert "待审课程" in queue.content.decode()
    assert 'data-testid="review-form"' in queue.content.decode()
    done = c.post(
        reverse("resources:review", args=[submitted.pk]),
        {**RUBRIC, "verdict": "publish", "back": "queue"},
    )
    assert done.status_code == 302 and done["Location"] == reverse("resources:reviews")
    submitted.refresh_from_db()
    assert submitted.status == "published"


def test_it_refuses_a_review_by_a_non_reviewer(world: Cast) -> None:
    submitted = make_resource(world, status=ResourceStatus.SUBMITTED, title="待审课程")
    for name in ("teacher", "tongzhou_admin"):
        answer = client(world, name).post(
            reverse("resources:review", args=[submitted.pk]), {**RUBRIC, "verdict": "publish"}
        )
        assert answer.status_code in (403, 404), name
    assert (
        "待审课程"
        not in client(world, "teacher").get(reverse("resources:reviews")).content.decode()
    )
    assert not Review.objects.filter(resource=submitted).exists()


def test_it_answers_a_bad_review_with_its_message(world: Cast) -> None:
    submitted = make_resource(world, status=ResourceStatus.SUBMITTED)
    c = client(world, "reviewer")
    url = reverse("resources:review", args=[submitted.pk])
    no_score = c.post(url, {"verdict": "publish", "accuracy": "5", "pedagogy": "9"})
    assert no_score.status_code == 422
    assert {"pedagogy", "presentation"} <= set(no_score.context["review_form"].errors)
    no_comment = c.post(url, {**RUBRIC, "comment": "", "verdict": "return"})
    assert no_comment.status_code == 422 and "comment" in no_comment.context["review_form"].errors
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_it_shows_reviews_to_keepers_and_reviewers_only(world: Cast, course: Resource) -> None:
    assert (
        client(world, "tongzhou_admin")
        .get(reverse("resources:detail", args=[course.pk]))
        .context["d"]
        .reviews
    )
    assert (
        client(world, "teacher")
        .get(reverse("resources:detail", args=[course.pk]))
        .context["d"]
        .reviews
        is None
    )


# --- reviewers ----------------------------------------------------------------------------


def test_it_appoints_and_ends_reviewers_within_the_authoritys_regions(world: Cast) -> None:
    c = client(world, "beijing")
    assert "reviewer" in c.get(reverse("resources:reviewers")).content.decode()
    done = c.post(
        reverse("resources:reviewers"), {"username": "teacher", "subject": "13", "region": "110112"}
    )
    assert done.status_code == 302
    row = Reviewer.objects.get(account__username="teacher")
    for data, field in (
        ({"username": "ghost", "subject": "13", "region": "110000"}, "username"),
        ({"username": "teacher", "subject": "13", "region": "131082"}, "region"),
        ({"username": "teacher", "subject": "", "region": "110000"}, "subject"),
        ({"username": "teacher", "subject": "13", "region": "110112"}, "username"),  # twice
    ):
        answer = c.post(reverse("resources:reviewers"), data)
        assert answer.status_code == 422 and field in answer.context["form"].errors, data
    assert (
        client(world, "sanhe").post(reverse("resources:reviewer_end", args=[row.pk])).status_code
        == 404
    )
    assert c.post(reverse("resources:reviewer_end", args=[row.pk])).status_code == 302
    row.refresh_from_db()
    assert row.ended_at is not None
    assert client(world, "teacher").get(reverse("resources:reviewers")).status_code == 403


def test_it_shows_the_review_entry_in_the_navigation_to_reviewers_only(world: Cast) -> None:
    url = reverse("resources:reviews")
    home = reverse("resources:list")
    assert f'href="{url}"' in client(world, "reviewer").get(home).content.decode()
    assert f'href="{url}"' not in client(world, "teacher").get(home).content.decode()


def test_it_queues_reviews_and_returns_on_the_workbench(world: Cast) -> None:
    make_resource(world, status=ResourceStatus.SUBMITTED, title="待审课程")
    assert "待审课程" in client(world, "reviewer").get(reverse("workbench:home")).content.decode()
    returned = make_resource(world, status=ResourceStatus.SUBMITTED, title="退回课程")
    services.review_resource(
        world.actor("reviewer"),
        returned.pk,
        services.ReviewIn(
            verdict="return", accuracy=3, pedagogy=3, presentation=3, comment="补充练习"
        ),
    )
    assert (
        "退回课程"
        in client(world, "tongzhou_admin").get(reverse("workbench:home")).content.decode()
    )


def test_it_exports_the_catalogue_for_its_filters(world: Cast) -> None:
    make_resource(world)
    make_resource(world, title="小学语文朗读课", stages="小学", subjects="语文")
    answer = client(world, "teacher").post(
        reverse("resources:export"), {"format": "csv", "stage": "junior"}
    )
    assert answer.status_code == 200
    body = answer.getvalue().decode("utf-8-sig")
    assert MATH in body and "小学语文朗读课" not in body
