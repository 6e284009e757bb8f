"""Activities: logged by a member's admin with evidence, refused with a specific message and
nothing written when the input is wrong, shown on the partnership's and the institution's
timelines, and the same through the API (evidence through the attachments API)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from xietong.accounts.models import AuditEvent
from xietong.accounts.services import create_token
from xietong.attachments.models import Attachment
from xietong.attachments.tests.corpus import GIF, JPEG, PDF, PNG
from xietong.conftest import make_staff
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.partnerships.models import Activity
from xietong.partnerships.services import activities as services
from xietong.partnerships.tests import activity_world as w


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root},
        },
    }
    return root


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def active(cast):
    w.tz_admin(cast)
    return w.community(cast, w.PartnershipStatus.ACTIVE)


def _in(cast, **extra: Any) -> services.ActivityIn:
    return services.ActivityIn(**{**w.payload(cast), **extra})


def _refusal(cast, p, **extra: Any) -> dict[str, list[str]]:
    before = Activity.objects.count()
    with pytest.raises(InvalidInput) as e:
        services.log_activity(cast.actor("school_admin"), p.pk, _in(cast, **extra))
    assert Activity.objects.count() == before
    return e.value.fields


def test_a_member_admin_logs_an_activity_for_its_own_member_with_a_photo_and_a_pdf(cast, active):
    files = [
        SimpleUploadedFile("课堂.png", PNG, content_type="image/png"),
        SimpleUploadedFile("纪要.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("合影.jpg", JPEG, content_type="image/jpeg"),
    ]
    a = services.log_activity(cast.actor("school_admin"), active.pk, _in(cast), files)
    assert a.logged_for.institution == cast.sanhe_school
    assert a.term_key == w.term_key_of(a.occurred_on)
    assert set(a.institutions.all()) == {cast.sanhe_school, cast.tongzhou_school}
    assert sorted(
        Attachment.objects.filter(owner_id=a.pk).values_list("original_name", flat=True)
    ) == ["合影.jpg", "纪要.pdf", "课堂.png"]
    assert AuditEvent.objects.filter(action="partnerships.activity.log").count() == 1


def test_evidence_of_another_type_is_refused_and_nothing_is_written(cast, active):
    gif = SimpleUploadedFile("动图.gif", GIF, content_type="image/gif")
    with pytest.raises(InvalidInput) as e:
        services.log_activity(
            cast.actor("school_admin"),
            active.pk,
            _in(cast),
            [SimpleUploadedFile("课堂.png", PNG), gif],
        )
    assert "GIF" in e.value.fields["file"][0]
    assert not Activity.objects.exists() and not Attachment.objects.exists()


def test_evidence_too_large_is_refused_with_its_size(cast, active, settings):
    settings.XIETONG_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(InvalidInput) as e:
        services.log_activity(
            cast.actor("school_admin"),
            active.pk,
            _in(cast),
            [SimpleUploadedFile("纪要.pdf", PDF + b" " * 200)],
        )
    assert "100" in e.value.fields["file"][0]
    assert not Activity.objects.exists()


def test_a_future_date_is_refused(cast, active):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert "happened" in _refusal(cast, active, occurred_on=tomorrow)["occurred_on"][0]


def test_a_date_before_the_partnership_began_is_refused(cast, active):
    assert "period" in _refusal(cast, active, occurred_on="2023-08-31")["occurred_on"][0]


def test_a_date_that_is_not_one_is_refused(cast, active):
    assert "YYYY-MM-DD" in _refusal(cast, active, occurred_on="2024-13-40")["occurred_on"][0]


def test_an_institution_that_is_not_a_member_cannot_take_part(cast, active):
    fields = _refusal(cast, active, institutions=[cast.sanhe_school.pk, cast.xiongxian_school.pk])
    assert "members" in fields["institutions"][0]


def test_people_must_be_staff_of_a_participating_institution(cast, active):
    fields = _refusal(cast, active, people=[cast.xiongan_teacher.pk])
    assert cast.xiongan_teacher.name in fields["people"][0]


def test_people_named_count_among_the_teachers(cast, active):
    helper = make_staff("陈通州", cast.tongzhou_school, 9)
    fields = _refusal(cast, active, people=[cast.beijing_teacher.pk, helper.pk], teachers=1)
    assert "2" in fields["teachers"][0]


@pytest.mark.parametrize(
    ("field", "value"),
    [("teachers", -1), ("students", 100_001), ("hours", "24.5"), ("hours", "abc")],
)
def test_counts_and_hours_out_of_range_are_refused(cast, active, field, value):
    assert _refusal(cast, active, **{field: value})[field]


def test_a_title_and_a_kind_are_required(cast, active):
    fields = _refusal(cast, active, title="  ", kind="party")
    assert set(fields) >= {"title", "kind"}


def test_an_authority_over_the_partnership_reads_but_cannot_log(cast, active):
    with pytest.raises(PermissionDenied):
        services.log_activity(cast.actor("sanhe"), active.pk, _in(cast))


def test_no_activity_is_logged_on_an_ended_partnership(cast):
    ended = w.community(cast, w.PartnershipStatus.ENDED)
    with pytest.raises(Conflict):
        services.log_activity(cast.actor("school_admin"), ended.pk, _in(cast))


def test_an_admin_outside_the_partnership_does_not_find_it(cast):
    p = w.community(cast, w.PartnershipStatus.ACTIVE)
    p.members.filter(institution=cast.sanhe_school).delete()
    with pytest.raises(NotFound):
        services.log_activity(cast.actor("school_admin"), p.pk, _in(cast))


def test_the_other_members_admin_sees_it_on_the_timeline_and_may_not_edit_it(cast, active):
    a = services.log_activity(cast.actor("school_admin"), active.pk, _in(cast))
    client = Client()
    client.force_login(cast.users["tz_admin"])
    page = client.get(reverse("partnerships:detail", args=[active.pk])).content.decode()
    assert a.title in page and 'data-testid="log-activity"' in page
    detail = client.get(reverse("partnerships:activity", args=[a.pk])).content.decode()
    assert 'data-testid="edit-activity"' not in detail
    timeline = client.get(
        reverse("partnerships:institution_activities", args=[cast.tongzhou_school.pk])
    ).content.decode()
    assert a.title in timeline


def test_the_log_page_writes_the_activity_with_its_evidence(cast, active):
    client = Client()
    client.force_login(cast.users["school_admin"])
    url = reverse("partnerships:activity_log", args=[active.pk])
    assert client.get(url).status_code == 200
    data = {**w.payload(cast), "evidence": [SimpleUploadedFile("课堂.png", PNG)]}
    response = client.post(url, data)
    assert response.status_code == 302
    a = Activity.objects.get()
    assert Attachment.objects.filter(owner_id=a.pk).count() == 1


def test_the_log_page_shows_a_refused_file_next_to_the_form_and_writes_nothing(cast, active):
    client = Client()
    client.force_login(cast.users["school_admin"])
    url = reverse("partnerships:activity_log", args=[active.pk])
    data = {**w.payload(cast), "evidence": [SimpleUploadedFile("动图.gif", GIF)]}
    response = client.post(url, data)
    assert response.status_code == 200 and "GIF" in response.content.decode()
    assert not Activity.objects.exists()


def _api(cast, user: str) -> tuple[Client, dict[str, str]]:
    token = create_token(cast.actor(user), "test")[1]
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_api_logs_lists_with_filters_and_takes_evidence_through_attachments(cast, active):
    client, auth = _api(cast, "school_admin")
    r = client.post(
        f"/api/partnerships/{active.pk}/activities",
        w.payload(cast),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["actions"] == ["delete", "edit"]
    r = client.post(
        "/api/attachments/",
        {
            "owner_type": "partnerships.activity",
            "owner_id": body["id"],
            "file": SimpleUploadedFile("纪要.pdf", PDF),
        },
        **auth,
    )
    assert r.status_code == 201, r.content
    r = client.post(
        "/api/attachments/",
        {
            "owner_type": "partnerships.activity",
            "owner_id": body["id"],
            "file": SimpleUploadedFile("动图.gif", GIF),
        },
        **auth,
    )
    assert r.status_code == 422 and "GIF" in r.json()["message"]
    reader, rauth = _api(cast, "tongzhou")
    listing = reader.get(
        f"/api/partnerships/activities?partnership={active.pk}&kind=joint_research"
        f"&institution={cast.tongzhou_school.pk}&date_from=2024-11-01&date_to=2024-11-30",
        **rauth,
    ).json()
    assert [i["id"] for i in listing["items"]] == [body["id"]]
    assert reader.get("/api/partnerships/activities?kind=visit", **rauth).json()["count"] == 0
    bad = reader.get("/api/partnerships/activities?date_from=2024-02-30", **rauth)
    assert bad.status_code == 422


def test_the_api_answers_bad_input_with_the_fields_at_fault(cast, active):
    client, auth = _api(cast, "school_admin")
    r = client.post(
        f"/api/partnerships/{active.pk}/activities",
        {**w.payload(cast), "hours": 30, "institutions": []},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 422
    assert set(r.json()["fields"]) == {"hours", "institutions"}
    assert not Activity.objects.exists()
