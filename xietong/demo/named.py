"""Every authority and institution named in the source documents, as a readable table.

Sources: ``article`` is the People's Daily report on the Action Plan
(``/work/shared/source/action-plan-article.md``); ``facts`` is ``facts.md`` beside it.
The comment above each row says where the entity is named and what of the row is
reported rather than assumed.

What is real and what is not:

* names, kinds, counties and school identifiers are as reported where the comment says
  so; identifiers are given only for the three universities whose codes facts.md lists
  (北京交通大学 4111010004, 天津师范大学 4112010065, 河北大学 4113010075) — no other
  identifier is invented;
* addresses are plausible street- or district-level addresses, and coordinates are the
  approximate centre of the district (``geo.py``) unless a row gives its own; neither is a
  surveyed position;
* the staff at the end are **invented people** (names, birth dates, synthetic but valid
  ID numbers). Real principals are deliberately not used: their names would sit next to
  made-up ID numbers and phone numbers.

The partnerships between them (建三, 援四, the Tianjin pairings …) are loaded by
:mod:`xietong.demo.partnerships` from :data:`AID_SCHOOLS`, :data:`TIANJIN_PAIRS` and its
own table.

Loading goes through :mod:`xietong.institutions.services`, so the model validation and
the audit log apply; :func:`load_named` is idempotent (looked up by region and name,
created only when missing, updated only where the table and the database differ).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from xietong.accounts.access import Actor, Grant, system_actor
from xietong.accounts.models import Role
from xietong.core.codes import SUBJECTS, parse_codes
from xietong.core.delimited import unpack
from xietong.demo.geo import coords_for
from xietong.institutions import personal_data, services
from xietong.institutions.choices import DEFAULT_STAGES, Kind, Position, Stage, Title
from xietong.institutions.models import Institution, Lab, Staff
from xietong.institutions.validators import id_check_char

K = Kind

# Sequence numbers 900–999 of the ID number are reserved for the named staff below; the
# synthetic generator uses 000–899 only, so the two can never collide.
NAMED_SEQUENCE_START = 900


@dataclass(frozen=True)
class Named:
    """One institution of the registry."""

    key: str  # stable handle used by the tests and by later loaders (partnerships …)
    name: str
    region: str  # GB/T 2260 code of the county (or province, for the three authorities)
    kind: str
    en: str = ""
    parent: str = ""  # key of the institution a branch campus belongs to
    school_code: str = ""
    stages: tuple[str, ...] = ()  # empty: the kind's default stages
    ownership: str = "public"
    locality: str = "urban"
    address: str = ""
    coords: tuple[float, float] | None = None  # empty: the district's centre
    aliases: tuple[str, ...] = ()  # short names used in the sources

    def latlon(self) -> tuple[Decimal, Decimal]:
        lat, lon = self.coords or coords_for(self.region)
        q = Decimal("0.00001")
        return Decimal(str(lat)).quantize(q), Decimal(str(lon)).quantize(q)


@dataclass(frozen=True)
class NamedLab:
    institution: str
    name: str
    field: str
    opened_on: dt.date | None = None


@dataclass(frozen=True)
class NamedStaff:
    """An invented staff member at a named institution (see the module docstring)."""

    key: str
    institution: str
    name: str
    gender: str  # "M" / "F"
    birth_date: dt.date
    position: str
    subjects: tuple[str, ...]
    title: str
    joined_on: dt.date
    honours: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()  # empty: the institution's stages
    phone: str = ""


@dataclass(frozen=True)
class AidSchool:
    programme: str  # 建三 / 援四
    school: str  # key of the Xiong'an school
    supporter: str  # key of the Beijing school that supports it
    since: str  # as reported


INSTITUTIONS: list[Named] = [
    # ---- The three signatories ---------------------------------------------------------
    # article: 北京市教委、天津市教委、河北省教育厅 sign the plan on 2023-10-08
    Named(
        "bj_jw",
        "北京市教育委员会",
        "110000",
        K.AUTHORITY,
        en="Beijing Municipal Education Commission",
        aliases=("北京市教委",),
        address="北京市西城区前门西大街109号",
        coords=(39.899, 116.382),
    ),
    # article: signatory
    Named(
        "tj_jw",
        "天津市教育委员会",
        "120000",
        K.AUTHORITY,
        en="Tianjin Municipal Education Commission",
        aliases=("天津市教委",),
        address="天津市河西区",
        coords=(39.110, 117.224),
    ),
    # article: signatory
    Named(
        "hb_jyt",
        "河北省教育厅",
        "130000",
        K.AUTHORITY,
        en="Department of Education of Hebei Province",
        address="河北省石家庄市裕华区",
        coords=(38.026, 114.530),
    ),
    # ---- District authorities the demo users work for ---------------------------------
    # article: 落实支持通州区基础教育质量提升行动计划 (Tongzhou is the Beijing sub-centre)
    Named(
        "tz_jw",
        "北京市通州区教育委员会",
        "110112",
        K.AUTHORITY,
        en="Tongzhou District Education Commission",
        aliases=("通州区教委",),
        address="北京市通州区",
    ),
    # article: 三河市赵河沟小学; facts: 北三县 (Sanhe is one of them)
    Named(
        "sh_jtj",
        "三河市教育和体育局",
        "131082",
        K.AUTHORITY,
        en="Sanhe Education and Sports Bureau",
        aliases=("三河市教体局",),
        address="河北省廊坊市三河市",
    ),
    # facts: Tongzhou and Langfang (北三县) agreed 12 basic-education communities and 3
    # alliances; the bureaus of the two other northern counties are their Hebei parties
    # (their names are the counties' usual bureau names, not reported)
    Named(
        "dc_jyj",
        "大厂回族自治县教育局",
        "131028",
        K.AUTHORITY,
        en="Dachang Hui Autonomous County Education Bureau",
        address="河北省廊坊市大厂回族自治县",
    ),
    # facts: as above
    Named(
        "xh_jyj",
        "香河县教育局",
        "131024",
        K.AUTHORITY,
        en="Xianghe County Education Bureau",
        address="河北省廊坊市香河县",
    ),
    # ---- Teacher training (article: 依托北京教育学院、首都师范大学、天津师范大学开展师资培训)
    # article: training provider; a teacher-training institution (kind training)
    Named(
        "bie",
        "北京教育学院",
        "110102",
        K.TRAINING,
        en="Beijing Institute of Education",
        address="北京市西城区德胜门外大街",
        coords=(39.953, 116.375),
    ),
    # article: training provider; a normal university (no identifier given: left empty)
    Named(
        "cnu",
        "首都师范大学",
        "110108",
        K.UNIVERSITY,
        en="Capital Normal University",
        address="北京市海淀区西三环北路105号",
        coords=(39.928, 116.305),
    ),
    # article: training provider; facts: identifier 4112010065
    Named(
        "tjnu",
        "天津师范大学",
        "120111",
        K.UNIVERSITY,
        en="Tianjin Normal University",
        school_code="4112010065",
        address="天津市西青区宾水西道393号",
        coords=(39.062, 117.112),
    ),
    # ---- Higher education --------------------------------------------------------------
    # article: 北京交通大学在河北唐山建立唐山研究院; facts: identifier 4111010004
    Named(
        "bjtu",
        "北京交通大学",
        "110108",
        K.UNIVERSITY,
        en="Beijing Jiaotong University",
        school_code="4111010004",
        address="北京市海淀区上园村3号",
        coords=(39.951, 116.341),
    ),
    # article + facts: opened 2019-07 in Tangshan, labs below. The district is not reported;
    # 路南区 (the city centre) is assumed.
    Named(
        "bjtu_ts",
        "北京交通大学唐山研究院",
        "130202",
        K.RESEARCH,
        en="Tangshan Research Institute of Beijing Jiaotong University",
        parent="bjtu",
        address="河北省唐山市路南区",
    ),
    # article: 组建京津冀……应用（技术）型高校……等不同类型的高校联盟. No applied university is
    # named in the sources; these three real applied universities make that alliance (no
    # identifier is given: none is reported).
    Named(
        "buu",
        "北京联合大学",
        "110105",
        K.UNIVERSITY,
        en="Beijing Union University",
        address="北京市朝阳区北四环东路97号",
        coords=(39.994, 116.420),
    ),
    # article: as above (an applied university of Tianjin)
    Named(
        "tute",
        "天津职业技术师范大学",
        "120103",
        K.UNIVERSITY,
        en="Tianjin University of Technology and Education",
        address="天津市河西区大沽南路1310号",
    ),
    # article: as above (an applied university of Hebei)
    Named(
        "hebust",
        "河北科技大学",
        "130108",
        K.UNIVERSITY,
        en="Hebei University of Science and Technology",
        address="河北省石家庄市裕华区裕翔街26号",
    ),
    # facts: identifier 4113010075 (university codes: 41 + province + 0 + five digits)
    Named(
        "hbu",
        "河北大学",
        "130606",
        K.UNIVERSITY,
        en="Hebei University",
        school_code="4113010075",
        address="河北省保定市莲池区五四东路180号",
        coords=(38.871, 115.519),
    ),
    # ---- Xiong'an "建三": built by Beijing, opened 2023-09 (facts table) -----------------
    # facts: supporter of 雄安北海幼儿园
    Named(
        "bj_beihai_kg",
        "北京市北海幼儿园",
        "110102",
        K.KINDERGARTEN,
        en="Beijing Beihai Kindergarten",
        address="北京市西城区文津街",
        coords=(39.925, 116.383),
    ),
    # facts: 建三; in the 容东 area of 容城县 (Xiong'an start-up area)
    Named(
        "xa_beihai_kg",
        "雄安北海幼儿园",
        "130629",
        K.KINDERGARTEN,
        en="Xiong'an Beihai Kindergarten",
        address="河北雄安新区容东片区",
        coords=(39.046, 115.935),
    ),
    # facts: supporter of 雄安史家胡同小学
    Named(
        "dc_shijia",
        "东城区史家胡同小学",
        "110101",
        K.PRIMARY,
        en="Shijia Hutong Primary School, Dongcheng",
        aliases=("史家胡同小学",),
        address="北京市东城区史家胡同",
        coords=(39.919, 116.424),
    ),
    # facts: 建三
    Named(
        "xa_shijia",
        "雄安史家胡同小学",
        "130629",
        K.PRIMARY,
        en="Xiong'an Shijia Hutong Primary School",
        address="河北雄安新区容东片区",
        coords=(39.049, 115.930),
    ),
    # facts: supporter of 北京四中雄安校区
    Named(
        "bj4",
        "北京市第四中学",
        "110102",
        K.COMPLETE_SECONDARY,
        en="Beijing No. 4 High School",
        aliases=("北京四中",),
        address="北京市西城区西什库大街",
        coords=(39.929, 116.375),
    ),
    # facts: 建三 (a complete secondary school); a Beijing Institute of Education training
    # base opened here in 2024-02
    Named(
        "bj4_xa",
        "北京四中雄安校区",
        "130629",
        K.COMPLETE_SECONDARY,
        en="Beijing No. 4 High School Xiong'an Campus",
        parent="bj4",
        address="河北雄安新区容东片区",
        coords=(39.052, 115.938),
    ),
    # ---- Xiong'an "援四": aided campuses since 2018-03 (facts table) ---------------------
    # The counties of the four aided campuses are not in the sources; they are given as best
    # known and should be checked against the Xiong'an education bureau's list.
    # facts: supporter of 北京市六一幼儿院雄安院区
    Named(
        "bj61",
        "北京市六一幼儿院",
        "110108",
        K.KINDERGARTEN,
        en="Beijing June First Kindergarten",
        address="北京市海淀区",
    ),
    # facts: 援四 (county assumed: 雄县)
    Named(
        "bj61_xa",
        "北京市六一幼儿院雄安院区",
        "130638",
        K.KINDERGARTEN,
        en="Beijing June First Kindergarten Xiong'an Campus",
        parent="bj61",
        address="河北省保定市雄县",
    ),
    # facts: supporter of 中关村第三小学雄安校区
    Named(
        "zgc3",
        "海淀区中关村第三小学",
        "110108",
        K.PRIMARY,
        en="Zhongguancun No. 3 Primary School, Haidian",
        aliases=("中关村三小",),
        address="北京市海淀区中关村",
        coords=(39.983, 116.316),
    ),
    # facts: 援四 (county assumed: 容城县)
    Named(
        "zgc3_xa",
        "中关村第三小学雄安校区",
        "130629",
        K.PRIMARY,
        en="Zhongguancun No. 3 Primary School Xiong'an Campus",
        parent="zgc3",
        address="河北省保定市容城县",
    ),
    # facts: supporter of 朝阳区实验小学雄安校区
    Named(
        "cy_sx",
        "朝阳区实验小学",
        "110105",
        K.PRIMARY,
        en="Chaoyang District Experimental Primary School",
        address="北京市朝阳区",
    ),
    # facts: 援四 (county assumed: 雄县)
    Named(
        "cy_sx_xa",
        "朝阳区实验小学雄安校区",
        "130638",
        K.PRIMARY,
        en="Chaoyang Experimental Primary School Xiong'an Campus",
        parent="cy_sx",
        address="河北省保定市雄县",
    ),
    # facts: supporter of 北京市第八十中学雄安校区; article: 雄安容东分校
    Named(
        "bj80",
        "北京市第八十中学",
        "110105",
        K.COMPLETE_SECONDARY,
        en="Beijing No. 80 High School",
        aliases=("北京八十中",),
        address="北京市朝阳区望京",
        coords=(39.995, 116.470),
    ),
    # facts: 援四 (county assumed: 安新县)
    Named(
        "bj80_xa",
        "北京市第八十中学雄安校区",
        "130632",
        K.COMPLETE_SECONDARY,
        en="Beijing No. 80 High School Xiong'an Campus",
        parent="bj80",
        address="河北省保定市安新县",
    ),
    # article: 北京市第八十中学雄安容东分校每学期组织教师赴京跟岗学习 (容东 lies in 容城县;
    # its stages are not reported: a complete secondary school is assumed)
    Named(
        "bj80_rd",
        "北京市第八十中学雄安容东分校",
        "130629",
        K.COMPLETE_SECONDARY,
        en="Beijing No. 80 High School Xiong'an Rongdong Branch",
        parent="bj80",
        address="河北雄安新区容东片区",
        coords=(39.055, 115.925),
    ),
    # ---- Tianjin × Xiong'an cooperative schooling (article; facts: pairings of 2024-05) ---
    # The Tianjin schools' districts are given as best known.
    # article: 天津一中
    Named(
        "tj1",
        "天津市第一中学",
        "120101",
        K.SENIOR,
        en="Tianjin No. 1 High School",
        aliases=("天津一中",),
        address="天津市和平区",
    ),
    # article: 雄县第一高级中学; facts: since 2019-01 it is also 天津一中雄安校区, so it is
    # recorded as a branch of 天津一中 (one school, two names: see ``aliases``)
    Named(
        "xx1",
        "雄县第一高级中学",
        "130638",
        K.SENIOR,
        en="Xiongxian No. 1 Senior High School (Tianjin No. 1 High School Xiong'an Campus)",
        parent="tj1",
        aliases=("天津一中雄安校区",),
        address="河北省保定市雄县",
    ),
    # article: 天津四中
    Named(
        "tj4",
        "天津市第四中学",
        "120102",
        K.COMPLETE_SECONDARY,
        en="Tianjin No. 4 High School",
        aliases=("天津四中",),
        address="天津市河东区",
    ),
    # facts: 天津四中 ↔ 容和红杰初级中学 (in the 容东 area of 容城县)
    Named(
        "rh_hj",
        "容和红杰初级中学",
        "130629",
        K.JUNIOR,
        en="Ronghe Hongjie Junior High School",
        address="河北雄安新区容东片区",
        coords=(39.050, 115.945),
    ),
    # article: 实验小学 = 天津市实验小学 (facts)
    Named(
        "tj_sx",
        "天津市实验小学",
        "120101",
        K.PRIMARY,
        en="Tianjin Experimental Primary School",
        address="天津市和平区",
    ),
    # facts: 天津市实验小学 ↔ 安新县雁翎小学
    Named(
        "ax_yl",
        "安新县雁翎小学",
        "130632",
        K.PRIMARY,
        en="Yanling Primary School, Anxin",
        address="河北省保定市安新县",
    ),
    # article: 天津市实验幼儿园
    Named(
        "tj_sy_kg",
        "天津市实验幼儿园",
        "120101",
        K.KINDERGARTEN,
        en="Tianjin Experimental Kindergarten",
        address="天津市和平区",
    ),
    # facts: 天津市实验幼儿园 ↔ 容城县幼儿园
    Named(
        "rc_kg",
        "容城县幼儿园",
        "130629",
        K.KINDERGARTEN,
        en="Rongcheng County Kindergarten",
        address="河北省保定市容城县",
    ),
    # ---- Beijing sub-centre (Tongzhou) and the three northern counties ------------------
    # article: 高质量运营好北京学校; facts: twelve-year school under 北京市教委, 108 classes
    Named(
        "bj_school",
        "北京学校",
        "110112",
        K.TWELVE_YEAR,
        en="Beijing School",
        address="北京市通州区潞城镇大营村东侧",
        coords=(39.891, 116.744),
    ),
    # article: 北京第一实验学校 (kind not reported: a twelve-year school is assumed)
    Named(
        "bj_1st_exp",
        "北京第一实验学校",
        "110112",
        K.TWELVE_YEAR,
        en="Beijing No. 1 Experimental School",
        address="北京市通州区",
    ),
    # facts: parent of 北京实验学校三河校区 (海淀; a private school as best known)
    Named(
        "bjsy",
        "北京实验学校",
        "110108",
        K.TWELVE_YEAR,
        en="Beijing Experimental School",
        ownership="private",
        address="北京市海淀区",
    ),
    # facts: 北三县 campus opened 2021 (kind not reported: as its parent)
    Named(
        "bjsy_sh",
        "北京实验学校三河校区",
        "131082",
        K.TWELVE_YEAR,
        en="Beijing Experimental School Sanhe Campus",
        parent="bjsy",
        ownership="private",
        address="河北省廊坊市三河市燕郊镇",
        coords=(39.951, 116.828),
    ),
    # facts: parent of 潞河中学三河校区
    Named(
        "luhe",
        "北京市潞河中学",
        "110112",
        K.COMPLETE_SECONDARY,
        en="Beijing Luhe High School",
        aliases=("潞河中学",),
        address="北京市通州区新华南路",
        coords=(39.902, 116.660),
    ),
    # facts: 北三县 campus opened 2021 with 2,700 places
    Named(
        "luhe_sh",
        "潞河中学三河校区",
        "131082",
        K.COMPLETE_SECONDARY,
        en="Luhe High School Sanhe Campus",
        parent="luhe",
        address="河北省廊坊市三河市",
    ),
    # article: 河北省三河市赵河沟小学是一所农村学校
    Named(
        "zhg",
        "三河市赵河沟小学",
        "131082",
        K.PRIMARY,
        en="Zhaohegou Primary School, Sanhe",
        locality="rural",
        address="河北省廊坊市三河市赵河沟村",
        coords=(40.020, 117.120),
    ),
]

LABS: list[NamedLab] = [
    # article: 交通运输、新材料、新能源等领域的多个实验室正式运行; facts: opened 2019-07 (day
    # not reported: the 1st is used)
    NamedLab("bjtu_ts", "交通运输实验室", "交通运输", dt.date(2019, 7, 1)),
    NamedLab("bjtu_ts", "新材料实验室", "新材料", dt.date(2019, 7, 1)),
    NamedLab("bjtu_ts", "新能源实验室", "新能源", dt.date(2019, 7, 1)),
]

P, T = Position, Title
STAFF: list[NamedStaff] = [
    # invented principal of the rural school in the article
    NamedStaff(
        "zhg_principal",
        "zhg",
        "刘振国",
        "M",
        dt.date(1971, 4, 18),
        P.PRINCIPAL,
        ("管理", "语文"),
        T.SENIOR,
        dt.date(2016, 8, 25),
        phone="13903161024",
    ),
    # invented teacher of 赵河沟小学 (a beneficiary of Beijing/Tianjin resources)
    NamedStaff(
        "zhg_teacher",
        "zhg",
        "王雨晴",
        "F",
        dt.date(1995, 10, 6),
        P.TEACHER,
        ("数学",),
        T.SECOND,
        dt.date(2018, 9, 1),
        phone="15831602217",
    ),
    # invented principal of the 建三 complete secondary school
    NamedStaff(
        "bj4_xa_principal",
        "bj4_xa",
        "陈立新",
        "M",
        dt.date(1969, 8, 22),
        P.PRINCIPAL,
        ("管理", "物理"),
        T.PROFESSOR,
        dt.date(2023, 8, 1),
        honours=("subject_leader",),
        phone="13801234517",
    ),
    # invented principal of the 建三 primary school
    NamedStaff(
        "xa_shijia_principal",
        "xa_shijia",
        "周静怡",
        "F",
        dt.date(1975, 2, 11),
        P.PRINCIPAL,
        ("管理", "语文"),
        T.SENIOR,
        dt.date(2023, 8, 1),
        honours=("backbone",),
        phone="13911402268",
    ),
    # invented principal of the Rongdong branch (article: teachers shadow in Beijing)
    NamedStaff(
        "bj80_rd_principal",
        "bj80_rd",
        "杨建华",
        "M",
        dt.date(1973, 6, 30),
        P.PRINCIPAL,
        ("管理", "数学"),
        T.SENIOR,
        dt.date(2021, 8, 20),
        phone="13701175036",
    ),
    # invented teacher of the Rongdong branch: the demo user ``teacher``
    NamedStaff(
        "bj80_rd_teacher",
        "bj80_rd",
        "孙晓雪",
        "F",
        dt.date(1990, 12, 3),
        P.TEACHER,
        ("语文",),
        T.FIRST,
        dt.date(2021, 9, 1),
        honours=("backbone",),
        stages=(Stage.JUNIOR,),
        phone="18603129954",
    ),
    # invented principal of 雄县第一高级中学 (天津一中雄安校区)
    NamedStaff(
        "xx1_principal",
        "xx1",
        "马国强",
        "M",
        dt.date(1970, 9, 15),
        P.PRINCIPAL,
        ("管理", "化学"),
        T.SENIOR,
        dt.date(2019, 1, 10),
        phone="13633125870",
    ),
    # invented researcher heading the transport lab of the Tangshan institute
    NamedStaff(
        "bjtu_ts_researcher",
        "bjtu_ts",
        "郑海涛",
        "M",
        dt.date(1980, 5, 9),
        P.RESEARCHER,
        ("交通运输",),
        T.PROFESSOR,
        dt.date(2019, 7, 1),
        phone="13582930416",
    ),
    # ---- Exchanges (xietong.demo.exchanges): more invented people -------------------------
    # invented vice-principal and teachers of the Rongdong branch (article: every teacher
    # of the branch shadows in Beijing each term — "教师跟岗全覆盖")
    NamedStaff(
        "bj80_rd_vice",
        "bj80_rd",
        "高文博",
        "M",
        dt.date(1978, 3, 21),
        P.VICE_PRINCIPAL,
        ("管理", "语文"),
        T.SENIOR,
        dt.date(2021, 8, 20),
        stages=(Stage.SENIOR,),
        phone="13703126618",
    ),
    NamedStaff(
        "bj80_rd_english",
        "bj80_rd",
        "林雅琪",
        "F",
        dt.date(1993, 7, 14),
        P.TEACHER,
        ("英语",),
        T.SECOND,
        dt.date(2021, 9, 1),
        stages=(Stage.JUNIOR,),
        phone="18631297730",
    ),
    NamedStaff(
        "bj80_rd_maths",
        "bj80_rd",
        "韩志远",
        "M",
        dt.date(1987, 11, 2),
        P.TEACHER,
        ("数学",),
        T.FIRST,
        dt.date(2022, 8, 28),
        honours=("backbone",),
        stages=(Stage.SENIOR,),
        phone="13831255407",
    ),
    # invented mentors at the Beijing and Tianjin host schools
    NamedStaff(
        "bj80_mentor",
        "bj80",
        "郭慧敏",
        "F",
        dt.date(1974, 5, 8),
        P.TEACHER,
        ("语文",),
        T.PROFESSOR,
        dt.date(1998, 8, 25),
        honours=("special_grade",),
        stages=(Stage.JUNIOR, Stage.SENIOR),
        phone="13601182246",
    ),
    NamedStaff(
        "bj4_mentor",
        "bj4",
        "邓建明",
        "M",
        dt.date(1972, 1, 19),
        P.TEACHER,
        ("数学",),
        T.PROFESSOR,
        dt.date(1995, 9, 1),
        honours=("subject_leader",),
        phone="13910027751",
    ),
    NamedStaff(
        "dc_shijia_mentor",
        "dc_shijia",
        "许佳宁",
        "F",
        dt.date(1980, 10, 27),
        P.TEACHER,
        ("语文",),
        T.SENIOR,
        dt.date(2003, 9, 1),
        honours=("backbone",),
        phone="13810345529",
    ),
    NamedStaff(
        "tj1_mentor",
        "tj1",
        "曹立群",
        "M",
        dt.date(1976, 6, 3),
        P.TEACHER,
        ("物理",),
        T.PROFESSOR,
        dt.date(2000, 8, 20),
        honours=("special_grade",),
        phone="13502087713",
    ),
    NamedStaff(
        "tj_sx_mentor",
        "tj_sx",
        "乔婉清",
        "F",
        dt.date(1982, 2, 16),
        P.TEACHER,
        ("数学",),
        T.SENIOR,
        dt.date(2005, 9, 1),
        honours=("backbone",),
        phone="13602156638",
    ),
    # invented cadre and lecturer of 河北大学 (the university secondment programme) and a
    # mentor at 北京交通大学
    NamedStaff(
        "hbu_cadre",
        "hbu",
        "田鸿飞",
        "M",
        dt.date(1981, 9, 12),
        P.CADRE,
        ("管理",),
        T.SENIOR,
        dt.date(2008, 7, 1),
        stages=(Stage.UNDERGRADUATE,),
        phone="13931266205",
    ),
    NamedStaff(
        "hbu_lecturer",
        "hbu",
        "沈思源",
        "F",
        dt.date(1988, 4, 25),
        P.TEACHER,
        ("计算机科学",),
        T.FIRST,
        dt.date(2016, 7, 1),
        stages=(Stage.UNDERGRADUATE,),
        phone="15930218874",
    ),
    NamedStaff(
        "bjtu_mentor",
        "bjtu",
        "冯启航",
        "M",
        dt.date(1970, 12, 30),
        P.CADRE,
        ("管理",),
        T.PROFESSOR,
        dt.date(1996, 7, 1),
        stages=(Stage.UNDERGRADUATE,),
        phone="13701098862",
    ),
    NamedStaff(
        "tjnu_mentor",
        "tjnu",
        "彭书瑶",
        "F",
        dt.date(1975, 8, 7),
        P.TEACHER,
        ("计算机科学",),
        T.PROFESSOR,
        dt.date(2001, 7, 1),
        stages=(Stage.UNDERGRADUATE,),
        phone="13820165593",
    ),
    NamedStaff(
        "zgc3_mentor",
        "zgc3",
        "白晓彤",
        "F",
        dt.date(1983, 3, 5),
        P.TEACHER,
        ("数学",),
        T.SENIOR,
        dt.date(2006, 9, 1),
        honours=("backbone",),
        phone="13691172804",
    ),
    NamedStaff(
        "tj4_mentor",
        "tj4",
        "罗振宇",
        "M",
        dt.date(1979, 11, 11),
        P.TEACHER,
        ("语文",),
        T.SENIOR,
        dt.date(2002, 8, 25),
        honours=("subject_leader",),
        stages=(Stage.JUNIOR,),
        phone="13516039927",
    ),
    NamedStaff(
        "bj_school_mentor",
        "bj_school",
        "魏清源",
        "M",
        dt.date(1977, 7, 22),
        P.VICE_PRINCIPAL,
        ("管理", "数学"),
        T.PROFESSOR,
        dt.date(2017, 8, 20),
        honours=("special_grade",),
        phone="13801562290",
    ),
    NamedStaff(
        "luhe_mentor",
        "luhe",
        "唐若兰",
        "F",
        dt.date(1981, 1, 29),
        P.TEACHER,
        ("英语",),
        T.SENIOR,
        dt.date(2004, 9, 1),
        honours=("backbone",),
        stages=(Stage.SENIOR,),
        phone="13911836647",
    ),
    # ---- Shared resources (xietong.demo.resources): more invented people ------------------
    # invented famous preschool teacher of 北京市北海幼儿园 (the 建三 kindergarten's
    # supporter): author of its shared courses
    NamedStaff(
        "bj_beihai_kg_teacher",
        "bj_beihai_kg",
        "孟书宁",
        "F",
        dt.date(1979, 4, 9),
        P.TEACHER,
        ("学前教育",),
        T.SENIOR,
        dt.date(2001, 9, 1),
        honours=("backbone",),
        phone="13910462237",
    ),
    # invented teaching researchers (教研员) of 北京教育学院: reviewers of shared resources
    # (the demo sign-in ``reviewer`` is the first)
    NamedStaff(
        "bie_maths",
        "bie",
        "宋立诚",
        "M",
        dt.date(1976, 10, 14),
        P.RESEARCHER,
        ("数学",),
        T.PROFESSOR,
        dt.date(2005, 7, 1),
        stages=(Stage.PRIMARY, Stage.JUNIOR, Stage.SENIOR),
        phone="13701235581",
    ),
    NamedStaff(
        "bie_chinese",
        "bie",
        "何雅琴",
        "F",
        dt.date(1978, 2, 27),
        P.RESEARCHER,
        ("语文", "学前教育"),
        T.PROFESSOR,
        dt.date(2007, 7, 1),
        stages=(Stage.PRESCHOOL, Stage.PRIMARY, Stage.JUNIOR, Stage.SENIOR),
        phone="13911504462",
    ),
]

AID_SCHOOLS: list[AidSchool] = [
    # facts: "建三" (built by Beijing, opened 2023-09) and their supporting Beijing schools
    AidSchool("建三", "xa_beihai_kg", "bj_beihai_kg", "2023-09"),
    AidSchool("建三", "xa_shijia", "dc_shijia", "2023-09"),
    AidSchool("建三", "bj4_xa", "bj4", "2023-09"),
    # facts: "援四" (aided campuses since 2018-03)
    AidSchool("援四", "bj61_xa", "bj61", "2018-03"),
    AidSchool("援四", "zgc3_xa", "zgc3", "2018-03"),
    AidSchool("援四", "cy_sx_xa", "cy_sx", "2018-03"),
    AidSchool("援四", "bj80_xa", "bj80", "2018-03"),
]

# facts: Tianjin pairings with Xiong'an (2024-05): (Tianjin school, Xiong'an school)
TIANJIN_PAIRS: list[tuple[str, str]] = [
    ("tj1", "xx1"),
    ("tj4", "rh_hj"),
    ("tj_sx", "ax_yl"),
    ("tj_sy_kg", "rc_kg"),
]

BY_KEY: dict[str, Named] = {row.key: row for row in INSTITUTIONS}
STAFF_BY_KEY: dict[str, NamedStaff] = {row.key: row for row in STAFF}
ALIASES: dict[str, str] = {a: row.key for row in INSTITUTIONS for a in (row.name, *row.aliases)}


# --- lookups -----------------------------------------------------------------------------


def institution(key_or_name: str) -> Institution:
    """The loaded institution for a key, name or alias of the table above."""
    row = BY_KEY.get(key_or_name) or BY_KEY[ALIASES[key_or_name]]
    return Institution.objects.get(region__code=row.region, name=row.name)


def staff(key: str) -> Staff:
    return Staff.objects.get(find_q(STAFF_BY_KEY[key]))


def find_q(row: NamedStaff) -> Q:
    """The named person's record, found by the blind index of their ID number."""
    return personal_data.id_number_q(id_number(row))


def id_number(row: NamedStaff) -> str:
    """A valid ID number in the reserved sequence range 900–999 (see NAMED_SEQUENCE_START)."""
    index = STAFF.index(row)
    seq = NAMED_SEQUENCE_START + 2 * index + (1 if row.gender == "M" else 0)
    body = f"{BY_KEY[row.institution].region}{row.birth_date:%Y%m%d}{seq:03d}"
    return body + id_check_char(body)


# --- loading -----------------------------------------------------------------------------


def demo_actor() -> Actor:
    """The loader's actor: the system admin, plus authority admin of the three provinces.

    ``system_actor`` keeps the institution registry but, by the registry's access rules,
    registers no staff (staff records belong to an authority's or an institution's scope),
    so the loader also holds the provincial authority grants.
    """
    base = system_actor("demo")
    provinces = tuple(
        Grant(Role.AUTHORITY_ADMIN, region_path=path) for path in ("110000/", "120000/", "130000/")
    )
    return replace(base, grants=base.grants + provinces)


@dataclass
class NamedResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    labs_created: int = 0
    staff_created: int = 0
    staff_updated: int = 0
    changes: list[str] = field(default_factory=list)

    @property
    def touched(self) -> int:
        return sum(
            (self.created, self.updated, self.labs_created, self.staff_created, self.staff_updated)
        )


def _ordered(rows: list[Named]) -> list[Named]:
    """Parents before their branches."""
    done: set[str] = set()
    out: list[Named] = []

    def visit(row: Named) -> None:
        if row.key in done:
            return
        if row.parent:
            visit(BY_KEY[row.parent])
        done.add(row.key)
        out.append(row)

    for row in rows:
        visit(row)
    return out


def _institution_data(row: Named, pks: Mapping[str, int]) -> dict[str, Any]:
    lat, lon = row.latlon()
    return {
        "name": row.name,
        "name_en": row.en,
        "kind": row.kind,
        "school_code": row.school_code or None,
        "stages": list(row.stages or DEFAULT_STAGES[row.kind]),
        "ownership": row.ownership,
        "locality": row.locality,
        "region": row.region,
        "address": row.address,
        "latitude": lat,
        "longitude": lon,
        "parent": pks[row.parent] if row.parent else None,
    }


def _institution_diff(inst: Institution, data: Mapping[str, Any]) -> dict[str, Any]:
    current = {
        "name": inst.name,
        "name_en": inst.name_en,
        "kind": inst.kind,
        "school_code": inst.school_code or None,
        "stages": inst.stage_list,
        "ownership": inst.ownership,
        "locality": inst.locality,
        "region": inst.region.code,
        "address": inst.address,
        "latitude": inst.latitude,
        "longitude": inst.longitude,
        "parent": inst.parent_id,
    }
    return {k: v for k, v in data.items() if current[k] != v}


def _staff_data(row: NamedStaff, inst: Institution) -> dict[str, Any]:
    return {
        "name": row.name,
        "gender": row.gender,
        "birth_date": row.birth_date,
        "id_number": id_number(row),
        "phone": row.phone,
        "institution": inst.pk,
        "position": row.position,
        "stages": list(row.stages or inst.stage_list),
        "subjects": parse_codes(SUBJECTS, list(row.subjects)),
        "title": row.title,
        "honours": list(row.honours),
        "joined_on": row.joined_on,
    }


def _staff_diff(staff_row: Staff, data: Mapping[str, Any]) -> dict[str, Any]:
    """What differs from the table; the record was found by its ID number, and its phone
    is compared sealed as it is (``personal_data.holds_phone``)."""
    current = {
        "name": staff_row.name,
        "gender": staff_row.gender,
        "birth_date": staff_row.birth_date,
        "id_number": data["id_number"],
        "phone": data["phone"]
        if personal_data.holds_phone(staff_row, data["phone"])
        else staff_row.masked_phone,
        "institution": staff_row.institution_id,
        "position": staff_row.position,
        "stages": unpack(staff_row.stages),
        "subjects": unpack(staff_row.subjects),
        "title": staff_row.title,
        "honours": unpack(staff_row.honours),
        "joined_on": staff_row.joined_on,
    }
    return {k: v for k, v in data.items() if current[k] != v}


@transaction.atomic
def load_named(actor: Actor | None = None) -> NamedResult:
    """Create what is missing of the table above; bring changed rows back to the table.

    Running it twice changes nothing and writes no audit event the second time.
    """
    actor = actor or demo_actor()
    result = NamedResult()
    pks: dict[str, int] = {}
    for row in _ordered(INSTITUTIONS):
        data = _institution_data(row, pks)
        inst = (
            Institution.objects.select_related("region")
            .filter(region__code=row.region, name=row.name)
            .first()
        )
        if inst is None:
            inst = services.create_institution(actor, data)
            result.created += 1
            result.changes.append(f"+ {row.name}")
        elif diff := _institution_diff(inst, data):
            inst = services.update_institution(actor, inst.pk, diff)
            result.updated += 1
            result.changes.append(f"~ {row.name}: {', '.join(sorted(diff))}")
        else:
            result.unchanged += 1
        pks[row.key] = inst.pk
    for lab in LABS:
        if not Lab.objects.filter(institution_id=pks[lab.institution], name=lab.name).exists():
            services.add_lab(
                actor,
                pks[lab.institution],
                {"name": lab.name, "field": lab.field, "opened_on": lab.opened_on},
            )
            result.labs_created += 1
            result.changes.append(f"+ {lab.name}")
    for srow in STAFF:
        inst = Institution.objects.get(pk=pks[srow.institution])
        data = _staff_data(srow, inst)
        existing = Staff.objects.filter(find_q(srow)).first()
        if existing is None:
            services.create_staff(actor, data)
            result.staff_created += 1
            result.changes.append(f"+ {srow.name} ({inst.name})")
        elif diff := _staff_diff(existing, data):
            services.update_staff(actor, existing.pk, diff)
            result.staff_updated += 1
            result.changes.append(f"~ {srow.name}: {', '.join(sorted(diff))}")
    return result
