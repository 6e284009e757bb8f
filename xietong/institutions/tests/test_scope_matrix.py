"""The access rules of the registry as one table, checked through the services and the API.

``SCOPE`` below is the single source of truth: one row per user of the cast (see
``xietong/conftest.py``) and operation, one column per object of the cast. Every cell
becomes one test case through the selectors/services *and* one through ``/api/…``, with
ids such as ``sanhe-read-beijing_teacher-allowed``.

Cells: ``Y`` allowed · ``F`` forbidden (visible, but refused: ``PermissionDenied``/403) ·
``H`` hidden (``NotFound``/404: the record does not exist for this user) · ``.`` not
applicable (institutions have no personal data).

Columns (see ``COLUMNS``): Tongzhou No. 1 (北京通州), Sanhe Experimental (河北三河), its
branch campus in 大厂, Xiongxian No. 1 (雄安); then a teacher of each (``*_t``).
``sanhe_t`` is Tina, who is also the ``teacher`` user — her own record ("self").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from xietong.accounts.models import AuditEvent
from xietong.accounts.services import create_token
from xietong.core.errors import NotFound, PermissionDenied
from xietong.institutions import selectors, services
from xietong.institutions.models import Institution, Staff

SCOPE = """
user          operation  tongzhou sanhe branch xiongxian | beijing_t sanhe_t branch_t xiongan_t
beijing       read       Y        Y     Y      Y         | Y         Y       Y        Y
beijing       write      Y        F     F      F         | Y         F       F        F
beijing       personal   .        .     .      .         | Y         F       F        F
tongzhou      read       Y        Y     Y      Y         | Y         Y       Y        Y
tongzhou      write      Y        F     F      F         | Y         F       F        F
tongzhou      personal   .        .     .      .         | Y         F       F        F
sanhe         read       Y        Y     Y      Y         | Y         Y       Y        Y
sanhe         write      F        Y     F      F         | F         Y       F        F
sanhe         personal   .        .     .      .         | F         Y       F        F
hebei_viewer  read       Y        Y     Y      Y         | Y         Y       Y        Y
hebei_viewer  write      F        F     F      F         | F         F       F        F
hebei_viewer  personal   .        .     .      .         | F         F       F        F
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

OUTCOMES = {"Y": "allowed", "F": "forbidden", "H": "hidden"}
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
INSTITUTIONS = ("tongzhou_school", "sanhe_school", "sanhe_branch", "xiongxian_school")
STAFF = ("beijing_teacher", "sanhe_teacher", "branch_teacher", "xiongan_teacher")
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


@dataclass(frozen=True)
class Case:
    user: str
    operation: str
    obj: str
    outcome: str  # allowed | forbidden | hidden

    @property
    def is_staff(self) -> bool:
        return self.obj in STAFF

    @property
    def allowed(self) -> bool:
        return self.outcome == "allowed"

    def __str__(self) -> str:
        return f"{self.user}-{self.operation}-{self.obj}-{self.outcome}"


def parse(table: str) -> list[Case]:
    lines = [line.split() for line in table.strip().splitlines()]
    header = [w for w in lines[0] if w != "|"]
    assert header[:2] == ["user", "operation"]
    objects = [COLUMNS[h] for h in header[2:]]
    cases = []
    for words in lines[1:]:
        user, operation, *cells = (w for w in words if w != "|")
        assert len(cells) == len(objects), f"row {user} {operation} has {len(cells)} cells"
        for obj, cell in zip(objects, cells, strict=True):
            if cell != ".":
                cases.append(Case(user, operation, obj, OUTCOMES[cell]))
    return cases


CASES = parse(SCOPE)


def cases_for(operation: str, kind: tuple[str, ...] | None = None) -> list[Case]:
    return [c for c in CASES if c.operation == operation and (kind is None or c.obj in kind)]


# --- the table itself ------------------------------------------------------------------


def test_it_covers_every_user_object_and_operation_of_the_cast_exactly_once():
    keys = [(c.user, c.operation, c.obj) for c in CASES]
    assert len(keys) == len(set(keys))
    expected = {(u, op, o) for u in USERS for op in ("read", "write") for o in INSTITUTIONS + STAFF}
    expected |= {(u, "personal", o) for u in USERS for o in STAFF}
    assert set(keys) == expected


def test_it_never_forbids_a_read_it_could_hide_instead():
    # A record one may not read does not exist for that user: reads are allowed or hidden.
    assert {c.outcome for c in cases_for("read")} == {"allowed", "hidden"}


def test_it_hides_from_writing_and_unmasking_whatever_it_hides_from_reading():
    read = {(c.user, c.obj): c.outcome for c in cases_for("read")}
    for c in CASES:
        assert (c.outcome == "hidden") == (read[(c.user, c.obj)] == "hidden"), c


# --- through the selectors and services ------------------------------------------------


def _target(cast: Any, case: Case) -> Institution | Staff:
    return getattr(cast, case.obj)


def _events(action: str, obj: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(obj.pk)))


@pytest.mark.parametrize("case", cases_for("read"), ids=str)
def test_it_lets_each_user_read_exactly_what_the_table_allows(cast, case):
    actor = cast.actor(case.user)
    obj = _target(cast, case)
    if case.is_staff:
        listed = selectors.staff_for(actor).filter(pk=obj.pk).exists()
        detail = selectors.staff_detail
    else:
        listed = selectors.institutions_for(actor).filter(pk=obj.pk).exists()
        detail = selectors.institution_detail
    assert listed is case.allowed
    if case.allowed:
        assert detail(actor, obj.pk).pk == obj.pk
    else:
        with pytest.raises(NotFound):
            detail(actor, obj.pk)


def _harmless_change(case: Case) -> tuple[dict[str, Any], str, Any]:
    """The change each write tries, the field it touches and the value it sets."""
    if case.is_staff:
        return {"subjects": ["14", "16"]}, "subjects", ",14,16,"  # 数学, 物理
    return {"address": "Matrix Road 1"}, "address", "Matrix Road 1"


@pytest.mark.parametrize("case", cases_for("write"), ids=str)
def test_it_lets_each_user_change_exactly_what_the_table_allows(cast, case):
    actor = cast.actor(case.user)
    obj = _target(cast, case)
    change, field, value = _harmless_change(case)
    update = services.update_staff if case.is_staff else services.update_institution
    action = "staff.update" if case.is_staff else "institution.update"
    if not case.is_staff and case.outcome != "hidden":
        # Lists mark the rows the user may change, by the same rule.
        row = selectors.institutions_for(actor).get(pk=obj.pk)
        assert row.can_edit is selectors.can_edit_institution(actor, row) is case.allowed
    if case.allowed:
        update(actor, obj.pk, change)
    else:
        expected = PermissionDenied if case.outcome == "forbidden" else NotFound
        with pytest.raises(expected):
            update(actor, obj.pk, change)
    obj.refresh_from_db()
    assert (getattr(obj, field) == value) is case.allowed
    events = _events(action, obj)
    assert len(events) == (1 if case.allowed else 0)
    if case.allowed:
        assert events[0].actor_id == cast.users[case.user].pk


@pytest.mark.parametrize("case", cases_for("personal"), ids=str)
def test_it_unmasks_personal_data_exactly_where_the_table_allows_and_audits_it(cast, case):
    actor = cast.actor(case.user)
    staff = _target(cast, case)
    if case.outcome != "hidden":
        # Lists mark the rows whose personal data the user owns, by the same rule.
        assert selectors.staff_for(actor).get(pk=staff.pk).owned is case.allowed
    if case.allowed:
        revealed = selectors.reveal_personal_data(actor, staff.pk)
        assert revealed == {
            "id_number": staff.id_number,
            "phone": staff.phone,
            "birth_date": staff.birth_date,
        }
    else:
        expected = PermissionDenied if case.outcome == "forbidden" else NotFound
        with pytest.raises(expected):
            selectors.reveal_personal_data(actor, staff.pk)
    events = _events("personal_data.read", staff)
    assert len(events) == (1 if case.allowed else 0)
    if case.allowed:
        assert events[0].actor_id == cast.users[case.user].pk
        assert events[0].object_type == "institutions.staff"


# --- the same table through the API ----------------------------------------------------

STATUS = {"allowed": 200, "forbidden": 403, "hidden": 404}


class Api:
    """A client that calls /api/ as one user of the cast with a bearer token."""

    def __init__(self, cast: Any, username: str):
        self.client = Client(enforce_csrf_checks=True)
        _, plain = create_token(cast.actor(username), "scope matrix")
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {}, **self.auth)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(
            path, data=json.dumps(body), content_type="application/json", **self.auth
        )


def _path(case: Case, obj: Any) -> str:
    return f"/api/staff/{obj.pk}" if case.is_staff else f"/api/institutions/{obj.pk}"


def _assert_error(response: Any, status: int) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == {403: "forbidden", 404: "not_found"}[status]
    assert body["message"]


@pytest.mark.parametrize("case", cases_for("read"), ids=str)
def test_it_serves_each_user_exactly_what_the_table_allows_to_read(cast, case):
    api = Api(cast, case.user)
    obj = _target(cast, case)
    response = api.get(_path(case, obj))
    if case.allowed:
        assert response.status_code == 200, response.content
        assert response.json()["id"] == obj.pk
    else:
        _assert_error(response, 404)
    listing = api.get(f"{_path(case, obj).rsplit('/', 1)[0]}/", {"q": obj.name, "page_size": 100})
    assert listing.status_code == 200
    assert (obj.pk in [item["id"] for item in listing.json()["items"]]) is case.allowed


@pytest.mark.parametrize("case", cases_for("write"), ids=str)
def test_it_accepts_through_the_api_exactly_the_changes_the_table_allows(cast, case):
    api = Api(cast, case.user)
    obj = _target(cast, case)
    change, field, value = _harmless_change(case)
    response = api.patch(_path(case, obj), change)
    if case.allowed:
        assert response.status_code == 200, response.content
        out = response.json()
        shown = [c["code"] for c in out[field]] if field == "subjects" else out[field]
        assert shown == change[field]
    else:
        _assert_error(response, STATUS[case.outcome])
    obj.refresh_from_db()
    assert (getattr(obj, field) == value) is case.allowed


@pytest.mark.parametrize("case", cases_for("personal"), ids=str)
def test_it_reveals_through_the_api_exactly_the_personal_data_the_table_allows(cast, case):
    api = Api(cast, case.user)
    staff = _target(cast, case)
    response = api.get(f"/api/staff/{staff.pk}/personal-data")
    if case.allowed:
        assert response.status_code == 200, response.content
        assert response.json() == {
            "id_number": staff.id_number,
            "phone": staff.phone,
            "birth_date": staff.birth_date.isoformat(),
        }
    else:
        _assert_error(response, STATUS[case.outcome])
    assert len(_events("personal_data.read", staff)) == (1 if case.allowed else 0)
    # The ordinary staff view never carries the personal data, whoever asks.
    plain = api.get(f"/api/staff/{staff.pk}")
    if plain.status_code == 200:
        assert plain.json()["id_number"] != staff.id_number
        assert plain.json()["phone"] != staff.phone
