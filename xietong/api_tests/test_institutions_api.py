"""/api/institutions: lists with filters and pages, detail, create, change, delete, labs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xietong.accounts.models import AuditEvent
from xietong.api_tests.conftest import assert_error
from xietong.conftest import make_id_number
from xietong.institutions.models import Institution, Lab, Staff
from xietong.institutions.personal_data import sealed_fields
from xietong.regions.models import Region


def names(response):
    assert response.status_code == 200, response.content
    return sorted(item["name"] for item in response.json()["items"])


# --- lists --------------------------------------------------------------------------------


def test_it_lists_every_institution_to_a_business_role(api):
    body = api.get("/api/institutions/", as_="teacher").json()
    assert body["count"] == 4
    assert {"count", "page", "page_size", "pages", "next", "items"} == set(body)


@pytest.mark.parametrize("user", ["secadmin", "auditor", "nobody"])
def test_it_lists_no_institution_to_a_user_without_a_business_role(api, user):
    body = api.get("/api/institutions/", as_=user).json()
    assert (body["count"], body["items"]) == (0, [])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"area": "xiongan"}, ["Xiongxian No. 1"]),
        ({"area": "beisanxian"}, ["Sanhe Experimental", "Sanhe Experimental Dachang campus"]),
        (
            {"area": "130000"},
            ["Sanhe Experimental", "Sanhe Experimental Dachang campus", "Xiongxian No. 1"],
        ),
        ({"area": "fuzhongxin"}, ["Tongzhou No. 1"]),
        ({"kind": "senior"}, ["Xiongxian No. 1"]),
        ({"stage": "senior"}, ["Xiongxian No. 1"]),
        ({"q": "dachang"}, ["Sanhe Experimental Dachang campus"]),
        ({"q": "2111012345"}, ["Tongzhou No. 1"]),
        ({"mine": "true"}, ["Sanhe Experimental"]),
        ({"area": "110000", "mine": "true"}, []),
    ],
    ids=lambda v: "-".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None,
)
def test_it_filters_the_list(api, params, expected):
    assert names(api.get("/api/institutions/", params, as_="sanhe")) == expected


def test_it_marks_which_listed_institutions_the_caller_may_change(api):
    items = api.get("/api/institutions/", as_="school_admin").json()["items"]
    assert {i["name"]: i["can_edit"] for i in items} == {
        "Tongzhou No. 1": False,
        "Sanhe Experimental": True,
        "Sanhe Experimental Dachang campus": True,
        "Xiongxian No. 1": False,
    }


def test_it_answers_an_unknown_area_with_a_specific_error(api):
    body = assert_error(api.get("/api/institutions/", {"area": "999999"}, as_="sanhe"), 422)
    assert "999999" in body["fields"]["area"][0]


def _bulk_institutions(n: int) -> list[Institution]:
    region = Region.objects.get(code="130638")
    return Institution.objects.bulk_create(
        Institution(
            name=f"Xiongxian School {i:03d}",
            kind="primary",
            region=region,
            region_path=region.path,
            stages=",primary,",
        )
        for i in range(n)
    )


def test_it_pages_the_list(api, cast):
    _bulk_institutions(41)  # 45 with the cast
    first = api.get("/api/institutions/", {"page_size": 20}, as_="beijing").json()
    assert (first["count"], first["page"], first["page_size"], first["pages"]) == (45, 1, 20, 3)
    last = api.get("/api/institutions/", {"page_size": 20, "page": 3}, as_="beijing").json()
    assert (last["page"], len(last["items"])) == (3, 5)
    ids = {i["id"] for i in first["items"]} | {i["id"] for i in last["items"]}
    assert len(ids) == 25
    # A page past the end shows the last page; an unknown page size the default one.
    beyond = api.get("/api/institutions/", {"page": 99, "page_size": 7}, as_="beijing").json()
    assert (beyond["page"], beyond["page_size"], beyond["pages"]) == (3, 20, 3)


def test_it_lists_institutions_in_a_bounded_number_of_queries(
    api, cast, django_assert_max_num_queries
):
    _bulk_institutions(120)
    api.get("/api/accounts/me", as_="school_admin")  # token made and first use noted before
    counts = {}
    for size in (20, 100):
        with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as ctx:
            body = api.get("/api/institutions/", {"page_size": size}, as_="school_admin").json()
        assert len(body["items"]) == size
        counts[size] = len(ctx.captured_queries)
    assert counts[20] == counts[100]


def test_it_lists_staff_in_a_bounded_number_of_queries(api, cast, django_assert_max_num_queries):
    import datetime as dt

    birth = dt.date(1990, 1, 1)
    Staff.objects.bulk_create(
        Staff(
            name=f"教师{i:03d}",
            gender="M",
            birth_date=birth,
            **sealed_fields(make_id_number("130638", birth, 100 + i)),
            institution=cast.xiongxian_school if i % 2 else cast.sanhe_school,
            joined_on=dt.date(2020, 9, 1),
            stages=",senior,",
            subjects=",数学,",
        )
        for i in range(120)
    )
    api.get("/api/accounts/me", as_="hebei_viewer")
    counts = {}
    for size in (20, 100):
        with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as ctx:
            body = api.get("/api/staff/", {"page_size": size}, as_="hebei_viewer").json()
        assert len(body["items"]) == size
        counts[size] = len(ctx.captured_queries)
    assert counts[20] == counts[100]


# --- detail -----------------------------------------------------------------------------


def test_it_shows_an_institution_with_its_labs_branches_and_visible_staff(api, cast):
    Lab.objects.create(institution=cast.sanhe_school, name="Robotics")
    body = api.get(f"/api/institutions/{cast.sanhe_school.pk}", as_="school_admin").json()
    assert body["name"] == "Sanhe Experimental"
    assert body["region_code"] == "131082"
    assert [lab["name"] for lab in body["labs"]] == ["Robotics"]
    assert body["branches"] == [{"id": cast.sanhe_branch.pk, "name": cast.sanhe_branch.name}]
    assert body["staff_count"] == 1
    assert body["can_edit"] is True
    # The teacher sees the school but of its staff only herself; the Beijing teacher's
    # school shows no staff to her at all.
    assert (
        api.get(f"/api/institutions/{cast.sanhe_school.pk}", as_="teacher").json()["staff_count"]
        == 1
    )
    assert (
        api.get(f"/api/institutions/{cast.tongzhou_school.pk}", as_="teacher").json()["staff_count"]
        == 0
    )


def test_it_answers_an_unknown_institution_with_404(api):
    assert_error(api.get("/api/institutions/999999", as_="sanhe"), 404, "not_found")
    assert_error(api.get("/api/institutions/99999999999999999999", as_="sanhe"), 404)


# --- create, change, delete -----------------------------------------------------------


def test_it_registers_an_institution_in_the_callers_region(api):
    response = api.post(
        "/api/institutions/",
        {
            "name": "三河市第二小学",
            "kind": "primary",
            "region": "131082",
            "school_code": "2113012346",
            "latitude": "39.98",
            "longitude": "117.07",
        },
        as_="sanhe",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [s["code"] for s in body["stages"]] == ["primary"]  # the kind's default
    assert body["school_code"] == "2113012346"
    inst = Institution.objects.get(pk=body["id"])
    assert inst.region_path == "130000/131000/131082/"
    assert (
        AuditEvent.objects.filter(action="institution.create", object_id=str(inst.pk)).count() == 1
    )


def test_it_refuses_to_register_an_institution_outside_the_callers_region(api):
    response = api.post(
        "/api/institutions/", {"name": "X", "kind": "primary", "region": "110112"}, as_="sanhe"
    )
    assert_error(response, 403, "forbidden")
    assert not Institution.objects.filter(name="X").exists()


def test_it_refuses_a_branch_of_an_institution_outside_the_callers_scope(api, cast):
    response = api.post(
        "/api/institutions/",
        {
            "name": "Branch",
            "kind": "primary",
            "region": "131082",
            "parent": cast.tongzhou_school.pk,
        },
        as_="sanhe",
    )
    assert_error(response, 403, "forbidden")
    assert not Institution.objects.filter(name="Branch").exists()


def test_it_changes_only_the_fields_sent(api, cast):
    response = api.patch(
        f"/api/institutions/{cast.sanhe_school.pk}", {"name_en": "Sanhe Exp."}, as_="sanhe"
    )
    assert response.status_code == 200, response.content
    cast.sanhe_school.refresh_from_db()
    assert (cast.sanhe_school.name_en, cast.sanhe_school.school_code) == (
        "Sanhe Exp.",
        "2113012345",
    )
    event = AuditEvent.objects.get(action="institution.update")
    assert (event.before, event.after) == ({"name_en": ""}, {"name_en": "Sanhe Exp."})


def test_it_refuses_to_make_an_institution_a_branch_of_its_own_branch(api, cast):
    response = api.patch(
        f"/api/institutions/{cast.sanhe_school.pk}",
        {"parent": cast.sanhe_branch.pk},
        as_="school_admin",
    )
    body = assert_error(response, 422, "invalid")
    assert "parent" in body["fields"]


def test_it_deletes_an_empty_institution(api, cast):
    inst = Institution.objects.create(
        name="Empty",
        kind="primary",
        region=cast.sanhe_school.region,
        region_path=cast.sanhe_school.region_path,
    )
    assert api.delete(f"/api/institutions/{inst.pk}", as_="sanhe").status_code == 204
    assert not Institution.objects.filter(pk=inst.pk).exists()


def test_it_refuses_to_delete_an_institution_with_staff_with_409(api, cast):
    body = assert_error(api.delete(f"/api/institutions/{cast.sanhe_school.pk}", as_="sanhe"), 409)
    assert body["code"] == "conflict"
    assert Institution.objects.filter(pk=cast.sanhe_school.pk).exists()


def test_it_refuses_deletion_outside_the_callers_scope(api, cast):
    assert_error(api.delete(f"/api/institutions/{cast.tongzhou_school.pk}", as_="sanhe"), 403)
    assert_error(api.delete(f"/api/institutions/{cast.tongzhou_school.pk}", as_="auditor"), 404)


# --- labs ---------------------------------------------------------------------------------


def test_it_adds_and_removes_a_lab(api, cast):
    response = api.post(
        f"/api/institutions/{cast.sanhe_school.pk}/labs",
        {"name": "STEM lab", "field": "robotics", "opened_on": "2023-09-01"},
        as_="school_admin",
    )
    assert response.status_code == 201, response.content
    lab = response.json()
    assert (lab["name"], lab["opened_on"]) == ("STEM lab", "2023-09-01")
    assert api.delete(f"/api/institutions/labs/{lab['id']}", as_="school_admin").status_code == 204
    assert not Lab.objects.exists()
    assert [
        e.action for e in AuditEvent.objects.filter(action__startswith="lab.").order_by("id")
    ] == [
        "lab.create",
        "lab.delete",
    ]


def test_it_refuses_a_lab_with_a_name_the_institution_already_uses(api, cast):
    Lab.objects.create(institution=cast.sanhe_school, name="STEM lab")
    response = api.post(
        f"/api/institutions/{cast.sanhe_school.pk}/labs", {"name": "STEM lab"}, as_="sanhe"
    )
    assert_error(response, 422, "invalid")
    assert Lab.objects.count() == 1


def test_it_refuses_labs_outside_the_callers_scope(api, cast):
    lab = Lab.objects.create(institution=cast.tongzhou_school, name="Beijing lab")
    path = f"/api/institutions/{cast.tongzhou_school.pk}/labs"
    assert_error(api.post(path, {"name": "Mine now"}, as_="sanhe"), 403)
    assert_error(api.delete(f"/api/institutions/labs/{lab.pk}", as_="sanhe"), 403)
    assert_error(api.delete("/api/institutions/labs/999999", as_="sanhe"), 404)
    assert list(Lab.objects.values_list("name", flat=True)) == ["Beijing lab"]
