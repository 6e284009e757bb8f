"""The access rules of the registry as one table, run through services, API and pages.

``SCOPE`` below is the single source of truth: one row per user of the cast (see
``xietong/conftest.py``) and verb, one column per object of the cast. The harness
(:mod:`xietong.access.testing`) runs every cell through the selectors and services (and
checks that ``access.actions`` names the verb exactly where it is allowed), through
``/api/…`` (status and the ``actions`` of the detail) and through the pages (shown or
404, the button shown or hidden, the form page 200/403/404, the reveal POST refused).

Cells: ``Y`` allowed · ``F`` forbidden (visible, but refused: ``PermissionDenied``/403) ·
``H`` hidden (``NotFound``/404: the record does not exist for this user) · ``.`` not
applicable (institutions have no personal data).

Columns: Tongzhou No. 1 (北京通州), Sanhe Experimental (河北三河), its branch campus in
大厂, Xiongxian No. 1 (雄安); then a teacher of each (``*_t``). ``sanhe_t`` is Tina, who
is also the ``teacher`` user — her own record ("self"): she reads it and reveals her
personal data, but her record is kept by her institution's administrators (decision 0009).
An authority reads the people of its own region only (decision 0001, minimum necessary);
those an exchange shows it beyond that are in ``xietong/exchanges/tests``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from xietong import access
from xietong.access.testing import Api, Matrix, Verb
from xietong.accounts.models import AuditEvent
from xietong.conftest import id_number_of, phone_of
from xietong.core.errors import PermissionDenied
from xietong.institutions import selectors, services
from xietong.institutions.models import Staff

SCOPE = """
user          verb       tongzhou sanhe branch xiongxian | beijing_t sanhe_t branch_t xiongan_t
beijing       read       Y        Y     Y      Y         | Y         H       H        H
beijing       write      Y        F     F      F         | Y         H       H        H
beijing       personal   .        .     .      .         | Y         H       H        H
tongzhou      read       Y        Y     Y      Y         | Y         H       H        H
tongzhou      write      Y        F     F      F         | Y         H       H        H
tongzhou      personal   .        .     .      .         | Y         H       H        H
sanhe         read       Y        Y     Y      Y         | H         Y       H        H
sanhe         write      F        Y     F      F         | H         Y       H        H
sanhe         personal   .        .     .      .         | H         Y       H        H
hebei_viewer  read       Y        Y     Y      Y         | H         Y       Y        Y
hebei_viewer  write      F        F     F      F         | H         F       F        F
hebei_viewer  personal   .        .     .      .         | H         F       F        F
school_admin  read       Y        Y     Y      Y         | H         Y       Y        H
school_admin  write      F        Y     Y      F         | H         Y       Y        H
school_admin  personal   .        .     .      .         | H         Y       Y        H
teacher       read       Y        Y     Y      Y         | H         Y       H        H
teacher       write      F        F     F      F         | H         F       H        H
teacher       personal   .        .     .      .         | H         Y       H        H
sysadmin      read       Y        Y     Y      Y         | Y         Y       Y        Y
sysadmin      write      Y        Y     Y      Y         | F         F       F        F
sysadmin      personal   .        .     .      .         | F         F       F        F
secadmin      read       H        H     H      H         | H         H       H        H
secadmin      write      H        H     H      H         | H         H       H        H
secadmin      personal   .        .     .      .         | H         H       H        H
auditor       read       H        H     H      H         | H         H       H        H
auditor       write      H        H     H      H         | H         H       H        H
auditor       personal   .        .     .      .         | H         H       H        H
nobody        read       H        H     H      H         | H         H       H        H
nobody        write      H        H     H      H         | H         H       H        H
nobody        personal   .        .     .      .         | H         H       H        H
"""

COLUMNS = {  # column of SCOPE → the object of the cast
    "tongzhou": "tongzhou_school",
    "sanhe": "sanhe_school",
    "branch": "sanhe_branch",
    "xiongxian": "xiongxian_school",
    "beijing_t": "beijing_teacher",
    "sanhe_t": "sanhe_teacher",
    "branch_t": "branch_teacher",
    "xiongan_t": "xiongan_teacher",
}
USERS = (
    "beijing",
    "tongzhou",
    "sanhe",
    "hebei_viewer",
    "school_admin",
    "teacher",
    "sysadmin",
    "secadmin",
    "auditor",
    "nobody",
)
CHANGE: dict[str, tuple[dict[str, Any], str]] = {
    "staff": ({"subjects": ["14", "16"]}, ",14,16,"),  # 数学, 物理
    "inst": ({"address": "Matrix Road 1"}, "Matrix Road 1"),
}


def _is_staff(obj: Any) -> bool:
    return isinstance(obj, Staff)


def _api_path(obj: Any) -> str:
    return f"/api/staff/{obj.pk}" if _is_staff(obj) else f"/api/institutions/{obj.pk}"


def _page(obj: Any) -> str:
    name = "institutions:staff_detail" if _is_staff(obj) else "institutions:detail"
    return reverse(name, args=[obj.pk])


def _edit_page(obj: Any) -> str:
    name = "institutions:staff_edit" if _is_staff(obj) else "institutions:edit"
    return reverse(name, args=[obj.pk])


def _change(obj: Any) -> dict[str, Any]:
    return CHANGE["staff" if _is_staff(obj) else "inst"][0]


def _changed(obj: Any) -> bool:
    field, value = (
        ("subjects", CHANGE["staff"][1]) if _is_staff(obj) else ("address", CHANGE["inst"][1])
    )
    return getattr(obj, field) == value


def _read(actor: Any, obj: Any) -> Any:
    detail = selectors.staff_detail if _is_staff(obj) else selectors.institution_detail
    return detail(actor, obj.pk)


def _write(actor: Any, obj: Any) -> Any:
    update = services.update_staff if _is_staff(obj) else services.update_institution
    return update(actor, obj.pk, _change(obj))


def _revealed(obj: Any) -> bool:
    return AuditEvent.objects.filter(action="personal_data.read", object_id=str(obj.pk)).exists()


MATRIX = Matrix(
    SCOPE,
    {
        "read": Verb("read", service=_read, api=lambda o: ("get", _api_path(o), None), page=_page),
        "write": Verb(
            "write",
            action="edit",
            service=_write,
            done=_changed,
            api=lambda o: ("patch", _api_path(o), _change(o)),
            page=_page,
            marker=lambda o: f'href="{_edit_page(o)}"',
            form=_edit_page,
        ),
        "personal": Verb(
            "personal",
            action="reveal",
            service=lambda actor, o: selectors.reveal_personal_data(actor, o.pk),
            done=_revealed,
            api=lambda o: ("get", f"/api/staff/{o.pk}/personal-data", None),
            page=_page,
            marker=lambda o: 'data-testid="reveal"',
            post=lambda o: (reverse("institutions:staff_reveal", args=[o.pk]), {}),
        ),
    },
)


def _objects(cast: Any) -> dict[str, Any]:
    return {column: getattr(cast, name) for column, name in COLUMNS.items()}


# --- the table itself ------------------------------------------------------------------


def test_it_covers_every_user_object_and_verb_of_the_cast_exactly_once():
    keys = {(c.user, c.verb, c.obj) for c in MATRIX.cells}
    assert len(keys) == len(MATRIX.cells)
    institutions, staff = list(COLUMNS)[:4], list(COLUMNS)[4:]
    expected = {(u, v, o) for u in USERS for v in ("read", "write") for o in COLUMNS}
    expected |= {(u, "personal", o) for u in USERS for o in staff}
    assert keys == expected
    assert not {(u, "personal", o) for u in USERS for o in institutions} & keys


def test_it_never_forbids_a_read_it_could_hide_instead():
    # A record one may not read does not exist for that user: reads are allowed or hidden.
    assert {c.outcome for c in MATRIX.cells if c.verb == "read"} == {"allowed", "hidden"}


def test_it_hides_from_writing_and_unmasking_whatever_it_hides_from_reading():
    read = {(c.user, c.obj): c.outcome for c in MATRIX.cells if c.verb == "read"}
    for c in MATRIX.cells:
        assert (c.outcome == "hidden") == (read[(c.user, c.obj)] == "hidden"), c


# --- the same table through the three doors --------------------------------------------


def test_it_allows_through_the_services_exactly_what_the_table_says(cast):
    assert MATRIX.check_services(cast.actor, _objects(cast)) == []


def test_it_answers_through_the_api_exactly_what_the_table_says(cast):
    assert MATRIX.check_api(Api(cast.actor), _objects(cast)) == []


def test_it_shows_pages_and_buttons_exactly_where_the_table_says(cast):
    assert MATRIX.check_web(lambda c, u: c.force_login(cast.users[u]), _objects(cast)) == []


# --- beyond one record -----------------------------------------------------------------


@pytest.mark.parametrize("user", USERS)
def test_it_lists_to_each_user_exactly_the_records_it_may_read(cast, user):
    api = Api(cast.actor)
    objects = _objects(cast)
    for cell in (c for c in MATRIX.cells if c.user == user and c.verb == "read"):
        obj = objects[cell.obj]
        base = "/api/staff/" if _is_staff(obj) else "/api/institutions/"
        listing = api.call(user, ("get", f"{base}?q={obj.name}&page_size=100", None))
        assert listing.status_code == 200
        ids = [item["id"] for item in listing.json()["items"]]
        assert (obj.pk in ids) is (cell.outcome == "allowed"), cell


def test_it_writes_one_audit_event_per_allowed_change_and_none_per_refusal(cast):
    sanhe, teacher = cast.actor("sanhe"), cast.actor("teacher")
    services.update_staff(sanhe, cast.sanhe_teacher.pk, {"subjects": ["语文"]})
    with pytest.raises(PermissionDenied):
        services.update_staff(teacher, cast.sanhe_teacher.pk, {"subjects": ["英语"]})
    events = AuditEvent.objects.filter(action="staff.update", object_id=str(cast.sanhe_teacher.pk))
    assert [e.actor_id for e in events] == [cast.users["sanhe"].pk]


def test_it_never_carries_personal_data_in_the_ordinary_staff_view(cast):
    api = Api(cast.actor)
    for user in USERS:
        for staff in (cast.beijing_teacher, cast.sanhe_teacher):
            plain = api.call(user, ("get", f"/api/staff/{staff.pk}", None))
            if plain.status_code == 200:
                assert plain.json()["id_number"] != id_number_of(staff)
                assert plain.json()["phone"] != phone_of(staff)


def test_it_marks_list_rows_by_the_same_rule_as_the_detail(cast):
    for user in USERS:
        actor = cast.actor(user)
        for row in selectors.institutions_for(actor):
            assert row.can_edit is selectors.can_edit_institution(actor, row)
        for row in selectors.staff_for(actor):
            assert row.owned is ("reveal" in access.actions(actor, row))
