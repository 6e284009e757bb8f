"""The training record: hours by credit type across providers and years, the cycle the
teacher is in, exchanges and lesson uses counted, who reads whose record, the PDF."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xietong.accounts.models import Role
from xietong.conftest import Cast, make_user
from xietong.core.errors import NotFound
from xietong.exchanges.models import Application, HostOffer, OfferSlot, Placement
from xietong.exchanges.models import Program as ExchangeProgram
from xietong.institutions.models import Staff
from xietong.resources.models import Resource, Use
from xietong.training import record
from xietong.training.choices import CreditType
from xietong.training.models import Certificate, Enrollment, Program
from xietong.training.services import attendance, certificates, enrollment
from xietong.training.tests.conftest import make_program

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 3)


def complete(world: Cast, program: Program, username: str = "xa_teacher") -> Enrollment:
    """Enroll the teacher, mark her present at every session, complete the program."""
    row = enrollment.enroll(world.actor(username), program.pk)
    admin = world.actor("bie_admin")
    for s in program.sessions.values_list("pk", flat=True):
        attendance.record_roster(admin, s, [row.pk])
    attendance.complete_program(admin, program.pk)
    row.refresh_from_db()
    return row


def completed_on(row: Enrollment, day: dt.date) -> None:
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    Enrollment.objects.filter(pk=row.pk).update(completed_at=at)


def placement(world: Cast, staff: Staff, hours: int, ends_on: dt.date, status: str) -> Placement:
    organiser = world.tongzhou_school
    program = ExchangeProgram.objects.create(
        kind="shadowing",
        organiser=organiser,
        region=organiser.region,
        title="雄安—北京跟岗研修",
        school_year="2025-2026",
        term=1,
        starts_on=ends_on - dt.timedelta(days=60),
        ends_on=ends_on,
        duration_weeks=8,
        opens_at=timezone.now() - dt.timedelta(days=200),
        closes_at=timezone.now() - dt.timedelta(days=100),
    )
    offer = HostOffer.objects.create(program=program, host=world.tongzhou_school)
    slot = OfferSlot.objects.create(offer=offer, stage="senior", subject="数学", capacity=1)
    app = Application.objects.create(
        program=program, applicant=staff, home=staff.institution, status="completed"
    )
    done = timezone.make_aware(dt.datetime.combine(ends_on, dt.time(12)))
    return Placement.objects.create(
        application=app,
        slot=slot,
        host=world.tongzhou_school,
        home=staff.institution,
        starts_on=program.starts_on,
        ends_on=ends_on,
        status=status,
        hours_credited=hours,
        completed_at=done if status == "completed" else None,
    )


def lesson_uses(world: Cast, staff: Staff, day: dt.date, n: int, kind: str = "lesson") -> None:
    from xietong.core.terms import SchoolTerm

    resource = Resource.objects.filter(title="一元二次方程示范课").first()
    if resource is None:
        resource = Resource.objects.create(
            kind="course",
            title="一元二次方程示范课",
            provider=world.tongzhou_school,
            provider_path=world.tongzhou_school.region_path,
        )
    key = SchoolTerm.containing(day).key
    Use.objects.bulk_create(
        Use(
            resource=resource,
            kind=kind,
            staff=staff,
            institution=staff.institution,
            region_path=staff.institution.region_path,
            provider=world.tongzhou_school,
            used_on=day,
            term=key,
        )
        for _ in range(n)
    )


@pytest.fixture
def history(world: Cast) -> Cast:
    """赵雄安: two programs this cycle (centralised 24 h, online 10 h), one in the last
    cycle (16 h), a completed placement this cycle (80 h) and an unfinished one, and lesson
    uses in two terms (3, and 20 — capped)."""
    teacher = world.xiongan_teacher
    a = complete(world, make_program(world, title="高中数学骨干研修", hours=24))
    b = complete(
        world, make_program(world, title="信息技术与数学教学", hours=10, credit_type="online")
    )
    c = complete(world, make_program(world, title="新课标解读", hours=16))
    completed_on(a, dt.date(2026, 11, 20))
    completed_on(b, dt.date(2026, 3, 2))
    completed_on(c, dt.date(2024, 6, 10))  # the cycle 2021–2025
    placement(world, teacher, 80, dt.date(2026, 7, 1), "completed")
    placement(world, teacher, 40, dt.date(2026, 10, 1), "active")
    lesson_uses(world, teacher, dt.date(2026, 3, 10), 3)
    lesson_uses(world, teacher, dt.date(2026, 10, 10), 20)
    lesson_uses(world, teacher, dt.date(2026, 10, 11), 5, kind="view")  # not a lesson
    return world


def totals(r: record.Record) -> dict[str, Decimal]:
    return {t.credit_type: t.hours for t in r.by_type}


def test_it_sums_the_hours_by_credit_type_in_the_cycle_the_teacher_is_in(history: Cast) -> None:
    r = record.own_record(history.actor("xa_teacher"), TODAY)
    assert (r.cycle.first_year, r.cycle.last_year, r.cycle.required) == (2026, 2030, 360)
    assert totals(r) == {
        CreditType.CENTRALISED: Decimal(24),
        CreditType.ONLINE: Decimal(10),
        CreditType.SCHOOL_BASED: Decimal(3 + 12),  # 20 uses in a term count 12 hours
        CreditType.SHADOWING: Decimal(80),
    }
    assert r.cycle_hours == Decimal(129) and r.remaining == Decimal(231)
    assert r.total_hours == Decimal(145)
    assert [(t.cycle.label, t.hours) for t in r.cycles] == [
        ("2026–2030", Decimal(129)),
        ("2021–2025", Decimal(16)),
    ]
    assert {t.credit_type: t.hours for t in r.by_type_total}[CreditType.CENTRALISED] == 40
    assert [x.day for x in r.lines] == sorted((x.day for x in r.lines), reverse=True)
    program_line = next(x for x in r.lines if x.title == "高中数学骨干研修")
    assert program_line.provider == "Beijing Institute of Education"
    assert (
        program_line.detail
        == Certificate.objects.get(enrollment__program__title="高中数学骨干研修").number
    )


def test_the_cycle_window_and_the_lesson_rule_follow_the_settings(
    history: Cast, settings: Any
) -> None:
    settings.XIETONG_TRAINING_CYCLE_FIRST_YEAR = 2024
    settings.XIETONG_TRAINING_CYCLE_YEARS = 3
    settings.XIETONG_TRAINING_CYCLE_HOURS = 100
    settings.XIETONG_TRAINING_LESSON_HOURS = 0.5
    settings.XIETONG_TRAINING_LESSON_TERM_CAP = 4
    r = record.own_record(history.actor("xa_teacher"), TODAY)
    assert (r.cycle.label, r.cycle.required) == ("2024–2026", 100)
    assert totals(r)[CreditType.SCHOOL_BASED] == Decimal("5.5")  # 1.5 + 4 (capped)
    assert r.cycle_hours == 24 + 10 + 16 + 80 + Decimal("5.5") and r.met
    assert record.cycle_containing(dt.date(2023, 12, 31)).label == "2021–2023"


def test_a_revoked_certificate_takes_its_hours_off_the_record(history: Cast) -> None:
    c = Certificate.objects.get(enrollment__program__title="高中数学骨干研修")
    certificates.revoke(history.actor("bie_admin"), c.pk, "伪造签到记录")
    r = record.own_record(history.actor("xa_teacher"), TODAY)
    assert totals(r)[CreditType.CENTRALISED] == 0


def test_a_teacher_without_hours_has_an_empty_record(world: Cast) -> None:
    r = record.own_record(world.actor("teacher"), TODAY)
    assert r.lines == [] and r.cycle_hours == 0 and r.percent == 0
    assert set(totals(r).values()) == {Decimal(0)}


@pytest.mark.parametrize(
    ("username", "reads"),
    [
        ("xa_teacher", True),  # herself
        ("xiongxian_admin", True),  # her school's admin
        ("hebei_viewer", True),  # an authority over the school's region
        ("teacher", False),  # another teacher
        ("school_admin", False),  # another school's admin
        ("sanhe", False),  # an authority over another region
        ("bie_admin", False),  # the provider of her programs
        ("sysadmin", False),
        ("auditor", False),
        ("nobody", False),
    ],
)
def test_only_she_her_school_and_the_authorities_over_it_read_her_record(
    history: Cast, username: str, reads: bool
) -> None:
    actor = history.actor(username)
    staff_id = history.xiongan_teacher.pk
    if reads:
        assert record.record_of(actor, staff_id, TODAY).staff.pk == staff_id
    else:
        with pytest.raises(NotFound):
            record.record_of(actor, staff_id, TODAY)
    with pytest.raises(NotFound):
        record.record_of(actor, "x")


def test_an_account_without_a_staff_record_has_no_own_record(world: Cast) -> None:
    with pytest.raises(NotFound):
        record.own_record(world.actor("bie_admin"))


def test_the_record_reads_in_a_few_queries(
    history: Cast, django_assert_max_num_queries: Any
) -> None:
    actor = history.actor("xiongxian_admin")
    with django_assert_max_num_queries(5):
        record.record_of(actor, history.xiongan_teacher.pk, TODAY)


# --- API -----------------------------------------------------------------------------------


def client_of(world: Cast, username: str) -> Client:
    c = Client()
    c.force_login(world.users[username])
    return c


def test_the_api_gives_her_own_record_and_another_only_in_scope(history: Cast) -> None:
    own = client_of(history, "xa_teacher").get("/api/training/record/")
    assert own.status_code == 200
    body = own.json()
    assert body["staff"]["id"] == history.xiongan_teacher.pk
    assert body["cycle"]["required"] == "360"
    assert {t["credit_type"]: t["hours"] for t in body["by_type_total"]}["centralised"] == "40"
    assert {x["source"] for x in body["lines"]} == {"program", "exchange", "lessons"}
    assert "*" in body["masked_id_number"]

    staff_id = history.xiongan_teacher.pk
    url = f"/api/training/record/{staff_id}/"
    assert client_of(history, "xiongxian_admin").get(url).status_code == 200
    assert client_of(history, "hebei_viewer").get(url).status_code == 200
    assert client_of(history, "school_admin").get(url).status_code == 404
    assert client_of(history, "teacher").get(url).status_code == 404
    assert client_of(history, "bie_admin").get("/api/training/record/").status_code == 404
    assert Client().get(url).status_code in (401, 403)


# --- pages ---------------------------------------------------------------------------------


def test_her_record_page_shows_the_hours_and_the_navigation_links_it(history: Cast) -> None:
    from django.utils import translation

    c = client_of(history, "xa_teacher")
    with translation.override("zh-hans"):
        got = c.get(reverse("training:record"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = got.content.decode()
    assert got.status_code == 200
    assert "我的培训档案" in html and "高中数学骨干研修" in html
    assert 'data-testid="record-lines"' in html
    assert 'data-testid="record-link"' in c.get(reverse("training:mine")).content.decode()


def test_the_staff_page_links_the_record_for_those_who_read_it(history: Cast) -> None:
    staff_id = history.xiongan_teacher.pk
    page = reverse("institutions:staff_detail", args=[staff_id])
    admin = client_of(history, "xiongxian_admin")
    assert reverse("training:record_of", args=[staff_id]) in admin.get(page).content.decode()
    got = admin.get(reverse("training:record_of", args=[staff_id]))
    assert got.status_code == 200 and "高中数学骨干研修" in got.content.decode()
    # The system admin reads the staff page but not the record.
    sysadmin = client_of(history, "sysadmin")
    assert 'data-testid="staff-record-link"' not in sysadmin.get(page).content.decode()
    assert sysadmin.get(reverse("training:record_of", args=[staff_id])).status_code == 404
    assert (
        client_of(history, "school_admin")
        .get(reverse("training:record_of_pdf", args=[staff_id]))
        .status_code
        == 404
    )


def test_a_teacher_without_a_staff_record_is_told_so(world: Cast) -> None:
    c = Client()
    c.force_login(make_user("lonely", Role.STAFF))
    got = c.get(reverse("training:record"))
    assert got.status_code == 200 and "没有关联教职工档案" in got.content.decode()


# --- PDF -----------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    """The text of a PDF fpdf2 wrote with an embedded CJK subset: its content streams'
    glyph strings mapped back through the font's ToUnicode table (no pdftotext here)."""
    streams = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        raw = m.group(1)
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            streams.append(raw)
    glyphs: dict[str, str] = {}
    for s in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", s, re.S):
            for gid, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                glyphs[gid.decode().upper()] = bytes.fromhex(uni.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", s, re.S):
            for lo, hi, uni in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                start, end, first = int(lo, 16), int(hi, 16), int(uni, 16)
                for i in range(end - start + 1):
                    glyphs[f"{start + i:04X}"] = chr(first + i)
    out = []
    for s in streams:
        for hexes in re.findall(rb"<([0-9A-Fa-f]+)>\s*Tj", s):
            h = hexes.decode().upper()
            out.append("".join(glyphs.get(h[i : i + 4], "?") for i in range(0, len(h), 4)))
        for lit in re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", s, re.S):
            raw = _unescape(lit)
            gids = [f"{raw[i]:02X}{raw[i + 1]:02X}" for i in range(0, len(raw) - 1, 2)]
            out.append("".join(glyphs.get(g, "?") for g in gids))
    return "\n".join(out)


ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(lit: bytes) -> bytes:
    """A PDF literal string's bytes (backslash escapes and octal codes undone)."""

    def one(m: re.Match[bytes]) -> bytes:
        code = m.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return ESCAPES.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, lit, flags=re.S)


def test_the_record_renders_as_a_pdf_with_chinese_text_and_the_masked_id(history: Cast) -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        got = client_of(history, "xa_teacher").get(reverse("training:record_pdf"))
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert got.content.startswith(b"%PDF")
    text = pdf_text(got.content)
    teacher = history.xiongan_teacher
    assert "培训档案" in text and teacher.name in text and "高中数学骨干研修" in text
    assert teacher.masked_id_number in text
    from xietong.conftest import id_number_of

    assert id_number_of(teacher) not in text
