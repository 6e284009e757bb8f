"""The named registry: every entity of the source documents, in the right place, once."""

from __future__ import annotations

import datetime as dt

import pytest

from xietong.accounts.models import AuditEvent
from xietong.conftest import id_number_of
from xietong.demo import named
from xietong.institutions.choices import Kind
from xietong.institutions.models import Institution, Lab, Staff
from xietong.institutions.validators import (
    birth_date_from_id,
    gender_from_id,
    validate_id_number,
)
from xietong.regions.models import RegionGroup

pytestmark = pytest.mark.django_db

XIONGAN = {"130638", "130629", "130632"}  # 雄县, 容城县, 安新县
BEISANXIAN = {"131082", "131028", "131024"}


@pytest.fixture
def loaded() -> named.NamedResult:
    return named.load_named()


# (name, region code, kind, parent name or None)
EXPECTED = [
    ("北京市教育委员会", "110000", Kind.AUTHORITY, None),
    ("天津市教育委员会", "120000", Kind.AUTHORITY, None),
    ("河北省教育厅", "130000", Kind.AUTHORITY, None),
    ("北京市通州区教育委员会", "110112", Kind.AUTHORITY, None),
    ("三河市教育和体育局", "131082", Kind.AUTHORITY, None),
    ("北京教育学院", "110102", Kind.TRAINING, None),
    ("首都师范大学", "110108", Kind.UNIVERSITY, None),
    ("天津师范大学", "120111", Kind.UNIVERSITY, None),
    ("北京交通大学", "110108", Kind.UNIVERSITY, None),
    ("北京交通大学唐山研究院", "130202", Kind.RESEARCH, "北京交通大学"),
    ("河北大学", "130606", Kind.UNIVERSITY, None),
    # 建三 and their supporters
    ("雄安北海幼儿园", "130629", Kind.KINDERGARTEN, None),
    ("北京市北海幼儿园", "110102", Kind.KINDERGARTEN, None),
    ("雄安史家胡同小学", "130629", Kind.PRIMARY, None),
    ("东城区史家胡同小学", "110101", Kind.PRIMARY, None),
    ("北京四中雄安校区", "130629", Kind.COMPLETE_SECONDARY, "北京市第四中学"),
    ("北京市第四中学", "110102", Kind.COMPLETE_SECONDARY, None),
    # 援四 and their supporters
    ("北京市六一幼儿院雄安院区", "130638", Kind.KINDERGARTEN, "北京市六一幼儿院"),
    ("北京市六一幼儿院", "110108", Kind.KINDERGARTEN, None),
    ("中关村第三小学雄安校区", "130629", Kind.PRIMARY, "海淀区中关村第三小学"),
    ("海淀区中关村第三小学", "110108", Kind.PRIMARY, None),
    ("朝阳区实验小学雄安校区", "130638", Kind.PRIMARY, "朝阳区实验小学"),
    ("朝阳区实验小学", "110105", Kind.PRIMARY, None),
    ("北京市第八十中学雄安校区", "130632", Kind.COMPLETE_SECONDARY, "北京市第八十中学"),
    ("北京市第八十中学雄安容东分校", "130629", Kind.COMPLETE_SECONDARY, "北京市第八十中学"),
    ("北京市第八十中学", "110105", Kind.COMPLETE_SECONDARY, None),
    # Tianjin × Xiong'an
    ("天津市第一中学", "120101", Kind.SENIOR, None),
    ("雄县第一高级中学", "130638", Kind.SENIOR, "天津市第一中学"),
    ("天津市第四中学", "120102", Kind.COMPLETE_SECONDARY, None),
    ("容和红杰初级中学", "130629", Kind.JUNIOR, None),
    ("天津市实验小学", "120101", Kind.PRIMARY, None),
    ("安新县雁翎小学", "130632", Kind.PRIMARY, None),
    ("天津市实验幼儿园", "120101", Kind.KINDERGARTEN, None),
    ("容城县幼儿园", "130629", Kind.KINDERGARTEN, None),
    # sub-centre and 北三县
    ("北京学校", "110112", Kind.TWELVE_YEAR, None),
    ("北京第一实验学校", "110112", Kind.TWELVE_YEAR, None),
    ("北京实验学校三河校区", "131082", Kind.TWELVE_YEAR, "北京实验学校"),
    ("潞河中学三河校区", "131082", Kind.COMPLETE_SECONDARY, "北京市潞河中学"),
    ("北京市潞河中学", "110112", Kind.COMPLETE_SECONDARY, None),
    ("三河市赵河沟小学", "131082", Kind.PRIMARY, None),
]


def test_it_registers_each_named_entity_in_its_region(loaded):
    """Table-driven: one load, every row of EXPECTED checked, all mismatches reported."""
    wrong = []
    for name, region, kind, parent in EXPECTED:
        inst = Institution.objects.select_related("region", "parent").filter(name=name).first()
        if inst is None:
            wrong.append(f"{name}: missing")
            continue
        got = (inst.region.code, inst.kind, inst.parent.name if inst.parent else None)
        if got != (region, kind, parent):
            wrong.append(f"{name}: {got} != {(region, kind, parent)}")
        if inst.region_path != inst.region.path:
            wrong.append(f"{name}: region_path {inst.region_path}")
        if inst.latitude is None or inst.longitude is None or not inst.address:
            wrong.append(f"{name}: no address or coordinates")
    assert not wrong, "\n".join(wrong)
    assert len(EXPECTED) >= 36


def test_it_registers_every_row_of_the_table_exactly_once(loaded):
    assert loaded.created == len(named.INSTITUTIONS)
    for row in named.INSTITUTIONS:
        assert Institution.objects.filter(name=row.name).count() == 1
    assert {n for n, *_ in EXPECTED} <= {row.name for row in named.INSTITUTIONS}


def test_it_puts_every_jian_san_and_yuan_si_school_in_xiongan_with_its_beijing_supporter(loaded):
    assert {a.programme for a in named.AID_SCHOOLS} == {"建三", "援四"}
    assert sum(a.programme == "建三" for a in named.AID_SCHOOLS) == 3
    assert sum(a.programme == "援四" for a in named.AID_SCHOOLS) == 4
    xiongan = {r.code for r in RegionGroup.objects.get(key="xiongan").members.all()}
    assert xiongan == XIONGAN
    for aid in named.AID_SCHOOLS:
        school = named.institution(aid.school)
        supporter = named.institution(aid.supporter)
        assert school.region.code in XIONGAN, aid
        assert supporter.region.code.startswith("11"), aid
        if school.name.endswith(("校区", "院区")):
            assert school.parent == supporter, aid


def test_it_pairs_each_tianjin_school_with_a_xiongan_school(loaded):
    for tianjin, xiongan in named.TIANJIN_PAIRS:
        assert named.institution(tianjin).region.code.startswith("12")
        assert named.institution(xiongan).region.code in XIONGAN


def test_it_finds_tianjin_no_1_xiongan_campus_by_its_other_name(loaded):
    campus = named.institution("天津一中雄安校区")
    assert campus.name == "雄县第一高级中学"
    assert campus.parent == named.institution("天津一中")


def test_it_gives_the_tangshan_institute_its_three_labs_opened_in_july_2019(loaded):
    institute = named.institution("北京交通大学唐山研究院")
    assert institute.region.parent is not None
    assert institute.region.parent.name == "唐山市"
    labs = Lab.objects.filter(institution=institute).order_by("field")
    assert sorted(lab.field for lab in labs) == sorted(["交通运输", "新材料", "新能源"])
    assert {lab.opened_on for lab in labs} == {dt.date(2019, 7, 1)}


def test_it_registers_zhaohegou_as_a_rural_primary_school_of_sanhe(loaded):
    school = named.institution("三河市赵河沟小学")
    assert (school.kind, school.locality, school.region.code) == ("primary", "rural", "131082")
    assert school.stage_list == ["primary"]


def test_it_puts_the_beisanxian_campuses_in_the_three_northern_counties(loaded):
    for key in ("bjsy_sh", "luhe_sh", "zhg"):
        assert named.institution(key).region.code in BEISANXIAN


def test_it_gives_school_identifiers_only_where_the_sources_report_them(loaded):
    codes = dict(Institution.objects.exclude(school_code=None).values_list("name", "school_code"))
    assert codes == {
        "北京交通大学": "4111010004",
        "天津师范大学": "4112010065",
        "河北大学": "4113010075",
    }


def test_it_registers_the_named_staff_with_valid_matching_id_numbers(loaded):
    assert loaded.staff_created == len(named.STAFF)
    for row in named.STAFF:
        staff = named.staff(row.key)
        validate_id_number(id_number_of(staff))
        assert id_number_of(staff)[:6] == staff.institution.region.code
        assert birth_date_from_id(id_number_of(staff)) == staff.birth_date == row.birth_date
        assert gender_from_id(id_number_of(staff)) == staff.gender == row.gender
        assert int(id_number_of(staff)[14:17]) >= named.NAMED_SEQUENCE_START
        assert staff.institution == named.institution(row.institution)
    assert named.staff("bj80_rd_teacher").institution.name == "北京市第八十中学雄安容东分校"


def test_it_audits_each_record_it_creates(loaded):
    events = AuditEvent.objects.filter(actor_name="demo")
    assert events.filter(action="institution.create").count() == len(named.INSTITUTIONS)
    assert events.filter(action="lab.create").count() == len(named.LABS)
    assert events.filter(action="staff.create").count() == len(named.STAFF)


def test_it_changes_nothing_when_loaded_twice(loaded):
    before = (
        Institution.objects.count(),
        Lab.objects.count(),
        Staff.objects.count(),
        AuditEvent.objects.count(),
    )
    again = named.load_named()
    after = (
        Institution.objects.count(),
        Lab.objects.count(),
        Staff.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before
    assert again.touched == 0
    assert again.unchanged == len(named.INSTITUTIONS)


def test_it_brings_an_edited_row_back_to_the_table_with_one_audited_update(loaded):
    Institution.objects.filter(name="北京学校").update(address="somewhere else")
    events = AuditEvent.objects.count()
    again = named.load_named()
    assert (again.created, again.updated) == (0, 1)
    assert Institution.objects.get(name="北京学校").address == "北京市通州区潞城镇大营村东侧"
    assert AuditEvent.objects.count() == events + 1
    last = AuditEvent.objects.order_by("-id").first()
    assert last is not None and last.action == "institution.update"
