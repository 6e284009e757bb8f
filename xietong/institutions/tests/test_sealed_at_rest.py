"""Staff ID numbers and phones are sealed at rest: no clear value anywhere in the database,
lists never open a sealed value, and only the audited reveal shows one (decision 0002)."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

import xietong
from xietong.accounts.models import AuditEvent
from xietong.conftest import id_number_of, make_id_number, phone_of
from xietong.core import sealing
from xietong.core.masking import mask_id_number
from xietong.demo import named, synthetic
from xietong.institutions import personal_data, services
from xietong.institutions.models import Staff

NEW_ID = make_id_number("131082", dt.date(1991, 7, 9), 61, male=False)
NEW_PHONE = "13712345678"


def _register_through_the_service(cast) -> Staff:
    return services.create_staff(
        cast.actor("sanhe"),
        {
            "name": "周新",
            "id_number": NEW_ID,
            "phone": NEW_PHONE,
            "institution": cast.sanhe_school.pk,
            "joined_on": dt.date(2020, 9, 1),
            "stages": ["primary"],
            "subjects": ["14"],
        },
    )


def _clear_values() -> set[str]:
    """Every staff member's ID number and phone, opened as the reveal opens them."""
    values: set[str] = set()
    for staff in Staff.objects.all():
        values |= {id_number_of(staff), phone_of(staff)} - {""}
    return values


def _database_bytes() -> bytes:
    """What a copy of the database holds: the SQLite file's bytes (free pages and all), or
    on PostgreSQL every row of every table as text, as a dump would write it."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.serialize()
    qn = connection.ops.quote_name
    parts: list[str] = []
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f"SELECT t::text FROM {qn(table)} AS t")
            parts.extend(row[0] for row in cur.fetchall())
    return "\n".join(parts).encode()


@pytest.mark.django_db
def test_no_id_number_or_phone_is_in_the_database_after_the_service_and_the_demo_loader(cast):
    _register_through_the_service(cast)
    named.load_named()
    assert synthetic.load(Decimal("0.001"), seed=3).status == "loaded"
    clear = _clear_values()
    assert NEW_ID in clear and NEW_PHONE in clear and len(clear) > 2000
    dump = _database_bytes()
    # The scan sees the rows: names and masks are there in clear.
    assert "周新".encode() in dump and mask_id_number(NEW_ID).encode() in dump
    found = sorted(v for v in clear if v.encode() in dump)
    assert found == []


def test_each_sealed_value_names_its_key_version_and_the_row_carries_it(cast):
    staff = Staff.objects.get(pk=cast.sanhe_teacher.pk)
    assert staff.key_version == 1
    ring = sealing.PERSONAL
    assert ring.version_of(staff.id_number_sealed) == ring.version_of(staff.phone_sealed) == 1
    assert staff.masked_id_number == "131082***********" + id_number_of(staff)[-1]
    assert staff.masked_phone == "138****0002"


def test_an_id_number_is_found_by_its_blind_index_and_a_phone_compared_sealed(cast):
    number = id_number_of(cast.sanhe_teacher)
    assert Staff.objects.get(personal_data.id_number_q(number)) == cast.sanhe_teacher
    assert not Staff.objects.filter(personal_data.id_number_q(NEW_ID)).exists()
    assert personal_data.holds_id_number(cast.sanhe_teacher, number)
    assert personal_data.holds_phone(cast.sanhe_teacher, "13800000002")
    assert not personal_data.holds_phone(cast.sanhe_teacher, "13811110002")  # same mask


def test_the_database_refuses_a_second_record_with_the_same_blind_index(cast):
    twin = Staff(
        name="重复",
        gender="F",
        birth_date=cast.sanhe_teacher.birth_date,
        institution=cast.tongzhou_school,
        joined_on=dt.date(2020, 9, 1),
        **personal_data.sealed_fields(id_number_of(cast.sanhe_teacher)),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_a_sealed_value_moved_to_another_field_or_row_does_not_open(cast, client):
    staff = Staff.objects.get(pk=cast.sanhe_teacher.pk)
    Staff.objects.filter(pk=staff.pk).update(phone_sealed=staff.id_number_sealed)
    client.force_login(cast.users["school_admin"])
    response = client.post(reverse("institutions:staff_reveal", args=[staff.pk]))
    assert response.status_code == 503
    assert "个人信息密钥" in response.content.decode()
    assert not AuditEvent.objects.filter(action="personal_data.read").exists()


def test_lists_details_forms_the_api_and_the_audit_log_never_open_a_sealed_value(
    cast, client, monkeypatch
):
    def refuse(*args, **kwargs):
        raise AssertionError("a sealed value was opened")

    monkeypatch.setattr(personal_data, "_open", refuse)
    client.force_login(cast.users["sanhe"])
    pk = cast.sanhe_teacher.pk
    pages = [
        reverse("institutions:staff_list"),
        reverse("institutions:staff_detail", args=[pk]),
        reverse("institutions:staff_edit", args=[pk]),
        "/api/staff/",
        f"/api/staff/{pk}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert cast.sanhe_teacher.masked_id_number in response.content.decode(), url
    services.update_staff(cast.actor("sanhe"), pk, {"name": "李三河二", "title": "senior"})
    assert AuditEvent.objects.filter(action="staff.update", object_id=str(pk)).exists()


def test_the_reveal_opens_the_values_in_the_page_and_the_api_and_audits_each(cast, client):
    staff = cast.sanhe_teacher
    client.force_login(cast.users["school_admin"])
    page = client.post(reverse("institutions:staff_reveal", args=[staff.pk]))
    api = client.get(f"/api/staff/{staff.pk}/personal-data").json()
    assert id_number_of(staff) in page.content.decode() and "13800000002" in page.content.decode()
    assert api == {
        "id_number": id_number_of(staff),
        "phone": "13800000002",
        "birth_date": staff.birth_date.isoformat(),
    }
    events = AuditEvent.objects.filter(action="personal_data.read", object_id=str(staff.pk))
    assert events.count() == 2
    assert all(id_number_of(staff) not in str(e.detail) for e in events)


def test_the_audit_log_records_masks_never_sealed_values_or_the_index(cast):
    staff = _register_through_the_service(cast)
    event = AuditEvent.objects.get(action="staff.create", object_id=str(staff.pk))
    assert event.after["id_number"] == staff.masked_id_number
    assert event.after["phone"] == "137****5678"
    assert not {"id_number_sealed", "phone_sealed", "id_number_index", "key_version"} & set(
        event.after
    )
    assert staff.id_number_index not in str(event.after)


# --- one opener ------------------------------------------------------------------------

SOURCE = Path(xietong.__file__).parent


def _calls(path: Path, name: str) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute | ast.Name)
        and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == name
    ]


def test_only_the_audited_reveal_opens_sealed_personal_data():
    """Outside tests: ``unsealed`` is called by the reveal alone (``unsealed_values`` by the
    staff export's rows, in the same selectors module), and values are unsealed
    (``Keyring.unseal``) in the personal-data module and its migration only."""
    callers: dict[str, set[str]] = {"unsealed": set(), "unsealed_values": set(), "unseal": set()}
    for path in SOURCE.rglob("*.py"):
        rel = path.relative_to(SOURCE)
        if "tests" in rel.parts or rel.name == "conftest.py":
            continue
        for name in callers:
            if _calls(path, name):
                callers[name].add(str(rel))
    assert callers["unsealed"] == {"institutions/selectors.py", "institutions/personal_data.py"}
    assert callers["unsealed_values"] == {"institutions/selectors.py"}
    assert callers["unseal"] == {
        "accounts/second_factor.py",  # the TOTP secrets, sealed under their own key
        "institutions/personal_data.py",
        "institutions/migrations/0006_seal_staff_personal_data.py",
    }
