"""The registry pages: lists, details, forms, deletion, labs, staff and the audited reveal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from xietong.accounts.models import AuditEvent
from xietong.conftest import id_number_of, make_id_number, phone_of, region
from xietong.core.compile_messages import compile_all
from xietong.institutions import tallies
from xietong.institutions.models import Institution, Lab, Staff
from xietong.institutions.personal_data import sealed_fields

compile_all()  # the Chinese catalog (normally compiled by `make setup`)

LIST = reverse("institutions:list")
STAFF = reverse("institutions:staff_list")


def html_of(response) -> str:
    return response.content.decode()


def login(client, cast, username: str):
    client.force_login(cast.users[username])
    return client


def institution_form(**changes) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "三河市第二实验小学",
        "name_en": "",
        "kind": "primary",
        "school_code": "",
        "ownership": "public",
        "locality": "urban",
        "region": "131082",
        "address": "三河市燕郊镇",
        "latitude": "",
        "longitude": "",
        "parent": "",
    }
    data.update(changes)
    return data


def staff_form(cast, **changes) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "孙燕郊",
        "id_number": make_id_number("131082", dt.date(1990, 5, 6), 40, male=True),
        "gender": "",
        "birth_date": "",
        "phone": "13912345678",
        "institution": str(cast.sanhe_school.pk),
        "position": "teacher",
        "title": "second",
        "stages": ["primary"],
        "subjects": "数学, 科学",
        "honours": ["backbone"],
        "joined_on": "2018-09-01",
    }
    data.update(changes)
    return data


# --- institution list ----------------------------------------------------------------------


def test_it_lists_institutions_with_an_edit_button_only_where_the_actor_may_edit(client, cast):
    html = html_of(login(client, cast, "sanhe").get(LIST))
    for inst in (cast.tongzhou_school, cast.sanhe_school, cast.xiongxian_school):
        assert inst.name in html
    assert reverse("institutions:edit", args=[cast.sanhe_school.pk]) in html
    assert reverse("institutions:edit", args=[cast.tongzhou_school.pk]) not in html
    assert "2113012345" in html  # the school identifier column


@pytest.mark.parametrize("username", ["auditor", "secadmin", "nobody"])
def test_it_refuses_the_institution_list_to_roles_without_the_directory(client, cast, username):
    assert login(client, cast, username).get(LIST).status_code == 403


def test_it_sends_anonymous_visitors_from_the_list_to_sign_in(client, db):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_filters_institutions_by_region_group_kind_and_search(client, cast):
    client = login(client, cast, "sanhe")
    html = html_of(client.get(LIST, {"area": "beisanxian"}))
    assert cast.sanhe_school.name in html and cast.sanhe_branch.name in html
    assert cast.tongzhou_school.name not in html
    html = html_of(client.get(LIST, {"kind": "senior"}))
    assert cast.xiongxian_school.name in html and cast.sanhe_school.name not in html
    html = html_of(client.get(LIST, {"q": "2111012345"}))
    assert cast.tongzhou_school.name in html and cast.sanhe_school.name not in html
    html = html_of(client.get(LIST, {"mine": "on"}))
    assert cast.sanhe_school.name in html and cast.xiongxian_school.name not in html


def test_it_shows_an_unknown_area_inline_instead_of_failing(client, cast):
    response = login(client, cast, "sanhe").get(LIST, {"area": "999999"})
    assert response.status_code == 200
    html = html_of(response)
    assert "is-invalid" in html and cast.sanhe_school.name not in html


def test_it_answers_an_htmx_filter_request_with_the_results_only(client, cast):
    response = login(client, cast, "sanhe").get(
        LIST, {"area": "131082"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    html = html_of(response)
    assert "<html" not in html and 'data-testid="institution-table"' in html
    assert cast.sanhe_school.name in html and cast.tongzhou_school.name not in html
    assert "HX-Request" in response["Vary"]


def test_it_works_without_javascript_as_a_plain_get_form(client, cast):
    html = html_of(login(client, cast, "sanhe").get(LIST, {"area": "131082", "page_size": "50"}))
    assert '<form id="filters"' in html and 'method="get"' in html
    assert '<option value="50" selected>' in html


def _many_institutions(n: int = 120) -> None:
    r = region("131082")
    parent = Institution.objects.get(name="Sanhe Experimental")
    Institution.objects.bulk_create(
        Institution(
            name=f"三河市第{i}小学",
            kind="primary",
            region=r,
            region_path=r.path,
            stages=",primary,",
            parent=parent if i % 2 else None,
        )
        for i in range(n)
    )


def _many_staff(n: int = 120) -> None:
    inst = Institution.objects.get(name="Sanhe Experimental")
    birth = dt.date(1980, 1, 1)
    Staff.objects.bulk_create(
        Staff(
            name=f"教师{i}",
            gender="M",
            birth_date=birth,
            **sealed_fields(make_id_number("131082", birth, 100 + i), f"1391234{i:04d}"),
            institution=inst,
            joined_on=dt.date(2010, 9, 1),
            stages=",primary,",
            subjects=",14,",
            honours=",backbone,",
            title="first",
        )
        for i in range(n)
    )
    tallies.refresh([inst.pk])  # bulk_create passes the services that keep the tallies


@pytest.mark.parametrize("page_size", [20, 100])
def test_it_lists_institutions_in_a_bounded_number_of_queries(
    client, cast, django_assert_max_num_queries, page_size
):
    _many_institutions()
    client = login(client, cast, "sanhe")
    with django_assert_max_num_queries(12):
        html = html_of(client.get(LIST, {"page_size": page_size}))
    assert html.count('href="/institutions/') >= page_size


@pytest.mark.parametrize("page_size", [20, 100])
def test_it_lists_staff_in_a_bounded_number_of_queries(
    client, cast, django_assert_max_num_queries, page_size
):
    _many_staff()
    client = login(client, cast, "sanhe")
    with django_assert_max_num_queries(12):
        html = html_of(client.get(STAFF, {"page_size": page_size}))
    assert html.count('data-field="id_number"') == page_size


# --- institution detail --------------------------------------------------------------------


def test_it_shows_an_institution_with_its_branches_labs_and_staff(client, cast):
    Lab.objects.create(institution=cast.sanhe_school, name="科学探究实验室", field="科学")
    html = html_of(
        login(client, cast, "sanhe").get(
            reverse("institutions:detail", args=[cast.sanhe_school.pk])
        )
    )
    assert cast.sanhe_branch.name in html
    assert "科学探究实验室" in html
    assert cast.sanhe_teacher.name in html
    assert f"{STAFF}?institution={cast.sanhe_school.pk}" in html
    assert reverse("institutions:edit", args=[cast.sanhe_school.pk]) in html


def test_it_shows_another_authority_a_school_without_edit_or_delete(client, cast):
    html = html_of(
        login(client, cast, "beijing").get(
            reverse("institutions:detail", args=[cast.sanhe_school.pk])
        )
    )
    assert cast.sanhe_school.name in html
    assert reverse("institutions:edit", args=[cast.sanhe_school.pk]) not in html
    assert reverse("institutions:delete", args=[cast.sanhe_school.pk]) not in html
    assert reverse("institutions:lab_add", args=[cast.sanhe_school.pk]) not in html


@pytest.mark.parametrize(
    "url",
    [
        "/institutions/999999/",
        "/institutions/99999999999999999999/",
        "/institutions/999999/edit/",
        "/institutions/staff/999999/",
        "/institutions/staff/99999999999999999999/edit/",
    ],
)
def test_it_answers_forged_ids_with_404_not_a_server_error(client, cast, url):
    assert login(client, cast, "sanhe").get(url).status_code == 404


def test_it_refuses_to_edit_or_delete_an_institution_outside_the_scope(client, cast):
    client = login(client, cast, "sanhe")
    pk = cast.tongzhou_school.pk
    assert client.get(reverse("institutions:edit", args=[pk])).status_code == 403
    assert (
        client.post(reverse("institutions:edit", args=[pk]), institution_form()).status_code == 403
    )
    assert client.post(reverse("institutions:delete", args=[pk])).status_code == 403
    assert Institution.objects.filter(pk=pk, name="Tongzhou No. 1").exists()


def test_it_hides_another_institutions_staff_from_an_institution_admin(client, cast):
    client = login(client, cast, "school_admin")
    url = reverse("institutions:staff_detail", args=[cast.beijing_teacher.pk])
    assert client.get(url).status_code == 404


# --- creating and editing institutions --------------------------------------------------


def test_it_registers_an_institution_through_the_form(client, cast):
    response = login(client, cast, "sanhe").post(
        reverse("institutions:create"), institution_form(school_code="2113099999")
    )
    inst = Institution.objects.get(name="三河市第二实验小学")
    assert response.status_code == 302
    assert response["Location"] == reverse("institutions:detail", args=[inst.pk])
    assert inst.stage_list == ["primary"]  # the kind's usual stages
    assert AuditEvent.objects.filter(action="institution.create", object_id=str(inst.pk)).exists()


def test_it_offers_the_create_form_only_in_the_actors_own_regions(client, cast):
    html = html_of(login(client, cast, "sanhe").get(reverse("institutions:create")))
    assert '<option value="131082" selected>三河市</option>' in html
    assert 'value="110112"' not in html


def test_it_refuses_the_create_form_to_roles_that_cannot_register(client, cast):
    for username in ("hebei_viewer", "school_admin", "teacher"):
        assert login(client, cast, username).get(reverse("institutions:create")).status_code == 403


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"school_code": "12345"}, "school_code", "学校标识码必须是 10 位数字。"),
        ({"school_code": "2111099999"}, "school_code", "该标识码所属省份与单位所在地区不一致。"),
        ({"region": "999999"}, "region", "未知的地区代码：999999"),
        ({"name": ""}, "name", "此字段为必填项。"),
        ({"name": "长" * 101}, "name", "最多填写 100 个字（现在 101 个），请删减。"),
        ({"latitude": "123"}, "latitude", "请填写不大于 90 的数。"),
    ],
)
def test_it_shows_each_refusal_next_to_its_field_in_chinese_and_writes_nothing(
    client, cast, changes, field, message
):
    before = (Institution.objects.count(), AuditEvent.objects.count())
    response = login(client, cast, "sanhe").post(
        reverse("institutions:create"), institution_form(**changes)
    )
    assert response.status_code == 200
    html = html_of(response)
    assert message in html
    assert f'id="id_{field}_errors"' in html
    assert (Institution.objects.count(), AuditEvent.objects.count()) == before


def test_it_refuses_a_region_outside_the_scope_as_a_form_error(client, cast):
    response = login(client, cast, "sanhe").post(
        reverse("institutions:create"), institution_form(region="110112")
    )
    assert "通州区 不在您的管辖范围内" in html_of(response)
    assert not Institution.objects.filter(name="三河市第二实验小学").exists()


def test_it_saves_an_edited_address_and_audits_only_that_change(client, cast):
    client = login(client, cast, "sanhe")
    url = reverse("institutions:edit", args=[cast.sanhe_school.pk])
    form_html = html_of(client.get(url))
    assert 'value="Sanhe Experimental"' in form_html
    data = institution_form(
        name="Sanhe Experimental", school_code="2113012345", address="三河市迎宾路 12 号"
    )
    data["stages"] = ["primary"]
    response = client.post(url, data)
    assert response.status_code == 302
    cast.sanhe_school.refresh_from_db()
    assert cast.sanhe_school.address == "三河市迎宾路 12 号"
    event = AuditEvent.objects.get(action="institution.update")
    assert set(event.after or {}) == {"address"}
    assert "三河市迎宾路 12 号" in html_of(client.get(response["Location"]))


def test_it_keeps_a_branch_editable_whose_parent_the_editor_does_not_manage(client, cast):
    """The Dachang campus belongs to Sanhe: an unchanged parent is not sent to the service."""
    from xietong.accounts.models import Role
    from xietong.conftest import make_user

    dachang = make_user("dachang", Role.AUTHORITY_ADMIN, region=region("131028"))
    client.force_login(dachang)
    branch = cast.sanhe_branch
    data = institution_form(name=branch.name, region="131028", address="大厂新址")
    data["parent"] = str(cast.sanhe_school.pk)
    data["stages"] = ["primary"]
    response = client.post(reverse("institutions:edit", args=[branch.pk]), data)
    assert response.status_code == 302
    branch.refresh_from_db()
    assert branch.address == "大厂新址" and branch.parent_id == cast.sanhe_school.pk


def test_it_refuses_to_delete_an_institution_that_still_has_staff(client, cast):
    client = login(client, cast, "sanhe")
    url = reverse("institutions:delete", args=[cast.sanhe_school.pk])
    assert "确定从名录中删除" in html_of(client.get(url))
    response = client.post(url, follow=True)
    assert "该单位仍有教职工或分校区，请先将其转出或删除。" in html_of(response)
    assert Institution.objects.filter(pk=cast.sanhe_school.pk).exists()


def test_it_deletes_an_empty_institution_after_confirmation(client, cast):
    client = login(client, cast, "sanhe")
    client.post(reverse("institutions:create"), institution_form())
    inst = Institution.objects.get(name="三河市第二实验小学")
    response = client.post(reverse("institutions:delete", args=[inst.pk]))
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Institution.objects.filter(pk=inst.pk).exists()


# --- labs ------------------------------------------------------------------------------------


def test_it_adds_and_removes_a_lab(client, cast):
    client = login(client, cast, "school_admin")
    pk = cast.sanhe_school.pk
    response = client.post(
        reverse("institutions:lab_add", args=[pk]), {"name": "创客空间", "field": "信息技术"}
    )
    assert response.status_code == 302
    lab = Lab.objects.get(institution_id=pk, name="创客空间")
    response = client.post(reverse("institutions:lab_remove", args=[pk, lab.pk]))
    assert response.status_code == 302 and not Lab.objects.filter(pk=lab.pk).exists()


def test_it_shows_a_duplicate_lab_name_on_the_lab_form(client, cast):
    Lab.objects.create(institution=cast.sanhe_school, name="创客空间")
    response = login(client, cast, "school_admin").post(
        reverse("institutions:lab_add", args=[cast.sanhe_school.pk]), {"name": "创客空间"}
    )
    assert response.status_code == 422
    assert "已经存在" in html_of(response)
    assert Lab.objects.filter(name="创客空间").count() == 1


def test_it_refuses_lab_changes_outside_the_scope(client, cast):
    lab = Lab.objects.create(institution=cast.tongzhou_school, name="通州实验室")
    client = login(client, cast, "sanhe")
    pk = cast.tongzhou_school.pk
    assert client.post(reverse("institutions:lab_add", args=[pk]), {"name": "x"}).status_code == 403
    url = reverse("institutions:lab_remove", args=[pk, lab.pk])
    assert client.post(url).status_code == 403
    assert client.post(reverse("institutions:lab_remove", args=[pk, 99999])).status_code == 404
    assert Lab.objects.filter(pk=lab.pk).exists()


# --- staff -------------------------------------------------------------------------------


def test_it_lists_staff_with_personal_data_always_masked(client, cast):
    html = html_of(login(client, cast, "sanhe").get(STAFF))
    assert cast.sanhe_teacher.name in html
    assert id_number_of(cast.sanhe_teacher) not in html and phone_of(cast.sanhe_teacher) not in html
    assert cast.sanhe_teacher.masked_id_number in html
    assert reverse("institutions:staff_reveal", args=[cast.sanhe_teacher.pk]) in html


def test_it_lists_an_authority_only_the_staff_of_its_own_region(client, cast):
    html = html_of(login(client, cast, "sanhe").get(STAFF))
    for staff in (cast.beijing_teacher, cast.branch_teacher, cast.xiongan_teacher):
        assert staff.name not in html and staff.masked_id_number not in html
    html = html_of(login(client, cast, "hebei_viewer").get(STAFF))
    for staff in (cast.sanhe_teacher, cast.branch_teacher, cast.xiongan_teacher):
        assert staff.name in html
    assert cast.beijing_teacher.name not in html
    assert reverse("institutions:staff_reveal", args=[cast.sanhe_teacher.pk]) not in html


def test_it_filters_staff_by_institution_honour_and_name(client, cast):
    client = login(client, cast, "sysadmin")
    html = html_of(client.get(STAFF, {"institution": cast.sanhe_school.pk}))
    assert cast.sanhe_teacher.name in html and cast.beijing_teacher.name not in html
    html = html_of(client.get(STAFF, {"honour": "backbone"}))
    assert cast.beijing_teacher.name in html and cast.sanhe_teacher.name not in html
    html = html_of(client.get(STAFF, {"q": "赵"}))  # a surname
    assert cast.xiongan_teacher.name in html and cast.sanhe_teacher.name not in html


@pytest.mark.parametrize("username", ["auditor", "secadmin", "nobody"])
def test_it_refuses_the_staff_list_to_roles_without_it(client, cast, username):
    assert login(client, cast, username).get(STAFF).status_code == 403


def test_it_shows_staff_outside_the_scope_masked_with_no_reveal_button(client, cast):
    url = reverse("institutions:staff_detail", args=[cast.sanhe_teacher.pk])
    html = html_of(login(client, cast, "hebei_viewer").get(url))
    assert cast.sanhe_teacher.masked_id_number in html
    assert id_number_of(cast.sanhe_teacher) not in html
    assert 'data-testid="reveal"' not in html
    assert "您管辖范围以外教职工的个人信息仅以脱敏形式显示。" in html


def test_it_refuses_to_reveal_staff_outside_the_scope(client, cast):
    url = reverse("institutions:staff_reveal", args=[cast.sanhe_teacher.pk])
    response = login(client, cast, "hebei_viewer").post(url)
    assert response.status_code == 403
    assert id_number_of(cast.sanhe_teacher) not in html_of(response)
    url = reverse("institutions:staff_reveal", args=[cast.beijing_teacher.pk])
    response = login(client, cast, "sanhe").post(url)
    assert response.status_code == 404
    assert id_number_of(cast.beijing_teacher) not in html_of(response)
    assert not AuditEvent.objects.filter(action="personal_data.read").exists()


def test_it_reveals_an_owned_record_and_audits_the_reading(client, cast):
    client = login(client, cast, "sanhe")
    staff = cast.sanhe_teacher
    url = reverse("institutions:staff_reveal", args=[staff.pk])
    assert client.get(url).status_code == 405  # only POST reveals
    detail = html_of(client.get(reverse("institutions:staff_detail", args=[staff.pk])))
    assert 'data-testid="reveal"' in detail and id_number_of(staff) not in detail
    html = html_of(client.post(url, {"layout": "detail"}, HTTP_HX_REQUEST="true"))
    assert "<html" not in html and id_number_of(staff) in html and phone_of(staff) in html
    assert AuditEvent.objects.filter(action="personal_data.read", object_id=str(staff.pk)).exists()


def test_it_reveals_on_a_full_page_without_javascript(client, cast):
    url = reverse("institutions:staff_reveal", args=[cast.sanhe_teacher.pk])
    response = login(client, cast, "sanhe").post(url)
    assert "<html" in html_of(response) and id_number_of(cast.sanhe_teacher) in html_of(response)
    assert "no-store" in response["Cache-Control"]


def test_it_registers_staff_deriving_gender_and_birth_date_from_the_id_number(client, cast):
    response = login(client, cast, "school_admin").post(
        reverse("institutions:staff_create"), staff_form(cast)
    )
    staff = Staff.objects.get(name="孙燕郊")
    assert response.status_code == 302
    assert staff.birth_date == dt.date(1990, 5, 6) and staff.gender == "M"
    assert staff.subject_list == ["14", "15"] and staff.honour_list == ["backbone"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"id_number": make_id_number("131082", dt.date(1990, 5, 6), 40)[:17] + "0"},
            "id_number",
            "该身份证号的校验码不正确，请检查是否输入有误。",
        ),
        ({"name": ""}, "name", "此字段为必填项。"),
        ({"phone": "12345"}, "phone", "请输入 11 位手机号码或带区号的固定电话。"),
        ({"gender": "F"}, "gender", "性别与身份证号不符。"),
        ({"joined_on": "2999-01-01"}, "joined_on", "该日期在未来。"),
    ],
)
def test_it_shows_staff_form_refusals_next_to_their_fields(client, cast, changes, field, message):
    if changes.get("id_number", "x")[-1] == make_id_number("131082", dt.date(1990, 5, 6), 40)[-1]:
        changes["id_number"] = changes["id_number"][:17] + "1"
    before = Staff.objects.count()
    response = login(client, cast, "sanhe").post(
        reverse("institutions:staff_create"), staff_form(cast, **changes)
    )
    html = html_of(response)
    assert message in html and f'id="id_{field}_errors"' in html
    assert Staff.objects.count() == before


def test_it_refuses_a_duplicate_id_number_on_its_field(client, cast):
    data = staff_form(cast, id_number=id_number_of(cast.beijing_teacher))
    html = html_of(login(client, cast, "sanhe").post(reverse("institutions:staff_create"), data))
    assert "该身份证号无法在此登记。" in html and 'id="id_id_number_errors"' in html
    assert "王北京" not in html and "Tongzhou" not in html
    assert id_number_of(cast.beijing_teacher) not in html.replace(
        f'value="{id_number_of(cast.beijing_teacher)}"', ""
    )
    assert not Staff.objects.filter(name="孙燕郊").exists()


def test_it_edits_staff_keeping_personal_data_out_of_the_form(client, cast):
    client = login(client, cast, "sanhe")
    staff = cast.sanhe_teacher
    url = reverse("institutions:staff_edit", args=[staff.pk])
    form_html = html_of(client.get(url))
    assert id_number_of(staff) not in form_html and phone_of(staff) not in form_html
    assert staff.masked_id_number in form_html  # as a placeholder
    data = staff_form(
        cast,
        name=staff.name,
        id_number="",
        phone="",
        gender="F",
        birth_date="1985-03-14",
        title="senior",
        stages=["primary"],
        subjects="数学",
        honours=[],
        joined_on="2015-09-01",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.title == "senior"
    assert (
        id_number_of(staff) == id_number_of(cast.sanhe_teacher) and phone_of(staff) == "13800000002"
    )


def test_it_refuses_to_edit_staff_the_actor_only_reads(client, cast):
    client = login(client, cast, "hebei_viewer")
    pk = cast.sanhe_teacher.pk
    assert client.get(reverse("institutions:staff_edit", args=[pk])).status_code == 403
    assert client.post(reverse("institutions:staff_delete", args=[pk])).status_code == 403
    assert Staff.objects.filter(pk=pk).exists()


def test_it_deletes_an_owned_staff_record_after_confirmation(client, cast):
    client = login(client, cast, "school_admin")
    url = reverse("institutions:staff_delete", args=[cast.branch_teacher.pk])
    assert cast.branch_teacher.name in html_of(client.get(url))
    response = client.post(url)
    assert response.status_code == 302
    assert not Staff.objects.filter(pk=cast.branch_teacher.pk).exists()


def test_it_lets_a_teacher_see_and_reveal_only_their_own_record(client, cast):
    client = login(client, cast, "teacher")
    html = html_of(client.get(STAFF))
    assert cast.sanhe_teacher.name in html and cast.beijing_teacher.name not in html
    detail = html_of(client.get(reverse("institutions:staff_detail", args=[cast.sanhe_teacher.pk])))
    assert 'data-testid="reveal"' in detail
    assert reverse("institutions:staff_edit", args=[cast.sanhe_teacher.pk]) not in detail
