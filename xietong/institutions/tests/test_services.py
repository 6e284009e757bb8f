"""Writes to the registry: institutions, labs and staff, each checked, validated and audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from xietong.accounts.models import AuditEvent
from xietong.conftest import id_number_of, make_id_number, phone_of
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.institutions import services
from xietong.institutions.models import Institution, Lab, Staff
from xietong.institutions.validators import id_check_char


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def only_event(action):
    found = events(action)
    assert len(found) == 1, found
    return found[0]


# --- institutions -------------------------------------------------------------------------


def test_it_registers_an_institution_and_audits_its_full_state(cast):
    actor = cast.actor("sanhe")
    inst = services.create_institution(
        actor, {"name": " 三河市第二中学 ", "kind": "complete_secondary", "region": "131082"}
    )
    assert inst.name == "三河市第二中学"
    assert inst.region_path == "130000/131000/131082/"
    assert inst.stage_list == ["junior", "senior"]  # the kind's default stages
    event = only_event("institution.create")
    assert (event.actor_id, event.object_id, event.before) == (
        cast.users["sanhe"].pk,
        str(inst.pk),
        None,
    )
    assert event.after["name"] == "三河市第二中学" and event.after["region"] == inst.region_id


def test_it_registers_nothing_outside_the_callers_region(cast):
    with pytest.raises(PermissionDenied):
        services.create_institution(
            cast.actor("sanhe"), {"name": "X", "kind": "primary", "region": "110112"}
        )
    with pytest.raises(PermissionDenied):  # an institution admin registers no institutions
        services.create_institution(
            cast.actor("school_admin"), {"name": "X", "kind": "primary", "region": "131082"}
        )
    assert not Institution.objects.filter(name="X").exists()
    assert not events("institution.create")


def test_it_lets_the_system_admin_register_anywhere(cast):
    inst = services.create_institution(
        cast.actor("sysadmin"), {"name": "滨海一中", "kind": "senior", "region": "120116"}
    )
    assert inst.region.code == "120116"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "X", "kind": "primary"}, "region"),
        ({"name": "X", "kind": "primary", "region": "999999"}, "region"),
        ({"name": "X", "kind": "primary", "region": "131082", "motto": "勤"}, "motto"),
        ({"name": "X", "kind": "primary", "region": "131082", "stages": ["nursery"]}, "stages"),
        ({"name": "X", "kind": "castle", "region": "131082"}, "kind"),
        ({"name": "", "kind": "primary", "region": "131082"}, "name"),
        (
            {"name": "X", "kind": "primary", "region": "131082", "school_code": "211301"},
            "school_code",
        ),
        # A Beijing identifier for a school in Hebei.
        (
            {"name": "X", "kind": "primary", "region": "131082", "school_code": "2111010001"},
            "school_code",
        ),
        # The identifier of the Sanhe school, already registered.
        (
            {"name": "X", "kind": "primary", "region": "131082", "school_code": "2113012345"},
            "school_code",
        ),
        ({"name": "Sanhe Experimental", "kind": "primary", "region": "131082"}, "__all__"),
        ({"name": "X", "kind": "primary", "region": "131082", "parent": 999999}, "parent"),
        ({"name": "X", "kind": "primary", "region": "131082", "latitude": 91}, "latitude"),
    ],
    ids=[
        "no-region",
        "unknown-region",
        "unknown-field",
        "unknown-stage",
        "unknown-kind",
        "empty-name",
        "short-school-code",
        "school-code-of-another-province",
        "school-code-taken",
        "name-taken-in-region",
        "unknown-parent",
        "latitude",
    ],
)
def test_it_refuses_an_invalid_institution_naming_the_field(cast, data, field):
    with pytest.raises(InvalidInput) as refused:
        services.create_institution(cast.actor("sanhe"), data)
    assert field in refused.value.fields, refused.value.fields
    assert Institution.objects.count() == 4
    assert not events("institution.create")


def test_it_accepts_a_school_identifier_of_the_institutions_own_province(cast):
    inst = services.create_institution(
        cast.actor("sanhe"),
        {"name": "X", "kind": "primary", "region": "131082", "school_code": "2113019999"},
    )
    assert inst.school_code == "2113019999"


def test_it_audits_only_the_fields_an_update_changed(cast):
    services.update_institution(
        cast.actor("school_admin"), cast.sanhe_branch.pk, {"address": "大厂镇", "name_en": ""}
    )
    event = only_event("institution.update")
    assert (event.before, event.after) == ({"address": ""}, {"address": "大厂镇"})
    assert event.actor_id == cast.users["school_admin"].pk


def test_it_refuses_to_move_an_institution_out_of_the_callers_region(cast):
    with pytest.raises(PermissionDenied):
        services.update_institution(cast.actor("sanhe"), cast.sanhe_school.pk, {"region": "131028"})
    cast.sanhe_school.refresh_from_db()
    assert cast.sanhe_school.region.code == "131082"


def test_it_refuses_a_branch_cycle(cast):
    with pytest.raises(InvalidInput) as refused:
        services.update_institution(
            cast.actor("sysadmin"), cast.sanhe_school.pk, {"parent": cast.sanhe_branch.pk}
        )
    assert "parent" in refused.value.fields
    with pytest.raises(InvalidInput):
        services.update_institution(
            cast.actor("sysadmin"), cast.sanhe_school.pk, {"parent": cast.sanhe_school.pk}
        )
    cast.sanhe_school.refresh_from_db()
    assert cast.sanhe_school.parent_id is None


def test_it_refuses_to_attach_a_branch_to_an_institution_the_caller_does_not_manage(cast):
    with pytest.raises(PermissionDenied):
        services.update_institution(
            cast.actor("school_admin"), cast.sanhe_branch.pk, {"parent": cast.xiongxian_school.pk}
        )


def test_it_deletes_an_institution_and_audits_what_it_was(cast):
    inst = services.create_institution(
        cast.actor("sanhe"), {"name": "To go", "kind": "primary", "region": "131082"}
    )
    services.delete_institution(cast.actor("sanhe"), inst.pk)
    assert not Institution.objects.filter(pk=inst.pk).exists()
    event = only_event("institution.delete")
    assert (event.object_id, event.object_label, event.after) == (str(inst.pk), "To go", None)
    assert event.before["name"] == "To go"


@pytest.mark.parametrize("which", ["sanhe_school", "sanhe_branch"])
def test_it_refuses_to_delete_an_institution_with_staff_or_branches(cast, which):
    # Sanhe Experimental has a branch campus and staff; the branch campus has staff.
    inst = getattr(cast, which)
    with pytest.raises(Conflict):
        services.delete_institution(cast.actor("sysadmin"), inst.pk)
    assert Institution.objects.filter(pk=inst.pk).exists()
    assert not events("institution.delete")


def test_it_refuses_to_delete_an_institution_with_a_branch_even_without_staff(cast):
    Staff.objects.filter(institution=cast.sanhe_school).delete()
    with pytest.raises(Conflict):
        services.delete_institution(cast.actor("sysadmin"), cast.sanhe_school.pk)


# --- labs ---------------------------------------------------------------------------------


def test_it_adds_and_removes_labs_with_an_audit_event_each(cast):
    actor = cast.actor("school_admin")
    lab = services.add_lab(actor, cast.sanhe_branch.pk, {"name": "创客实验室", "field": "STEM"})
    assert only_event("lab.create").after["name"] == "创客实验室"
    services.remove_lab(actor, lab.pk)
    assert not Lab.objects.exists()
    event = only_event("lab.delete")
    assert (event.object_id, event.before["field"]) == (str(lab.pk), "STEM")


def test_it_refuses_labs_of_institutions_outside_the_scope(cast):
    with pytest.raises(PermissionDenied):
        services.add_lab(cast.actor("school_admin"), cast.tongzhou_school.pk, {"name": "L"})
    with pytest.raises(NotFound):
        services.add_lab(cast.actor("auditor"), cast.tongzhou_school.pk, {"name": "L"})
    with pytest.raises(NotFound):
        services.remove_lab(cast.actor("sanhe"), 999999)
    with pytest.raises(InvalidInput):
        services.add_lab(cast.actor("sanhe"), cast.sanhe_school.pk, {"name": "L", "budget": 1})
    assert not Lab.objects.exists()


# --- staff --------------------------------------------------------------------------------

BIRTH = dt.date(1988, 2, 29)
VALID_ID = make_id_number("131082", BIRTH, 55, male=True)


def with_check(first17):
    return first17 + id_check_char(first17)


def wrong_check(number):
    return number[:17] + ("0" if number[17] != "0" else "1")


def staff_data(cast, **extra):
    data = {
        "name": "周新",
        "id_number": VALID_ID,
        "institution": cast.sanhe_school.pk,
        "joined_on": dt.date(2012, 9, 1),
        "phone": "13987654321",
        "stages": ["primary"],
        "subjects": "语文，数学",
        "honours": ["subject_leader"],
    }
    data.update(extra)
    return data


def test_it_registers_staff_deriving_birth_date_and_gender_from_the_id_number(cast):
    staff = services.create_staff(cast.actor("school_admin"), staff_data(cast))
    assert (staff.birth_date, staff.gender) == (BIRTH, "M")
    assert staff.subject_list == ["13", "14"]  # 语文, 数学: a full-width comma separates too


def test_it_normalises_a_lower_case_check_character(cast):
    for serial in range(60, 1000):
        number = make_id_number("131082", BIRTH, serial)
        if number.endswith("X"):
            break
    else:  # pragma: no cover - one in eleven numbers ends in X
        raise AssertionError("no number ending in X")
    staff = services.create_staff(cast.actor("sanhe"), staff_data(cast, id_number=number.lower()))
    assert id_number_of(staff) == number


def test_it_audits_a_new_staff_member_with_personal_data_masked(cast):
    staff = services.create_staff(cast.actor("sanhe"), staff_data(cast))
    event = only_event("staff.create")
    assert (
        event.after["id_number"]
        == staff.masked_id_number
        == "131082***********" + id_number_of(staff)[-1:]
    )
    assert event.after["phone"] == "139****4321"
    assert id_number_of(staff) not in str(event.after) and "13987654321" not in str(event.after)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"birth_date": dt.date(1988, 3, 1)}, "birth_date"),
        ({"gender": "F"}, "gender"),
        ({"id_number": wrong_check(VALID_ID)}, "id_number"),
        ({"id_number": with_check("13108219880230055")}, "id_number"),  # 30 February
        ({"id_number": "13108219880229"}, "id_number"),
        ({"phone": "110"}, "phone"),
        ({"joined_on": dt.date.today() + dt.timedelta(days=30)}, "joined_on"),
        ({"honours": ["hero"]}, "honours"),
        ({"stages": ["nursery"]}, "stages"),
        ({"title": "genius"}, "title"),
        ({"position": "janitor"}, "position"),
        ({"salary": 1}, "salary"),
        ({"subjects": ["x" * 31]}, "subjects"),
    ],
    ids=[
        "birth-date-mismatch",
        "gender-mismatch",
        "checksum",
        "birth-date-in-id",
        "short-id",
        "phone",
        "joined-in-future",
        "honour",
        "stage",
        "title",
        "position",
        "unknown-field",
        "long-subject",
    ],
)
def test_it_refuses_invalid_staff_data_and_writes_nothing(cast, extra, field):
    data = staff_data(cast, **extra)
    with pytest.raises(InvalidInput) as refused:
        services.create_staff(cast.actor("sanhe"), data)
    assert field in refused.value.fields, refused.value.fields
    assert Staff.objects.count() == 4
    assert not events("staff.create")


def test_it_refuses_a_hire_date_before_the_person_turned_sixteen(cast):
    # 周新 was born on 29 February 1988, so he turned 16 on 29 February 2004.
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.create_staff(cast.actor("sanhe"), staff_data(cast, joined_on=dt.date(2004, 2, 28)))
    assert refused.value.fields == {
        "joined_on": ["This date is before the person turned 16 (on 2004-02-29)."]
    }
    staff = services.create_staff(
        cast.actor("sanhe"), staff_data(cast, joined_on=dt.date(2004, 2, 29))
    )
    assert staff.joined_on == dt.date(2004, 2, 29)


def test_it_names_where_a_person_of_its_own_scope_is_already_registered(cast):
    data = staff_data(cast, id_number=id_number_of(cast.sanhe_teacher))
    data.pop("phone")
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.create_staff(cast.actor("sanhe"), data)
    assert refused.value.fields == {
        "id_number": ["This person is already registered: 李三河 at Sanhe Experimental."]
    }
    assert Staff.objects.count() == 4
    assert AuditEvent.objects.count() == 0


def test_it_refuses_staff_of_an_institution_outside_the_scope_before_validating(cast):
    # The payload is invalid too; the refusal must still be about the scope.
    data = staff_data(cast, institution=cast.tongzhou_school.pk, id_number="1")
    with pytest.raises(PermissionDenied):
        services.create_staff(cast.actor("sanhe"), data)
    with pytest.raises(PermissionDenied):
        services.create_staff(cast.actor("teacher"), staff_data(cast))
    assert Staff.objects.count() == 4


def test_it_records_a_changed_phone_even_when_its_masked_form_looks_the_same(cast):
    # 13800000002 → 13811110002: the mask (138****0002) hides the change.
    services.update_staff(cast.actor("sanhe"), cast.sanhe_teacher.pk, {"phone": "13811110002"})
    event = only_event("staff.update")
    assert set(event.after) == {"phone"}
    assert event.before["phone"] == event.after["phone"] == "138****0002"


def test_it_audits_a_staff_update_with_before_and_after(cast):
    services.update_staff(
        cast.actor("school_admin"), cast.branch_teacher.pk, {"title": "second", "name": "刘大厂 "}
    )
    event = only_event("staff.update")
    assert event.before == {"title": ""}
    assert event.after == {"title": "second"}


def test_it_refuses_an_id_number_change_that_contradicts_the_stored_birth_date(cast):
    other = make_id_number("131082", dt.date(1970, 1, 1), 2, male=False)
    with pytest.raises(InvalidInput) as refused:
        services.update_staff(cast.actor("sanhe"), cast.sanhe_teacher.pk, {"id_number": other})
    assert "birth_date" in refused.value.fields
    services.update_staff(
        cast.actor("sanhe"), cast.sanhe_teacher.pk, {"id_number": other, "birth_date": None}
    )
    cast.sanhe_teacher.refresh_from_db()
    assert cast.sanhe_teacher.birth_date == dt.date(1970, 1, 1)


def test_it_moves_staff_only_between_institutions_of_the_scope(cast):
    actor = cast.actor("school_admin")
    services.update_staff(actor, cast.sanhe_teacher.pk, {"institution": cast.sanhe_branch.pk})
    with pytest.raises(PermissionDenied):
        services.update_staff(
            actor, cast.sanhe_teacher.pk, {"institution": cast.tongzhou_school.pk}
        )
    cast.sanhe_teacher.refresh_from_db()
    assert cast.sanhe_teacher.institution_id == cast.sanhe_branch.pk


def test_it_keeps_a_teachers_own_record_out_of_her_hands(cast):
    with pytest.raises(PermissionDenied):
        services.update_staff(
            cast.actor("teacher"), cast.sanhe_teacher.pk, {"phone": "13900000000"}
        )
    with pytest.raises(PermissionDenied):
        services.delete_staff(cast.actor("teacher"), cast.sanhe_teacher.pk)
    assert phone_of(Staff.objects.get(pk=cast.sanhe_teacher.pk)) == "13800000002"


def test_it_deletes_staff_and_audits_the_masked_record(cast):
    pk = cast.branch_teacher.pk
    services.delete_staff(cast.actor("school_admin"), pk)
    assert not Staff.objects.filter(pk=pk).exists()
    event = only_event("staff.delete")
    assert event.object_label == "刘大厂"
    assert event.before["id_number"] == cast.branch_teacher.masked_id_number
    assert id_number_of(cast.branch_teacher) not in str(event.before)


def test_it_refuses_to_delete_staff_outside_the_scope(cast):
    with pytest.raises(PermissionDenied):
        services.delete_staff(cast.actor("hebei_viewer"), cast.branch_teacher.pk)
    with pytest.raises(NotFound):
        services.delete_staff(cast.actor("sanhe"), cast.branch_teacher.pk)
    with pytest.raises(NotFound):
        services.delete_staff(cast.actor("school_admin"), cast.beijing_teacher.pk)
    with pytest.raises(NotFound):
        services.delete_staff(cast.actor("sanhe"), 999999)
    assert Staff.objects.count() == 4
