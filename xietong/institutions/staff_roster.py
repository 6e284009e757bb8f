"""The staff roster of the importer: a school's or an authority's teachers from a file.

Rows are matched to the registry by ID number (its blind index): a number not registered
is created, one registered in the importer's scope is updated (or left unchanged when
every value is the same), one registered elsewhere is refused without saying where — as
the form refuses it (see ``services._check_id_number_free``). Each row is checked as the
services check a form (``staff_checks``, the code tables, the model's fields) and must
name an institution in which the importer may register staff, by its school identifier
or by its exact name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong import access
from xietong.accounts import alerts, audit
from xietong.accounts.access import Actor
from xietong.core import bulk
from xietong.core.codes import HONOURS, STAGES, SUBJECTS, TITLES, CodeError, CodeTable, parse_codes
from xietong.core.delimited import pack
from xietong.institutions import personal_data, staff_checks, tallies
from xietong.institutions.choices import Gender, Position
from xietong.institutions.models import Institution, Staff
from xietong.institutions.validators import (
    birth_date_from_id,
    gender_from_id,
    id_check_char,
    normalise_id_number,
)
from xietong.transfer.reading import Column, Row
from xietong.transfer.rosters import (
    Field,
    Outcome,
    Planned,
    Roster,
    choice_lookup,
    code_names,
    in_chinese,
    register,
)

BATCH = 2_000
DUPLICATE_REFUSED = "staff.duplicate_id_refused"
# Written on create and compared on update, in this order.
VALUE_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "institution_id",
    "position",
    "stages",
    "subjects",
    "title",
    "honours",
    "joined_on",
)
NAME_LENGTH = Staff._meta.get_field("name").max_length or 50
EXAMPLE_ID = "13108219850314002" + id_check_char("13108219850314002")


def _institutions(actor: Actor) -> list[str]:
    qs = Institution.objects.filter(access.verb_q(actor, Institution, "register_staff"))
    return [
        f"{code} {name}"
        for code, name in qs.exclude(school_code="").values_list("school_code", "name")[:2000]
    ]


FIELDS = (
    Field(
        Column("name", "姓名", ("教师姓名", "name"), required=True),
        gettext_lazy("The person's name as on the ID card, at most 50 characters."),
        "李三河",
    ),
    Field(
        Column(
            "id_number",
            "身份证号",
            ("身份证件号", "身份证号码", "公民身份号码", "证件号码", "ID number"),
            required=True,
            kind="code",
        ),
        gettext_lazy(
            "The 18-character resident ID number; it identifies the person: a number already "
            "registered in your scope updates that record."
        ),
        EXAMPLE_ID,
    ),
    Field(
        Column("gender", "性别", ("gender",)),
        gettext_lazy("男 or 女; may be left empty (it follows from the ID number)."),
        "女",
        choices=lambda actor: in_chinese(label for _code, label in Gender.choices),
    ),
    Field(
        Column("birth_date", "出生日期", ("birth date",), kind="date"),
        gettext_lazy("May be left empty (it follows from the ID number)."),
        dt.date(1985, 3, 14),
    ),
    Field(
        Column("phone", "手机号", ("手机号码", "联系电话", "phone"), kind="code"),
        gettext_lazy("An 11-digit mobile number; may be left empty."),
        "13800000002",
    ),
    Field(
        Column(
            "school_code",
            "单位标识码",
            ("学校标识码", "学校代码", "school identifier"),
            kind="code",
        ),
        gettext_lazy(
            "The 10-digit school identifier of the person's institution; or leave it empty "
            "and give the institution's exact name."
        ),
        "",
        listed=_institutions,
    ),
    Field(
        Column("institution", "单位名称", ("学校名称", "任职单位", "institution")),
        gettext_lazy("The institution's name as registered (used when no identifier is given)."),
        "",
    ),
    Field(
        Column("position", "岗位", ("职务", "position")),
        gettext_lazy("One of the list; empty means 教师."),
        "教师",
        choices=lambda actor: in_chinese(label for _code, label in Position.choices),
    ),
    Field(
        Column("stages", "任教学段", ("学段", "stages")),
        gettext_lazy("One or more of the list, separated by 、"),
        "小学",
        listed=lambda actor: code_names(STAGES),
    ),
    Field(
        Column("subjects", "任教学科", ("学科", "subjects")),
        gettext_lazy("One or more of the list, separated by 、"),
        "数学",
        listed=lambda actor: code_names(SUBJECTS),
    ),
    Field(
        Column("title", "职称", ("专业技术职务", "title")),
        gettext_lazy("One of the list; may be left empty."),
        "一级教师",
        choices=lambda actor: code_names(TITLES),
    ),
    Field(
        Column("honours", "荣誉称号", ("荣誉", "honours")),
        gettext_lazy("None, one or more of the list, separated by 、"),
        "",
        listed=lambda actor: code_names(HONOURS),
    ),
    Field(
        Column(
            "joined_on",
            "到本单位时间",
            ("来校时间", "入职本单位时间", "joined on"),
            kind="date",
            required=True,
        ),
        gettext_lazy("The day the person started at this institution, as 2015-09-01."),
        dt.date(2015, 9, 1),
    ),
)


def _id_key(number: str) -> int:
    """A valid ID number as one integer (its check character X as 10)."""
    return int(number[:17]) * 11 + "0123456789X".index(number[17])


class _Planner:
    """Checks rows batch by batch, remembering what the whole file has shown so far."""

    def __init__(self, actor: Actor):
        self.actor = actor
        self.genders = choice_lookup(Gender.choices)
        self.positions = choice_lookup(Position.choices)
        in_scope = Institution.objects.filter(access.verb_q(actor, Institution, "register_staff"))
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        for pk, code, name in in_scope.values_list("pk", "school_code", "name").iterator(
            chunk_size=5000
        ):
            if code:
                self.by_code[code] = pk
            self.by_name.setdefault(name, []).append(pk)
        # ID number (as one integer: a province's 1.4 M numbers as strings would take
        # three times the memory) → the first row that gave it.
        self.seen: dict[int, int] = {}
        self.elsewhere = 0
        self.ring = personal_data.keyring()
        self.today = timezone.localdate()
        self.parsed: dict[tuple[str, Any], tuple[list[str], str | None]] = {}

    # --- one row, no database ------------------------------------------------------------

    def _codes(
        self, table: CodeTable, value: Any, key: str, problems: list[tuple[str, str]]
    ) -> list[str]:
        if value in (None, ""):
            return []
        known = self.parsed.get((table.name, value))
        if known is None:  # a roster repeats a few values: each is parsed once
            try:
                known = (parse_codes(table, value), None)
            except CodeError as e:
                known = ([], str(e))
            self.parsed[(table.name, value)] = known
        codes, error = known
        if error:
            problems.append((key, error))
        return codes

    def _choice(
        self, labels: dict[str, str], value: Any, key: str, problems: list[tuple[str, str]]
    ) -> str:
        if value in (None, ""):
            return ""
        code = labels.get(str(value).strip().casefold())
        if code is None:
            problems.append((key, _("“%(value)s” is not one of the list.") % {"value": value}))
            return ""
        return code

    def clean(self, row: Row) -> Planned:
        v = row.values
        problems = list(row.problems)
        bad = {k for k, _m in problems}
        values: dict[str, Any] = {}
        name = v.get("name")
        if isinstance(name, str) and len(name) > NAME_LENGTH:
            problems.append(("name", _("At most %(n)d characters.") % {"n": NAME_LENGTH}))
        values["name"] = name
        number = normalise_id_number(str(v.get("id_number") or ""))
        phone = str(v.get("phone") or "").strip()
        clear = {"id_number": number, "phone": phone}
        if "id_number" in bad:
            clear.pop("id_number")
        if "phone" in bad:
            clear.pop("phone")
        for key, messages in staff_checks.personal_data_errors(clear).items():
            if key not in bad:
                problems.append((key, messages[0]))
        values["id_number"], values["phone"] = number, phone
        gender = self._choice(self.genders, v.get("gender"), "gender", problems)
        birth = v.get("birth_date")
        if number and not any(k == "id_number" for k, _m in problems):
            derived = (birth_date_from_id(number), gender_from_id(number))
            for key, messages in staff_checks.derived_errors(birth, gender, derived).items():
                problems.append((key, messages[0]))
            birth = birth or derived[0]
            gender = gender or derived[1]
            first = self.seen.setdefault(_id_key(number), row.number)
            if first != row.number:
                problems.append(
                    (
                        "id_number",
                        _("The same ID number is already in row %(row)d of this file.")
                        % {"row": first},
                    )
                )
        values["gender"], values["birth_date"] = gender, birth
        values["institution_id"] = self._institution(v, problems)
        values["position"] = (
            self._choice(self.positions, v.get("position"), "position", problems)
            or Position.TEACHER
        )
        values["stages"] = pack(self._codes(STAGES, v.get("stages"), "stages", problems))
        values["subjects"] = pack(self._codes(SUBJECTS, v.get("subjects"), "subjects", problems))
        titles = self._codes(TITLES, v.get("title"), "title", problems)
        if len(titles) > 1:
            problems.append(("title", str(TITLES.one)))
        values["title"] = titles[0] if len(titles) == 1 else ""
        values["honours"] = pack(self._codes(HONOURS, v.get("honours"), "honours", problems))
        joined = v.get("joined_on")
        if "joined_on" not in bad:
            for message in staff_checks.joined_on_errors(joined, birth, self.today):
                problems.append(("joined_on", message))
        values["joined_on"] = joined
        return Planned(row, "failed" if problems else "create", problems, values)

    def _institution(self, v: dict[str, Any], problems: list[tuple[str, str]]) -> int | None:
        code = str(v.get("school_code") or "")
        name = str(v.get("institution") or "")
        if code:
            pk = self.by_code.get(code)
            if pk is None:
                other = Institution.objects.filter(school_code=code).values_list("name", flat=True)
                found = other.first()
                problems.append(
                    (
                        "school_code",
                        _(
                            "%(name)s (%(code)s) is outside your scope: you may import staff "
                            "only into institutions in your scope."
                        )
                        % {"name": found, "code": code}
                        if found
                        else _("No institution has the school identifier %(code)s.")
                        % {"code": code},
                    )
                )
            return pk
        if not name:
            problems.append(
                ("school_code", _("Give the institution's school identifier or its name."))
            )
            return None
        pks = self.by_name.get(name, [])
        if len(pks) == 1:
            return pks[0]
        problems.append(
            (
                "institution",
                _(
                    "Several institutions in your scope are named %(name)s; give the school "
                    "identifier instead."
                )
                % {"name": name}
                if pks
                else _("No institution in your scope is named %(name)s.") % {"name": name},
            )
        )
        return None

    # --- a batch, against the registry -----------------------------------------------------

    def plan(self, rows: Sequence[Row]) -> Outcome:
        planned = [self.clean(r) for r in rows]
        candidates = [p for p in planned if p.action == "create"]
        by_index: dict[str, Planned] = {}
        for p in candidates:
            for index in self.ring.indexes(p.values["id_number"]):
                by_index[index] = p
        if by_index:
            self._match(by_index)
        return Outcome(planned)

    def _match(self, by_index: dict[str, Planned]) -> None:
        found = list(
            Staff.objects.filter(id_number_index__in=list(by_index)).only(
                "pk",
                "id_number_index",
                "phone_sealed",
                "masked_phone",
                "key_version",
                *VALUE_FIELDS,
            )
        )
        editable = set(
            Staff.objects.filter(
                Q(pk__in=[s.pk for s in found]), access.verb_q(self.actor, Staff, "edit")
            ).values_list("pk", flat=True)
        )
        for staff in found:
            p = by_index[staff.id_number_index]
            if staff.pk not in editable:
                self.elsewhere += 1
                p.action = "failed"
                p.problems.append(
                    (
                        "id_number",
                        _(
                            "This ID number cannot be registered here. If the person has moved "
                            "to your institution, ask the authority of their former "
                            "institution to transfer the record."
                        ),
                    )
                )
                continue
            p.pk = staff.pk
            same = all(getattr(staff, f) == p.values[f] for f in VALUE_FIELDS)
            same = same and personal_data.holds_phone(staff, p.values["phone"])
            p.values["key_version"] = staff.key_version
            p.action = "unchanged" if same else "update"

    def finish(self) -> None:
        """Too many numbers registered elsewhere is someone trying numbers: as on the form,
        each is audited and the security administrator alerted at the limit."""
        if not self.elsewhere:
            return
        with transaction.atomic():
            audit.record(self.actor, DUPLICATE_REFUSED, detail={"rows": self.elsewhere})
            if self.elsewhere >= settings.XIETONG_DUPLICATE_ID_LIMIT:
                alerts.raise_alert(self.actor, "duplicate_id_numbers", {"attempts": self.elsewhere})


def plan(actor: Actor, rows: Iterator[Row]) -> Iterator[Outcome]:
    planner = _Planner(actor)
    while batch := list(islice(rows, BATCH)):
        yield planner.plan(batch)
    planner.finish()


CREATE_COLUMNS = (*VALUE_FIELDS, *personal_data.SEALED_COLUMNS)


def _sealed(values: dict[str, Any], version: int | None = None) -> tuple[object, ...]:
    return personal_data.sealed_columns(values["id_number"], values["phone"], version=version)


def write(actor: Actor, outcome: Outcome) -> set[int]:
    creates = [p for p in outcome.rows if p.action == "create"]
    updates = [p for p in outcome.rows if p.action == "update"]
    if creates:
        bulk.insert(
            Staff,
            CREATE_COLUMNS,
            ([p.values[f] for f in VALUE_FIELDS] + list(_sealed(p.values)) for p in creates),
        )
    if updates:
        touched_before = set(
            Staff.objects.filter(pk__in=[p.pk for p in updates]).values_list(
                "institution_id", flat=True
            )
        )
        bulk.update(
            Staff,
            (*VALUE_FIELDS, *personal_data.SEALED_COLUMNS, "updated_at"),
            (
                (
                    p.pk,
                    *[p.values[f] for f in VALUE_FIELDS],
                    *_sealed(p.values, p.values["key_version"]),
                    dt.datetime.now(dt.UTC),
                )
                for p in updates
            ),
        )
    else:
        touched_before = set()
    return {p.values["institution_id"] for p in creates + updates} | touched_before


def after_write(actor: Actor, touched: set[int]) -> None:
    tallies.refresh(touched)


def may_import(actor: Actor) -> bool:
    return access.can(actor, "staff.register")


register(
    Roster(
        name="staff",
        label=gettext_lazy("Staff"),
        capability="staff.register",
        denied=gettext_lazy(
            "Staff are imported by the administrators of an authority or an institution."
        ),
        fields=FIELDS,
        plan=plan,
        write=write,
        after_write=after_write,
        audit_action="staff.import",
    )
)
