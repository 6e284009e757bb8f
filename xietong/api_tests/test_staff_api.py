"""/api/staff: masked lists, registration, changes, removal and the audited personal data."""

from __future__ import annotations

import datetime as dt

import pytest

from xietong.accounts.models import AuditEvent
from xietong.api_tests.conftest import assert_error
from xietong.conftest import id_number_of, make_id_number, phone_of
from xietong.institutions.models import Staff

BIRTH = dt.date(1992, 6, 30)


def new_staff(cast, **extra):
    body = {
        "name": "张新",
        "id_number": make_id_number("131082", BIRTH, 77, male=False),
        "institution": cast.sanhe_school.pk,
        "joined_on": "2021-09-01",
        "phone": "13912345678",
        "stages": ["primary"],
        "subjects": ["语文"],
        "title": "second",
        "honours": ["backbone"],
    }
    body.update(extra)
    return body


def test_it_lists_staff_with_personal_data_masked(api, cast):
    body = api.get("/api/staff/", {"area": "130000"}, as_="hebei_viewer").json()
    assert (len(body["items"]), body["next_cursor"]) == (3, None)
    for item in body["items"]:
        staff = Staff.objects.get(pk=item["id"])
        assert item["id_number"] == staff.masked_id_number != id_number_of(staff)
        assert item["phone"] == staff.masked_phone != phone_of(staff)
        assert item["owned"] is False


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"area": "beisanxian"}, ["刘大厂", "李三河"]),
        ({"area": "xiongan"}, ["赵雄安"]),
        ({"title": "senior"}, ["王北京"]),
        ({"honour": "backbone"}, ["王北京"]),
        ({"stage": "senior"}, ["赵雄安"]),
        ({"subject": "数学"}, ["刘大厂", "李三河", "王北京", "赵雄安"]),
        ({"q": "李"}, ["李三河"]),  # one or two characters: the start of the name
        ({"q": "三河"}, []),
    ],
    ids=lambda v: "-".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None,
)
def test_it_filters_the_staff_list(api, params, expected):
    items = api.get("/api/staff/", params, as_="sysadmin").json()["items"]
    assert sorted(i["name"] for i in items) == expected


def test_it_lists_an_authority_the_staff_of_its_own_region_only(api):
    items = api.get("/api/staff/", as_="beijing").json()["items"]
    assert [(i["name"], i["owned"]) for i in items] == [("王北京", True)]
    items = api.get("/api/staff/", {"mine": "true"}, as_="beijing").json()["items"]
    assert [i["name"] for i in items] == ["王北京"]
    items = api.get("/api/staff/", {"area": "xiongan"}, as_="beijing").json()["items"]
    assert items == []


def test_it_filters_the_staff_list_by_institution(api, cast):
    items = api.get("/api/staff/", {"institution": cast.sanhe_branch.pk}, as_="school_admin").json()
    assert [i["name"] for i in items["items"]] == ["刘大厂"]


def test_it_shows_a_teacher_only_herself(api, cast):
    items = api.get("/api/staff/", as_="teacher").json()["items"]
    assert [(i["name"], i["owned"]) for i in items] == [("李三河", True)]


def test_it_registers_a_staff_member_deriving_birth_date_and_gender_from_the_id(api, cast):
    response = api.post("/api/staff/", new_staff(cast), as_="school_admin")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["gender"] == "F" and "birth_year" not in body and "birth_date" not in body
    assert body["id_number"].startswith("131082") and "*" in body["id_number"]
    staff = Staff.objects.get(pk=body["id"])
    assert (staff.birth_date, staff.gender) == (BIRTH, "F")
    assert (staff.stages, staff.subjects, staff.honours) == (",primary,", ",13,", ",backbone,")
    event = AuditEvent.objects.get(action="staff.create", object_id=str(staff.pk))
    assert id_number_of(staff) not in str(event.after) and phone_of(staff) not in str(event.after)


def test_it_refuses_a_staff_member_in_an_institution_outside_the_callers_scope(api, cast):
    # A forged scope: Sanhe's authority names the Beijing school in the payload.
    body = new_staff(cast, institution=cast.tongzhou_school.pk)
    assert_error(api.post("/api/staff/", body, as_="sanhe"), 403, "forbidden")
    assert not Staff.objects.filter(name="张新").exists()


def test_it_tells_an_outsider_nothing_about_registered_id_numbers(api, cast):
    # The Beijing teacher's ID number, submitted by someone who may not register staff
    # there, must not come back as "already registered".
    body = new_staff(cast, institution=cast.tongzhou_school.pk)
    body["id_number"] = id_number_of(cast.beijing_teacher)
    body["gender"] = None
    assert_error(api.post("/api/staff/", body, as_="sanhe"), 403, "forbidden")
    assert_error(api.post("/api/staff/", body, as_="teacher"), 403, "forbidden")


def test_it_refuses_a_duplicate_id_number_with_a_specific_message(api, cast):
    body = new_staff(cast, id_number=id_number_of(cast.sanhe_teacher), gender=None, birth_date=None)
    error = assert_error(api.post("/api/staff/", body, as_="sanhe"), 422, "invalid")
    assert error["fields"]["id_number"] == [
        "This person is already registered: 李三河 at Sanhe Experimental."
    ]
    assert Staff.objects.count() == 4
    assert not AuditEvent.objects.filter(action="staff.create").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id_number": "131082199206300771"}, "id_number"),  # wrong check character
        ({"id_number": "131082199202300778"}, "id_number"),  # 30 February
        ({"birth_date": "1990-01-01"}, "birth_date"),  # not the one in the ID number
        ({"gender": "M"}, "gender"),  # the ID number says female
        ({"phone": "12345"}, "phone"),
        ({"joined_on": "2999-09-01"}, "joined_on"),
        ({"institution": 999999}, "institution"),
    ],
    ids=lambda v: next(iter(v)) + "=" + str(next(iter(v.values()))) if isinstance(v, dict) else v,
)
def test_it_refuses_invalid_staff_data_field_by_field(api, cast, change, field):
    error = assert_error(api.post("/api/staff/", new_staff(cast, **change), as_="sanhe"), 422)
    assert field in error["fields"], error
    assert not Staff.objects.filter(name="张新").exists()


def test_it_changes_a_staff_record_in_scope(api, cast):
    response = api.patch(
        f"/api/staff/{cast.branch_teacher.pk}",
        {"title": "first", "subjects": ["物理"]},
        as_="school_admin",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == {"code": "first", "label": "First grade"}
    assert body["subjects"] == [{"code": "16", "label": "Physics"}]


def test_it_refuses_to_move_a_staff_member_out_of_the_callers_scope(api, cast):
    response = api.patch(
        f"/api/staff/{cast.sanhe_teacher.pk}",
        {"institution": cast.tongzhou_school.pk},
        as_="sanhe",
    )
    assert_error(response, 403, "forbidden")
    cast.sanhe_teacher.refresh_from_db()
    assert cast.sanhe_teacher.institution_id == cast.sanhe_school.pk


def test_it_does_not_let_a_teacher_change_or_remove_her_own_record(api, cast):
    path = f"/api/staff/{cast.sanhe_teacher.pk}"
    assert_error(api.patch(path, {"phone": "13911112222"}, as_="teacher"), 403)
    assert_error(api.delete(path, as_="teacher"), 403)
    assert phone_of(Staff.objects.get(pk=cast.sanhe_teacher.pk)) == "13800000002"


def test_it_removes_a_staff_record_in_scope_only(api, cast):
    assert_error(api.delete(f"/api/staff/{cast.sanhe_teacher.pk}", as_="hebei_viewer"), 403)
    assert_error(api.delete(f"/api/staff/{cast.beijing_teacher.pk}", as_="sanhe"), 404)
    assert_error(api.delete(f"/api/staff/{cast.beijing_teacher.pk}", as_="school_admin"), 404)
    assert api.delete(f"/api/staff/{cast.branch_teacher.pk}", as_="school_admin").status_code == 204
    assert not Staff.objects.filter(pk=cast.branch_teacher.pk).exists()
    assert Staff.objects.filter(pk=cast.beijing_teacher.pk).exists()


def test_it_reveals_personal_data_to_the_owning_scope_and_audits_each_reveal(api, cast):
    path = f"/api/staff/{cast.sanhe_teacher.pk}/personal-data"
    for _ in range(2):
        body = api.get(path, as_="school_admin").json()
        assert body == {
            "id_number": id_number_of(cast.sanhe_teacher),
            "phone": "13800000002",
            "birth_date": cast.sanhe_teacher.birth_date.isoformat(),
        }
    events = AuditEvent.objects.filter(action="personal_data.read")
    assert events.count() == 2
    assert {e.actor_name for e in events} == {"school_admin"}
    assert_error(api.get(path, as_="hebei_viewer"), 403, "forbidden")
    assert_error(api.get(path, as_="auditor"), 404, "not_found")
    assert events.count() == 2
