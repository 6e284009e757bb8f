"""Shared resources of the demo: the catalogue, its review, and three years of use.

Sources: ``article`` is the People's Daily report on the Action Plan, ``facts`` is
``facts.md`` (both in ``/work/shared/source/``).

* famous-teacher courses (名师示范课), lesson videos, courseware and studios (名师工作室)
  of the named Beijing schools (北京四中, 史家胡同小学, 中关村三小, 八十中, 北海幼儿园,
  北京学校, 潞河中学) and Tianjin ones (天津一中, 天津市实验小学, 天津市实验幼儿园) — article:
  共享优质数字教育资源; most for the whole region, some for partners only, some for the
  雄安新区 or 北三县 region groups, a few for named institutions;
* practice bases (article: 共享…实践基地等资源) and the three labs of 北京交通大学唐山研究院
  (article, facts: transport, new materials, new energy) as resources with address,
  capacity and the terms they open;
* the shared courses of 京津冀教育协同发展共同体 for 滨海新区 (article: 依托京津冀教育协同发展
  共同体，共享北京名师、名课程等优质资源): Beijing schools' courses seen by the ``binhai``
  region group. The community is not an institution of the registry, so each course's
  provider is the Beijing school whose teacher gives it;
* use records from 2023-09 to today, weighted toward paired schools, 三河市赵河沟小学
  among the heaviest users (article: 通过借助京津优质教育资源，学校办学质量不断提升), and
  ratings by people who used what they rate.

Titles, authors (the registry's invented staff), dates and figures are illustrative.

How it is written, and by whom:

* reviewers are appointed per subject by the authorities' demo sign-ins (``beijing``,
  ``tianjin``; ``hebei`` for the Tangshan institute, which lies in Hebei), through
  :func:`~xietong.resources.services.appoint_reviewer`;
* resources are created, submitted and withdrawn by an admin of the provider (its demo
  sign-in, else a demo signatory that signs in nowhere, as for the agreements), and
  published or returned by a reviewer of their subject — never by the resource's own
  author — all through :mod:`xietong.resources.services`, so validation, the audit log
  and the notifications are those of real use. The services stamp each step with "now";
  the steps' timestamps (and the notifications telling of them) are then moved to the
  story's dates with a direct update, as the exchanges demo does; the audit log keeps the
  true time of the load;
* use records are written with :func:`xietong.core.bulk.insert` (one audited batch) and
  the resources' use counters set in SQL afterwards: the service refuses uses dated more
  than a year back (a user records this year's lessons), and recording some thousands of
  uses one by one, each with its access checks and audit event, would add half a minute
  to ``xietong demo``. The accounts of the teachers who use them are made the same way
  (unusable passwords: they sign in nowhere; each one audited);
* ratings are given the day after a use that lets one rate: the named people's (the
  README's teachers among them) through :func:`~xietong.resources.services.rate_resource`,
  as themselves; the population's teachers' in one audited batch, with the counters set
  in SQL, for the same reason as the uses.

Which teachers use what is a seeded random choice (:data:`SEED`) among those who can see
the resource and teach its stage; the same database and day give the same story. Loading
is idempotent: a resource that exists (provider and title) is left alone; uses are made
for the published demo resources that have none (after ``--replace`` removed them with
the population they named, see :func:`unload_uses`).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from xietong.accounts import audit
from xietong.accounts.access import Actor, actor_for
from xietong.accounts.models import Role, RoleAssignment, User
from xietong.core import bulk
from xietong.core.codes import SUBJECTS, parse_codes
from xietong.core.delimited import unpack
from xietong.core.terms import SchoolTerm
from xietong.demo import named
from xietong.demo.partnerships import _party_admin as party_admin
from xietong.institutions.choices import TEACHING_POSITIONS
from xietong.institutions.models import Institution, Staff
from xietong.notifications.models import Notification
from xietong.partnerships.choices import PartnershipStatus
from xietong.partnerships.models import Member
from xietong.regions.models import RegionGroup
from xietong.resources import services
from xietong.resources.choices import (
    PLACES,
    Edition,
    Licence,
    ResourceKind,
    ResourceStatus,
    UseKind,
    Verdict,
    Visibility,
)
from xietong.resources.models import Rating, Resource, Review, Reviewer, Use

TZ = ZoneInfo("Asia/Shanghai")
SEED = 20231008  # the plan's signing day
FIRST_USE = dt.date(2023, 9, 1)
READ_AFTER_DAYS = 30  # older notices of the story have been read by their recipients
HEAVY = "zhg"  # 三河市赵河沟小学 (article)
POPULATION = re.compile(r"teacher\d+")  # accounts made for the population's teachers
K, V, E, L = ResourceKind, Visibility, Edition, Licence


@dataclass(frozen=True)
class Spec:
    """One resource of the story; ``submitted`` is the day it was first submitted."""

    provider: str  # key in named.INSTITUTIONS
    kind: str
    title: str
    description: str
    stages: tuple[str, ...]
    subjects: tuple[str, ...]
    submitted: dt.date
    grade: str = ""
    edition: str = ""
    duration: int | None = None
    licence: str = L.REGION
    visibility: str = V.REGION
    group: str = ""  # a region group's key
    audience: tuple[str, ...] = ()  # keys in named.INSTITUTIONS
    authors: tuple[str, ...] = ()  # keys in named.STAFF
    address: str = ""
    capacity: int | None = None
    returned: str = ""  # returned once with this comment, changed, submitted again
    withdrawn: str = ""  # published, then withdrawn with this reason
    pending: bool = False  # still submitted: waits in a reviewer's queue
    users: int = 12  # how many teachers use it (fewer if fewer can see it)
    pinned: tuple[str, ...] = ()  # named staff (README sign-ins) among its users

    @property
    def slug(self) -> str:
        return f"{self.provider}-{abs(hash_text(self.title)) % 10**8:08d}"


def hash_text(text: str) -> int:
    """A stable number for a text (Python's own ``hash`` changes from run to run)."""
    n = 0
    for ch in text:
        n = (n * 131 + ord(ch)) % (2**61 - 1)
    return n


D = dt.date
COMMUNITY = "依托京津冀教育协同发展共同体，面向滨海新区中小学共享的北京名师课程。"

RESOURCES: list[Spec] = [
    # ---- 北京市第四中学 (建三: supports 北京四中雄安校区) --------------------------------
    Spec(
        "bj4",
        K.COURSE,
        "名师示范课：高中数学《函数的单调性与最值》",
        "北京四中数学特级教师主讲，从生活实例引入单调性概念，配套课件、学案和课后分层练习。",
        ("senior",),
        ("数学",),
        D(2023, 9, 11),
        grade="高一",
        edition=E.RENJIAO,
        duration=45,
        licence=L.CC_BY_NC_SA,
        authors=("bj4_mentor",),
        users=14,
    ),
    Spec(
        "bj4",
        K.LESSON_VIDEO,
        "高中数学课堂实录：导数的几何意义",
        "一节完整的课堂实录，展示用信息技术动态演示切线逼近的过程，附教学设计说明。",
        ("senior",),
        ("数学",),
        D(2023, 10, 16),
        grade="高二",
        edition=E.RENJIAO,
        duration=42,
        licence=L.CC_BY_NC,
        authors=("bj4_mentor",),
        returned="课堂实录缺少字幕，板书部分画面不清晰，请补充字幕并注明所用教材章节。",
    ),
    Spec(
        "bj4",
        K.STUDIO,
        "邓建明高中数学名师工作室",
        "北京四中数学名师工作室，每月一次线上联合教研，面向雄安新区高中数学教师开放研修。",
        ("senior", "junior"),
        ("数学",),
        D(2023, 11, 6),
        authors=("bj4_mentor",),
        visibility=V.GROUP,
        group="xiongan",
        users=8,
    ),
    Spec(
        "bj4",
        K.COURSEWARE,
        "初中数学《一元二次方程的解法》课件与学案",
        "配方法、公式法和因式分解法三课时课件，学案含分层例题，供结对学校同步使用。",
        ("junior",),
        ("数学",),
        D(2024, 3, 4),
        grade="九年级",
        edition=E.RENJIAO,
        licence=L.CC_BY_SA,
        authors=("bj4_mentor",),
        visibility=V.PARTNERS,
        users=6,
    ),
    Spec(
        "bj4",
        K.COURSE,
        "高中数学《立体几何初步》单元整体教学设计",
        "以大单元视角重组立体几何初步的教学内容，含单元目标、课时安排和评价任务。",
        ("senior",),
        ("数学",),
        D(2026, 11, 23),
        grade="高一",
        edition=E.RENJIAO,
        duration=45,
        authors=("bj4_mentor",),
        pending=True,
    ),
    # ---- 东城区史家胡同小学 (建三: supports 雄安史家胡同小学) ----------------------------
    Spec(
        "dc_shijia",
        K.COURSE,
        "名师示范课：小学语文三年级上册《花的学校》",
        "史家胡同小学语文名师执教，引导学生在朗读中体会泰戈尔诗歌的想象，配套朗读音频和课件。",
        ("primary",),
        ("语文",),
        D(2023, 9, 18),
        grade="三年级",
        edition=E.TONGBIAN,
        duration=40,
        authors=("dc_shijia_mentor",),
        users=16,
        pinned=("zhg_principal",),
    ),
    Spec(
        "dc_shijia",
        K.LESSON_VIDEO,
        "小学语文整本书阅读指导课：《夏洛的网》",
        "四年级整本书阅读推进课实录，示范阅读单、人物关系图和读书交流会的组织方法。",
        ("primary",),
        ("语文",),
        D(2023, 12, 4),
        grade="四年级",
        edition=E.TONGBIAN,
        duration=40,
        licence=L.CC_BY_NC,
        authors=("dc_shijia_mentor",),
    ),
    Spec(
        "dc_shijia",
        K.STUDIO,
        "许佳宁小学语文名师工作室",
        "史家胡同小学语文名师工作室：阅读教学与习作指导的线上研修、课例研讨和跟岗指导。",
        ("primary",),
        ("语文",),
        D(2024, 2, 26),
        authors=("dc_shijia_mentor",),
        visibility=V.GROUP,
        group="xiongan",
        users=6,
    ),
    Spec(
        "dc_shijia",
        K.COURSEWARE,
        "小学语文一年级上册识字写字教学课件",
        "一年级识字单元全套课件，含笔顺动画和课堂识字游戏，供结对学校教师备课使用。",
        ("primary",),
        ("语文",),
        D(2024, 3, 11),
        grade="一年级",
        edition=E.TONGBIAN,
        authors=("dc_shijia_mentor",),
        visibility=V.PARTNERS,
        users=5,
    ),
    Spec(
        "dc_shijia",
        K.COURSE,
        "小学语文习作单元：我的植物朋友",
        "三年级习作单元教学课例：观察记录卡、习作支架和同伴互评量表。",
        ("primary",),
        ("语文",),
        D(2024, 9, 9),
        grade="三年级",
        edition=E.TONGBIAN,
        duration=40,
        authors=("dc_shijia_mentor",),
        returned="习作评价量表与课标表述不一致，请按统编版三年级习作要求修改后再提交。",
        pinned=("zhg_principal",),
    ),
    # ---- 海淀区中关村第三小学 (援四: supports 中关村第三小学雄安校区) ----------------------
    Spec(
        "zgc3",
        K.COURSE,
        "名师示范课：小学数学三年级下册《认识分数》",
        "中关村三小数学名师执教，用折纸和分饼活动建立分数概念，附课件、学习单和课后练习。",
        ("primary",),
        ("数学",),
        D(2023, 9, 25),
        grade="三年级",
        edition=E.BEISHIDA,
        duration=40,
        licence=L.CC_BY_NC_SA,
        authors=("zgc3_mentor",),
        users=16,
        pinned=("zhg_teacher",),
    ),
    Spec(
        "zgc3",
        K.LESSON_VIDEO,
        "小学数学项目式学习：校园里的测量",
        "五年级项目式学习课例视频，学生分组测量校园并绘制平面图，展示跨学科任务设计。",
        ("primary",),
        ("数学",),
        D(2024, 4, 8),
        grade="五年级",
        edition=E.BEISHIDA,
        duration=38,
        authors=("zgc3_mentor",),
    ),
    Spec(
        "zgc3",
        K.EXERCISES,
        "小学数学三年级分层作业设计（北师大版）",
        "按基础、提高、拓展三层设计的单元作业，含答案与评价建议，面向结对农村学校试用。",
        ("primary",),
        ("数学",),
        D(2024, 9, 16),
        grade="三年级",
        edition=E.BEISHIDA,
        authors=("zgc3_mentor",),
        visibility=V.NAMED,
        audience=("zhg", "zgc3_xa", "ax_yl"),
        users=5,
        pinned=("zhg_teacher",),
    ),
    Spec(
        "zgc3",
        K.COURSE,
        "小学数学《图形的运动》单元教学设计",
        "平移、旋转与轴对称的单元教学设计和课件，配套动手操作材料清单。",
        ("primary",),
        ("数学",),
        D(2026, 11, 26),
        grade="四年级",
        edition=E.BEISHIDA,
        duration=40,
        authors=("zgc3_mentor",),
        pending=True,
    ),
    # ---- 北京市第八十中学 (援四: supports 八十中雄安校区; parent of 容东分校) ----------------
    Spec(
        "bj80",
        K.COURSE,
        "名师示范课：初中语文八年级上册《背影》",
        "八十中语文特级教师执教，细读父亲买橘子的段落，体会朴素语言中的深情，附教学设计。",
        ("junior",),
        ("语文",),
        D(2023, 10, 9),
        grade="八年级",
        edition=E.TONGBIAN,
        duration=45,
        authors=("bj80_mentor",),
        visibility=V.GROUP,
        group="xiongan",
        users=10,
        pinned=("bj80_rd_teacher",),
    ),
    Spec(
        "bj80",
        K.LESSON_VIDEO,
        "初中语文古诗词诵读：《次北固山下》",
        "七年级古诗词诵读课实录，示范吟诵、意象分析和背诵指导。",
        ("junior",),
        ("语文",),
        D(2023, 11, 13),
        grade="七年级",
        edition=E.TONGBIAN,
        duration=35,
        authors=("bj80_mentor",),
        pinned=("bj80_rd_teacher",),
    ),
    Spec(
        "bj80",
        K.STUDIO,
        "郭慧敏语文名师工作室",
        "北京市第八十中学语文名师工作室：初高中衔接阅读教学研究，定期开放课堂和线上研修。",
        ("junior", "senior"),
        ("语文",),
        D(2024, 2, 26),
        authors=("bj80_mentor",),
        users=8,
        pinned=("bj80_rd_teacher",),
    ),
    Spec(
        "bj80",
        K.COURSEWARE,
        "高中语文《红楼梦》整本书阅读课件",
        "高一整本书阅读的导读、专题研讨与成果展示三阶段课件。",
        ("senior",),
        ("语文",),
        D(2024, 5, 13),
        grade="高一",
        edition=E.TONGBIAN,
        authors=("bj80_mentor",),
        visibility=V.PARTNERS,
        users=4,
    ),
    # ---- 北京市北海幼儿园 (建三: supports 雄安北海幼儿园) --------------------------------
    Spec(
        "bj_beihai_kg",
        K.COURSE,
        "幼儿园游戏化课程：小小建筑师",
        "大班建构游戏课程，含十次活动方案、材料投放建议和幼儿作品观察记录表。",
        ("preschool",),
        ("学前教育",),
        D(2023, 10, 23),
        grade="大班",
        duration=30,
        licence=L.CC_BY_NC,
        authors=("bj_beihai_kg_teacher",),
        users=10,
    ),
    Spec(
        "bj_beihai_kg",
        K.LESSON_VIDEO,
        "幼儿园大班科学探究活动：沉与浮",
        "大班科学活动实录：幼儿猜想、实验、记录，教师提问与回应的示范。",
        ("preschool",),
        ("学前教育", "科学"),
        D(2024, 3, 18),
        grade="大班",
        duration=25,
        authors=("bj_beihai_kg_teacher",),
        visibility=V.GROUP,
        group="xiongan",
        users=6,
    ),
    Spec(
        "bj_beihai_kg",
        K.COURSE,
        "幼儿园小班入园适应课程（2023版）",
        "小班新生入园第一个月的适应活动安排和家园沟通建议。",
        ("preschool",),
        ("学前教育",),
        D(2023, 9, 4),
        grade="小班",
        duration=20,
        authors=("bj_beihai_kg_teacher",),
        users=6,
        withdrawn="已由2024版入园适应课程替代：旧版一日活动安排与新修订的保育规范不一致。",
    ),
    # ---- 北京学校 (the sub-centre's flagship; paired with 三河市赵河沟小学) -------------------
    Spec(
        "bj_school",
        K.COURSE,
        "同步课堂：小学数学三年级上册《多位数乘一位数》",
        "北京学校与结对学校的同步课堂录像和课件，两地学生同上一节课，附课后练习。",
        ("primary",),
        ("数学",),
        D(2023, 9, 11),
        grade="三年级",
        edition=E.RENJIAO,
        duration=40,
        authors=("bj_school_mentor",),
        visibility=V.PARTNERS,
        users=4,
        pinned=("zhg_teacher",),
    ),
    Spec(
        "bj_school",
        K.COURSE,
        "同步课堂：小学语文三年级上册《富饶的西沙群岛》",
        "同步课堂录像和教学设计：借助图片和视频理解课文的总分结构。",
        ("primary",),
        ("语文",),
        D(2023, 10, 9),
        grade="三年级",
        edition=E.TONGBIAN,
        duration=40,
        visibility=V.PARTNERS,
        users=4,
        pinned=("zhg_principal",),
    ),
    Spec(
        "bj_school",
        K.COURSEWARE,
        "小学科学三年级《水的三态变化》实验课件",
        "实验演示视频、学生记录单和安全提示，适合实验条件有限的学校。",
        ("primary",),
        ("科学",),
        D(2024, 3, 4),
        grade="三年级",
        edition=E.OTHER,
        visibility=V.GROUP,
        group="beisanxian",
        users=10,
        pinned=("zhg_teacher",),
    ),
    # ---- 北京市潞河中学 (parent of 潞河中学三河校区) --------------------------------------
    Spec(
        "luhe",
        K.COURSE,
        "名师示范课：高中英语读写结合 Unit 3 Festivals",
        "潞河中学英语名师执教的读写结合课：从阅读语篇提炼写作框架，附课件和写作评价表。",
        ("senior",),
        ("英语",),
        D(2023, 11, 20),
        grade="高一",
        edition=E.RENJIAO,
        duration=45,
        authors=("luhe_mentor",),
        visibility=V.GROUP,
        group="beisanxian",
        users=10,
    ),
    Spec(
        "luhe",
        K.LESSON_VIDEO,
        "高中英语听说课：Making a phone call",
        "听说课实录：情境对话、语用功能和同伴互评。",
        ("senior",),
        ("英语",),
        D(2024, 4, 15),
        grade="高一",
        edition=E.RENJIAO,
        duration=40,
        authors=("luhe_mentor",),
        visibility=V.PARTNERS,
        users=4,
    ),
    # ---- 天津市第一中学 (cooperative schooling with 雄县第一高级中学) ----------------------
    Spec(
        "tj1",
        K.COURSE,
        "名师示范课：高中物理《牛顿第二定律》",
        "天津一中物理名师执教，用传感器实验探究加速度与力、质量的关系，附实验数据表。",
        ("senior",),
        ("物理",),
        D(2023, 10, 16),
        grade="高一",
        edition=E.RENJIAO,
        duration=45,
        licence=L.CC_BY_NC_SA,
        authors=("tj1_mentor",),
        users=12,
    ),
    Spec(
        "tj1",
        K.LESSON_VIDEO,
        "高中物理实验探究：验证机械能守恒定律",
        "学生分组实验课实录，示范误差分析和实验报告的写法。",
        ("senior",),
        ("物理",),
        D(2024, 5, 20),
        grade="高一",
        edition=E.RENJIAO,
        duration=45,
        authors=("tj1_mentor",),
        visibility=V.PARTNERS,
        users=4,
    ),
    Spec(
        "tj1",
        K.STUDIO,
        "曹立群物理名师工作室",
        "天津一中物理名师工作室：实验教学与高考复习研讨，面向雄安新区高中物理教师。",
        ("senior",),
        ("物理",),
        D(2024, 6, 3),
        authors=("tj1_mentor",),
        visibility=V.GROUP,
        group="xiongan",
        users=5,
        returned="工作室简介请写明研修安排（频次、形式）和面向的教师范围。",
    ),
    # ---- 天津市实验小学 (cooperative schooling with 安新县雁翎小学) ------------------------
    Spec(
        "tj_sx",
        K.COURSE,
        "名师示范课：小学数学四年级上册《角的度量》",
        "天津市实验小学数学名师执教，用量角器的设计原理理解度量，附课件和练习。",
        ("primary",),
        ("数学",),
        D(2023, 11, 6),
        grade="四年级",
        edition=E.RENJIAO,
        duration=40,
        authors=("tj_sx_mentor",),
        users=14,
        pinned=("zhg_teacher",),
    ),
    Spec(
        "tj_sx",
        K.COURSEWARE,
        "小学数学思维训练课件：鸡兔同笼",
        "列表法、假设法和方程法三种思路的课件与学习单。",
        ("primary",),
        ("数学",),
        D(2024, 10, 14),
        grade="四年级",
        edition=E.RENJIAO,
        authors=("tj_sx_mentor",),
        visibility=V.PARTNERS,
        users=4,
    ),
    # ---- 天津市实验幼儿园 (cooperative schooling with 容城县幼儿园) ------------------------
    Spec(
        "tj_sy_kg",
        K.COURSE,
        "幼儿园绘本阅读活动：《猜猜我有多爱你》",
        "中班绘本阅读活动设计和活动视频，含亲子共读建议。",
        ("preschool",),
        ("学前教育",),
        D(2024, 9, 23),
        grade="中班",
        duration=25,
        visibility=V.NAMED,
        audience=("rc_kg", "xa_beihai_kg", "bj61_xa"),
        users=4,
    ),
    # ---- 京津冀教育协同发展共同体: Beijing's courses for 滨海新区 (article) ---------------
    Spec(
        "bj4",
        K.COURSE,
        "共同体共享课程：高中数学数列专题复习",
        COMMUNITY + "北京四中数学名师主讲数列的通项与求和专题复习，附专题练习。",
        ("senior",),
        ("数学",),
        D(2024, 2, 26),
        grade="高三",
        edition=E.RENJIAO,
        duration=45,
        authors=("bj4_mentor",),
        visibility=V.GROUP,
        group="binhai",
        users=8,
    ),
    Spec(
        "dc_shijia",
        K.COURSE,
        "共同体共享课程：小学语文五年级《将相和》",
        COMMUNITY + "史家胡同小学语文名师执教，梳理三个故事的因果关系。",
        ("primary",),
        ("语文",),
        D(2024, 3, 4),
        grade="五年级",
        edition=E.TONGBIAN,
        duration=40,
        authors=("dc_shijia_mentor",),
        visibility=V.GROUP,
        group="binhai",
        users=8,
    ),
    Spec(
        "zgc3",
        K.COURSE,
        "共同体共享课程：小学数学六年级《圆的面积》",
        COMMUNITY + "中关村三小数学名师执教，用剪拼转化推导圆的面积公式。",
        ("primary",),
        ("数学",),
        D(2024, 9, 9),
        grade="六年级",
        edition=E.BEISHIDA,
        duration=40,
        authors=("zgc3_mentor",),
        visibility=V.GROUP,
        group="binhai",
        users=8,
    ),
    Spec(
        "bj80",
        K.COURSE,
        "共同体共享课程：初中语文名著导读《骆驼祥子》",
        COMMUNITY + "八十中语文名师的名著导读课：人物命运与时代背景。",
        ("junior",),
        ("语文",),
        D(2024, 10, 14),
        grade="七年级",
        edition=E.TONGBIAN,
        duration=45,
        authors=("bj80_mentor",),
        visibility=V.GROUP,
        group="binhai",
        users=8,
    ),
    # ---- practice bases (article: 共享…实践基地等资源) ------------------------------------
    Spec(
        "bjtu",
        K.PRACTICE_BASE,
        "北京交通大学轨道交通科普实践基地",
        "面向中小学生的轨道交通科普与研学实践：列车运行控制沙盘、信号系统和驾驶模拟。",
        ("primary", "junior", "senior"),
        ("综合实践活动",),
        D(2023, 10, 23),
        address="北京市海淀区上园村3号 北京交通大学",
        capacity=120,
        users=10,
    ),
    Spec(
        "luhe",
        K.PRACTICE_BASE,
        "潞河中学劳动教育实践基地",
        "校园农场与木工、电工实践教室，面向通州和北三县学校的劳动教育实践课程。",
        ("junior", "senior"),
        ("劳动",),
        D(2024, 3, 11),
        address="北京市通州区新华南路 潞河中学",
        capacity=80,
        visibility=V.GROUP,
        group="beisanxian",
        users=6,
    ),
    Spec(
        "bj_school",
        K.PRACTICE_BASE,
        "北京学校农业科普与劳动实践基地",
        "种植园与农业科普馆，适合小学中高年级开展劳动与科学综合实践活动。",
        ("primary",),
        ("劳动", "综合实践活动"),
        D(2024, 4, 8),
        address="北京市通州区潞城镇大营村东侧 北京学校",
        capacity=100,
        visibility=V.GROUP,
        group="beisanxian",
        users=6,
        pinned=("zhg_teacher",),
    ),
    # ---- 北京交通大学唐山研究院's labs (article, facts) ----------------------------------
    Spec(
        "bjtu_ts",
        K.LAB,
        "交通运输实验室（北京交通大学唐山研究院）",
        "智能交通与轨道运维方向的实验室，向京津冀高校师生和高中生研究性学习开放。",
        ("senior", "undergrad", "postgrad"),
        ("交通运输",),
        D(2023, 10, 30),
        authors=("bjtu_ts_researcher",),
        address="河北省唐山市路北区 北京交通大学唐山研究院",
        capacity=40,
        users=6,
    ),
    Spec(
        "bjtu_ts",
        K.LAB,
        "新材料实验室（北京交通大学唐山研究院）",
        "先进结构材料与功能材料方向的实验室，开放材料制备与表征的教学实验。",
        ("senior", "undergrad", "postgrad"),
        ("新材料",),
        D(2023, 10, 30),
        address="河北省唐山市路北区 北京交通大学唐山研究院",
        capacity=30,
        users=4,
    ),
    Spec(
        "bjtu_ts",
        K.LAB,
        "新能源实验室（北京交通大学唐山研究院）",
        "光伏、储能与新能源汽车方向的实验室，开放新能源科普和研究性学习项目。",
        ("senior", "undergrad", "postgrad"),
        ("新能源",),
        D(2023, 10, 30),
        address="河北省唐山市路北区 北京交通大学唐山研究院",
        capacity=30,
        users=5,
    ),
]


@dataclass(frozen=True)
class NamedReviewer:
    staff: str  # key in named.STAFF
    username: str  # the demo sign-in, or the account made for the staff record
    authority: str  # the username of the appointing authority's demo sign-in
    region: str
    subjects: tuple[str, ...]
    since: dt.date


REVIEWERS: list[NamedReviewer] = [
    # the demo sign-in ``reviewer``: Beijing's mathematics reviewer (her queue is not empty)
    NamedReviewer("bie_maths", "reviewer", "beijing", "110000", ("数学", "科学"), D(2023, 9, 4)),
    NamedReviewer(
        "bie_chinese",
        "bie_chinese",
        "beijing",
        "110000",
        ("语文", "英语", "学前教育", "综合实践活动", "劳动"),
        D(2023, 9, 4),
    ),
    NamedReviewer("tj_sx_mentor", "tj_sx_mentor", "tianjin", "120000", ("物理",), D(2023, 9, 5)),
    NamedReviewer(
        "tj1_mentor", "tj1_mentor", "tianjin", "120000", ("数学", "学前教育"), D(2023, 9, 5)
    ),
    # 北京交通大学唐山研究院 lies in Hebei: its labs are reviewed by Hebei's appointee
    NamedReviewer(
        "bjtu_mentor",
        "bjtu_mentor",
        "hebei",
        "130000",
        ("交通运输", "新材料", "新能源"),
        D(2023, 9, 6),
    ),
]

FEEDBACK = (
    "课件可以直接用于课堂，学生对情境导入很感兴趣。",
    "按本校学情删减了拓展环节，基础题部分效果很好。",
    "视频节奏适中，课前先让学生看了前十分钟预习。",
    "分层练习很实用，学困生也能完成基础层。",
    "借鉴了名师的提问设计，课堂讨论明显更充分。",
    "农村学校实验器材不足，演示视频帮了大忙。",
    "和北京的老师同上一节课，学生上课积极性很高。",
    "希望能补充更多当堂检测题。",
    "教学设计说明写得清楚，集体备课时全组一起研读。",
    "部分内容偏难，调整为两课时完成。",
)
RATING_COMMENTS = (
    "设计精巧，可直接借鉴。",
    "很实用，已在教研组推广。",
    "资源完整，课件和练习配套。",
    "内容扎实，个别环节需按学情调整。",
    "",
    "",
)
CN = "一二三四五六七八九"
GRADES = {
    "preschool": ("小班", "中班", "大班"),
    "primary": ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级"),
    "junior": ("七年级", "八年级", "九年级"),
    "senior": ("高一", "高二", "高三"),
    "undergrad": ("2023级", "2024级"),
    "postgrad": ("研一",),
}


@dataclass
class ResourcesResult:
    created: int = 0
    unchanged: int = 0
    published: int = 0
    pending: int = 0
    returned: int = 0
    withdrawn: int = 0
    reviewers: int = 0
    reviews: int = 0
    accounts: int = 0
    uses: int = 0
    lesson_uses: int = 0
    ratings: int = 0
    seconds: float = 0.0
    top_users: list[tuple[str, int]] = field(default_factory=list)

    def summary(self) -> str:
        if not self.created and not self.uses:
            return f"Shared resources: {self.unchanged} already loaded, nothing to do."
        top = ", ".join(f"{name} {n}" for name, n in self.top_users[:3])
        return (
            f"Shared resources: {self.created} created ({self.published} published, "
            f"{self.pending} awaiting review, {self.returned} returned once, "
            f"{self.withdrawn} withdrawn), {self.unchanged} unchanged; {self.reviewers} "
            f"reviewers appointed, {self.reviews} reviews; {self.uses} uses "
            f"({self.lesson_uses} in lessons) by {self.accounts} new accounts and the named; "
            f"{self.ratings} ratings; most uses: {top} in {self.seconds:.1f} s"
        )


# --- dates ----------------------------------------------------------------------------------


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


@functools.lru_cache(maxsize=4096)
def teaching(day: dt.date) -> bool:
    """A weekday within a term's teaching days (not the holidays after it)."""
    term = SchoolTerm.containing(day)
    return day.weekday() < 5 and term.starts_on <= day <= term.ends_on


def school_day(day: dt.date) -> dt.date:
    """``day`` if it is a teaching day, else the next one."""
    while not teaching(day):
        term = SchoolTerm.containing(day)
        day = term.next().starts_on if day > term.ends_on else day + dt.timedelta(days=1)
    return day


def later(day: dt.date, school_days: int) -> dt.date:
    """The teaching day ``school_days`` after ``day``."""
    day = school_day(day)
    for _ in range(school_days):
        day = school_day(day + dt.timedelta(days=1))
    return day


# --- actors and accounts ----------------------------------------------------------------------


def _signin(username: str) -> Actor:
    return actor_for(User.objects.get(username=username))


def _accounts(staff_ids: list[int], result: ResourcesResult) -> dict[int, int]:
    """The account of each staff record (staff id → user id), made where missing: an
    unusable password (it signs in nowhere), a staff role, the staff record linked, each
    one audited."""
    rows = list(Staff.objects.filter(pk__in=staff_ids).select_related("institution").order_by("pk"))
    have = {s.pk: s.user_id for s in rows if s.user_id}
    missing = [s for s in rows if not s.user_id]
    if missing:
        by_pk = _named_keys()  # named staff get their key as username
        now = timezone.now()
        users = [
            User(
                username=by_pk.get(s.pk) or f"teacher{s.pk}",  # see POPULATION
                display_name=f"{s.institution.name} {s.name}"[:50],
                password=make_password(None),
                password_changed_at=now,
            )
            for s in missing
        ]
        User.objects.bulk_create(users)
        made = {
            u.username: u for u in User.objects.filter(username__in=[u.username for u in users])
        }
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=made[u.username], role=Role.STAFF) for u in users
        )
        actor = named.demo_actor()
        for s, u in zip(missing, users, strict=True):
            s.user = made[u.username]
            have[s.pk] = s.user.pk
            audit.record(
                actor,
                "user.create",
                target=s.user,
                after={"username": u.username, "role": Role.STAFF, "staff": s.pk},
            )
        Staff.objects.bulk_update(missing, ["user"])
        result.accounts += len(missing)
    return have


@functools.lru_cache(maxsize=1)
def _named_keys() -> dict[int, str]:
    """Staff id → key of the named staff (those loaded)."""
    out: dict[int, str] = {}
    for row in named.STAFF:
        pk = Staff.objects.filter(named.find_q(row)).values_list("pk", flat=True).first()
        if pk is not None:
            out[pk] = row.key
    return out


def _stamp_notices(first_id: int, when: dt.datetime) -> int:
    """Date the notifications sent since ``first_id`` at ``when`` (read if old); the next
    first id."""
    now = timezone.now()
    read = when + dt.timedelta(days=1) if when < now - dt.timedelta(days=READ_AFTER_DAYS) else None
    Notification.objects.filter(pk__gte=first_id).update(created_at=when, read_at=read)
    return (Notification.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _next_notice() -> int:
    return (Notification.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


# --- reviewers ----------------------------------------------------------------------------------


def _appoint(result: ResourcesResult) -> None:
    for row in REVIEWERS:
        staff = named.staff(row.staff)
        if staff.user_id is None:
            _accounts([staff.pk], result)
            staff.refresh_from_db()
        assert staff.user is not None
        authority = _signin(row.authority)
        for subject in row.subjects:
            code = parse_codes(SUBJECTS, subject)[0]
            if Reviewer.objects.filter(
                account=staff.user, subject=code, region__code=row.region, ended_at__isnull=True
            ).exists():
                continue
            first = _next_notice()
            reviewer = services.appoint_reviewer(
                authority, staff.user.username, subject, row.region
            )
            Reviewer.objects.filter(pk=reviewer.pk).update(appointed_at=at(row.since, 9))
            _stamp_notices(first, at(row.since, 9))
            result.reviewers += 1


def _reviewer_for(resource: Resource, authors: set[int]) -> Actor:
    """A reviewer of one of the resource's subjects over its provider, not an author."""
    paths = {resource.provider_path[: i + 1] for i, ch in enumerate(resource.provider_path)}
    rows = Reviewer.objects.filter(
        subject__in=unpack(resource.subjects), region_path__in=paths, ended_at__isnull=True
    ).order_by("pk")
    for row in rows.select_related("account"):
        staff_id = Staff.objects.filter(user=row.account).values_list("pk", flat=True).first()
        if staff_id not in authors:
            return actor_for(row.account)
    raise LookupError(f"no reviewer for {resource.title}")


# --- the catalogue ------------------------------------------------------------------------------


def _data(spec: Spec, provider: Institution, today: dt.date) -> services.ResourceIn:
    terms: list[str] = []
    if spec.kind in PLACES:
        term = SchoolTerm.containing(spec.submitted)
        last = SchoolTerm.containing(today).next()
        while term <= last:
            terms.append(term.code)
            term = term.next()
    return services.ResourceIn(
        kind=spec.kind,
        title=spec.title,
        description=spec.description,
        stages=list(spec.stages),
        grade=spec.grade,
        subjects=list(spec.subjects),
        edition=spec.edition,
        licence=spec.licence,
        link="" if spec.kind in PLACES or spec.kind == K.STUDIO else _link(spec),
        duration_minutes=spec.duration,
        address=spec.address,
        capacity=spec.capacity,
        open_terms=terms,
        visibility=spec.visibility,
        visible_group=spec.group,
        audience=[named.institution(k).pk for k in spec.audience],
        authors=[named.staff(k).pk for k in spec.authors],
        provider_id=provider.pk,
    )


def _link(spec: Spec) -> str:
    return f"https://resources.example.edu.cn/{spec.slug}"


def _review(actor: Actor, pk: int, verdict: str, comment: str, seed: int) -> None:
    rng = random.Random(seed)
    services.review_resource(
        actor,
        pk,
        services.ReviewIn(
            verdict=verdict,
            accuracy=rng.choice((4, 5, 5)),
            pedagogy=rng.choice((4, 5)) if verdict == Verdict.PUBLISH else rng.choice((3, 4)),
            presentation=rng.choice((3, 4, 5)),
            comment=comment
            or rng.choice(("内容准确，教学设计清晰，同意发布。", "资源完整，适合推广使用。", "")),
        ),
    )


def _pending_day(spec: Spec, today: dt.date) -> dt.date:
    """A resource waiting for review was submitted in the last fortnight (a weekday)."""
    day = today - dt.timedelta(days=4 + hash_text(spec.title) % 8)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _one(spec: Spec, today: dt.date, result: ResourcesResult) -> None:
    provider = named.institution(spec.provider)
    if Resource.objects.filter(provider=provider, title=spec.title).exists():
        result.unchanged += 1
        return
    keeper = party_admin(spec.provider)
    first = _next_notice()
    submitted_on = _pending_day(spec, today) if spec.pending else spec.submitted
    created_on = submitted_on - dt.timedelta(days=6)
    resource = services.create_resource(keeper, _data(spec, provider, today))
    authors = {named.staff(k).pk for k in spec.authors}
    pk = resource.pk
    services.submit_resource(keeper, pk)
    submitted = at(submitted_on, 10)
    stamps: dict[str, dt.datetime] = {"submitted_at": submitted}
    first = _stamp_notices(first, submitted)
    reviewer = _reviewer_for(resource, authors)
    review_day = later(submitted_on, 3)
    seed = hash_text(spec.title)
    if spec.returned:
        _review(reviewer, pk, Verdict.RETURN, spec.returned, seed)
        returned = at(review_day, 15)
        Review.objects.filter(resource_id=pk).update(created_at=returned)
        stamps["returned_at"] = returned
        first = _stamp_notices(first, returned)
        # The keeper changes what the reviewer asked for and submits again.
        again = _data(spec, provider, today)
        again.description = spec.description + "（已按评审意见修改。）"
        services.edit_resource(keeper, pk, again)
        resubmit_day = later(review_day, 4)
        services.submit_resource(keeper, pk)
        stamps["submitted_at"] = at(resubmit_day, 10)
        first = _stamp_notices(first, stamps["submitted_at"])
        review_day = later(resubmit_day, 3)
        result.returned += 1
    if spec.pending:
        result.pending += 1
    else:
        _review(reviewer, pk, Verdict.PUBLISH, "", seed + 1)
        published = at(review_day, 16)
        Review.objects.filter(resource_id=pk, verdict=Verdict.PUBLISH).update(created_at=published)
        stamps["published_at"] = published
        first = _stamp_notices(first, published)
        result.published += 1
        result.reviews += 1
    result.reviews += 1 if spec.returned else 0
    if spec.withdrawn:
        services.withdraw_resource(keeper, pk, spec.withdrawn)
        withdrawn_on = later(dt.date(2024, 8, 26), 0)
        stamps["withdrawn_at"] = at(withdrawn_on, 11)
        _stamp_notices(first, stamps["withdrawn_at"])
        result.withdrawn += 1
    last = max(stamps.values())
    Resource.objects.filter(pk=pk).update(created_at=at(created_on, 9), updated_at=last, **stamps)
    result.created += 1


# --- who can see what -----------------------------------------------------------------------------


@dataclass
class Pool:
    """The people who might use a resource, with the weights of the story."""

    staff: Sequence[tuple[int, int, str, str, int | None]]  # id, institution, stages, subjects…
    inst_path: dict[int, str]
    partners: dict[int, set[int]]  # institution → institutions in a partnership with it
    paired: set[int]  # Hebei institutions in a partnership with a Beijing/Tianjin one
    group_paths: dict[int, tuple[str, ...]]  # region group id → its members' paths
    heavy: int  # 三河市赵河沟小学's id


def _pool() -> Pool:
    inst_path = dict(Institution.objects.values_list("pk", "region_path"))
    rows = Member.objects.filter(partnership__status=PartnershipStatus.ACTIVE).values_list(
        "partnership_id", "institution_id"
    )
    members: dict[int, set[int]] = {}
    for p, i in rows:
        members.setdefault(p, set()).add(i)
    partners: dict[int, set[int]] = {}
    paired: set[int] = set()
    for ids in members.values():
        bjtj = any(inst_path[i][:2] in ("11", "12") for i in ids)
        for i in ids:
            partners.setdefault(i, set()).update(ids - {i})
            if bjtj and inst_path[i].startswith("13"):
                paired.add(i)
    staff = list(
        Staff.objects.filter(position__in=TEACHING_POSITIONS)
        .order_by("pk")
        .values_list("pk", "institution_id", "stages", "subjects", "user_id")
    )
    groups = {
        g.pk: tuple(m.path for m in g.members.all())
        for g in RegionGroup.objects.prefetch_related("members")
    }
    return Pool(staff, inst_path, partners, paired, groups, named.institution(HEAVY).pk)


def _sees(pool: Pool, r: Resource, audience: set[int]) -> Iterator[int]:
    """The institutions that see the published resource ``r`` (access.py's audience)."""
    if r.visibility == V.REGION:
        yield from pool.inst_path
    elif r.visibility == V.PARTNERS:
        yield from pool.partners.get(r.provider_id, set())
    elif r.visibility == V.NAMED:
        yield from audience
    elif r.visible_group_id is not None:
        paths = pool.group_paths.get(r.visible_group_id, ())
        yield from (i for i, p in pool.inst_path.items() if p.startswith(paths))


def _weight(pool: Pool, inst: int, subjects: str, partners: set[int], own: list[str]) -> float:
    """How likely a teacher is to use a resource: 赵河沟小学's far more, then the provider's
    partners', then paired Hebei schools', then other Hebei schools'; of its subject more."""
    w = 1.0
    path = pool.inst_path[inst]
    if inst == pool.heavy:
        w = 60.0
    elif inst in partners:
        w = 10.0
    elif inst in pool.paired:
        w = 6.0
    elif path.startswith("13"):
        w = 1.5
    elif not path.startswith("120116/"):
        w = 0.3  # Beijing and Tianjin schools use each other's less
    if any(s in subjects for s in own):
        w *= 4
    return w


def _users(pool: Pool, r: Resource, spec: Spec, rng: random.Random) -> list[tuple[int, int]]:
    """(staff id, institution id) of the resource's users: the pinned named people, then a
    weighted draw among the teachers of its stages at institutions that see it."""
    audience = set(r.audience_rows.values_list("institution_id", flat=True))
    seen = set(_sees(pool, r, audience)) - {r.provider_id}
    if r.provider.parent_id is not None:
        seen.discard(r.provider.parent_id)
    stages = [f",{s}," for s in unpack(r.stages)]
    pinned = [named.staff(k) for k in spec.pinned]
    chosen = [(s.pk, s.institution_id) for s in pinned if s.institution_id in seen]
    keys: list[tuple[float, int, int]] = []
    partners = pool.partners.get(r.provider_id, set())
    own = [f",{s}," for s in unpack(r.subjects)]
    for pk, inst, st, subjects, _user in pool.staff:
        if inst not in seen or not any(s in st for s in stages):
            continue
        w = _weight(pool, inst, subjects, partners, own)
        keys.append((rng.random() ** (1.0 / w), pk, inst))
    keys.sort(reverse=True)
    taken = {pk for pk, _ in chosen}
    for _k, pk, inst in keys:
        if len(chosen) >= spec.users + len(pinned):
            break
        if pk not in taken:
            chosen.append((pk, inst))
            taken.add(pk)
    return chosen


# --- uses ---------------------------------------------------------------------------------


def _class(r: Resource, rng: random.Random) -> str:
    stage = next(iter(unpack(r.stages)), "primary")
    grade = r.grade if r.grade and r.kind not in PLACES else rng.choice(GRADES[stage])
    if stage in ("undergrad", "postgrad"):
        return f"{grade}研究性学习小组"
    if stage == "preschool":
        return f"{grade[0]}（{rng.randint(1, 4)}）班"
    return f"{grade}（{rng.randint(1, 8)}）班"


def _timeline(
    r: Resource, start: dt.date, today: dt.date, heavy: bool, rng: random.Random
) -> list[tuple[str, dt.date, str, str]]:
    """One teacher's uses of one resource: (kind, day, class, feedback), in date order."""
    out: list[tuple[str, dt.date, str, str]] = [(UseKind.VIEW, start, "", "")]
    day = start
    lessons = rng.randint(3, 9) if heavy else rng.randint(0, 3)
    if r.kind == K.STUDIO:
        lessons = 0
    if r.kind in PLACES:
        lessons = min(lessons, 2) or 1
    if r.kind not in PLACES and r.kind != K.STUDIO and rng.random() < 0.7:
        day = later(day, rng.randint(0, 2))
        out.append((UseKind.DOWNLOAD, day, "", ""))
    cls = _class(r, rng)
    for _ in range(lessons):
        day = later(day, rng.randint(3, 40) if r.kind not in PLACES else rng.randint(40, 120))
        text = rng.choice(FEEDBACK) if rng.random() < 0.25 else ""
        out.append((UseKind.LESSON, day, cls, text))
    if rng.random() < (0.5 if r.kind == K.STUDIO else 0.2):
        day = later(day, rng.randint(1, 10))
        text = "参加了工作室的线上研修，收获很大。" if r.kind == K.STUDIO else rng.choice(FEEDBACK)
        out.append((UseKind.FEEDBACK, day, "", text))
    return [u for u in out if u[1] <= today]


def _open_days(r: Resource) -> set[int]:
    return {int(k) for k in unpack(r.open_terms)} if r.kind in PLACES else set()


def _make_uses(today: dt.date, result: ResourcesResult) -> list[tuple[int, int, dt.date]]:
    """Write the uses of published demo resources that have none; returns (resource,
    account, first day a rating is allowed) of the pairs that may rate."""
    specs = {(named.institution(s.provider).pk, s.title): s for s in RESOURCES}
    resources = [
        r
        for r in Resource.objects.filter(
            status__in=[ResourceStatus.PUBLISHED, ResourceStatus.WITHDRAWN]
        )
        .select_related("provider")
        .order_by("pk")
        if (r.provider_id, r.title) in specs and not r.use_rows.exists()
    ]
    if not resources:
        return []
    pool = _pool()
    heavy = pool.heavy
    planned: list[tuple[Resource, int, int, list[tuple[str, dt.date, str, str]]]] = []
    for r in resources:
        spec = specs[(r.provider_id, r.title)]
        rng = random.Random(f"{SEED}:{r.title}")
        assert r.published_at is not None
        opened = school_day(max(timezone.localtime(r.published_at, TZ).date(), FIRST_USE))
        until = today
        if r.withdrawn_at is not None:
            until = min(today, timezone.localtime(r.withdrawn_at, TZ).date() - dt.timedelta(1))
        for staff_id, inst in _users(pool, r, spec, rng):
            start = later(opened + dt.timedelta(days=1), rng.randint(0, 60))
            uses = _timeline(r, start, until, inst == heavy, rng)
            if r.kind in PLACES:
                keys = _open_days(r)
                uses = [u for u in uses if SchoolTerm.containing(u[1]).key in keys]
            if uses:
                planned.append((r, staff_id, inst, uses))
    accounts = _accounts(sorted({p[1] for p in planned}), result)
    rows = []
    may_rate: list[tuple[int, int, dt.date]] = []
    for r, staff_id, inst, uses in planned:
        account = accounts[staff_id]
        for n, (kind, day, cls, text) in enumerate(uses):
            minute = (staff_id * 7 + n * 13) % 50
            created = at(day, 16, minute)
            rows.append(
                (
                    created,
                    r.pk,
                    kind,
                    account,
                    staff_id,
                    inst,
                    pool.inst_path[inst],
                    r.provider_id,
                    day,
                    SchoolTerm.containing(day).key,
                    cls,
                    text,
                )
            )
        rating_days = [d for k, d, _c, _t in uses if k != UseKind.VIEW]
        if rating_days and r.status == ResourceStatus.PUBLISHED:
            may_rate.append((r.pk, account, rating_days[0]))
    rows.sort(key=lambda row: (row[8], row[0], row[1], row[4]))
    columns = (
        "created_at",
        "resource_id",
        "kind",
        "account_id",
        "staff_id",
        "institution_id",
        "region_path",
        "provider_id",
        "used_on",
        "term",
        "class_name",
        "feedback",
    )
    bulk.insert(
        Use,
        columns,
        rows,
        on_batch=audit.batch_recorder(named.demo_actor(), load="demo.resources"),
    )
    result.uses += len(rows)
    result.lesson_uses += sum(1 for row in rows if row[2] == UseKind.LESSON)
    _count_uses([r.pk for r in resources])
    return may_rate


def _count_uses(ids: list[int]) -> None:
    """The resources' use counters, as the service keeps them (see the module doc)."""

    def counted(**only: str) -> Coalesce:
        q = Use.objects.filter(resource=OuterRef("pk"), **only).values("resource")
        return Coalesce(Subquery(q.annotate(n=Count("pk")).values("n")), Value(0))

    Resource.objects.filter(pk__in=ids).update(
        uses=counted(), lesson_uses=counted(kind=UseKind.LESSON)
    )


def _rate(
    may_rate: list[tuple[int, int, dt.date]], today: dt.date, result: ResourcesResult
) -> None:
    """About half of those who used a resource rate it, the day after their first use that
    lets them. The named people (the sign-ins among them) rate through the service, as
    themselves; the population's teachers' ratings — some hundred — are written in one
    audited batch and the counters set in SQL (a rating through the service costs a tenth
    of a second of access checks: ten seconds of ``xietong demo``)."""
    rng = random.Random(SEED)
    users = {u.pk: u for u in User.objects.filter(pk__in={a for _r, a, _d in may_rate})}
    rows = []
    for pk, account, day in may_rate:
        if rng.random() >= 0.5:
            continue
        stars = rng.choice((5, 5, 5, 4, 4, 4, 3))
        comment = rng.choice(RATING_COMMENTS)
        when = at(min(later(day + dt.timedelta(days=1), 0), today), 20)
        user = users[account]
        if POPULATION.fullmatch(user.username):
            rows.append((pk, account, stars, comment, when, when))
        else:
            rating = services.rate_resource(actor_for(user), pk, stars, comment)
            Rating.objects.filter(pk=rating.pk).update(created_at=when, updated_at=when)
        result.ratings += 1
    rows.sort(key=lambda row: (row[4], row[0]))
    bulk.insert(
        Rating,
        ("resource_id", "account_id", "stars", "comment", "created_at", "updated_at"),
        rows,
        on_batch=audit.batch_recorder(named.demo_actor(), load="demo.resources"),
    )
    ids = sorted({pk for pk, _a, _d in may_rate})
    count = Rating.objects.filter(resource=OuterRef("pk")).values("resource")
    Resource.objects.filter(pk__in=ids).update(
        rating_count=Coalesce(Subquery(count.annotate(n=Count("pk")).values("n")), Value(0)),
        rating_sum=Coalesce(Subquery(count.annotate(n=Sum("stars")).values("n")), Value(0)),
    )


def demo_resources() -> QuerySet[Resource]:
    """The resources of :data:`RESOURCES` (by provider and title)."""
    q = Q(pk__in=[])
    for spec in RESOURCES:
        q |= Q(provider__name=named.BY_KEY[spec.provider].name, title=spec.title)
    return Resource.objects.filter(q)


def using_institutions(limit: int = 3) -> list[tuple[str, int]]:
    """The institutions with the most uses of the demo's resources, most first."""
    rows = (
        Use.objects.filter(resource__in=demo_resources())
        .values("institution__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "institution__name")
        .values_list("institution__name", "n")
    )
    return list(rows[:limit])


@transaction.atomic
def load(today: dt.date | None = None) -> ResourcesResult:
    """Create what is missing of the story (the named registry, the demo sign-ins and the
    partnerships must be loaded); see the module docstring."""
    started = time.monotonic()
    today = today or timezone.localdate()
    teaching.cache_clear()  # the calendar is a setting (tests override it)
    _named_keys.cache_clear()  # the ids of another database's named staff
    result = ResourcesResult()
    _appoint(result)
    for spec in RESOURCES:
        _one(spec, today, result)
    may_rate = _make_uses(today, result)
    _rate(may_rate, today, result)
    result.top_users = using_institutions()
    bulk.analyze([Resource, Use, Rating])
    result.seconds = time.monotonic() - started
    return result


def unload_uses(institution_ids: list[list[int]]) -> int:
    """Delete the demo resources' uses and ratings when the population they name is
    replaced (``xietong demo --replace``): uses refer to the users' institutions, which
    the registry refuses to delete while referred to. The counters go back to zero and
    :func:`load` writes the uses again for the new population. ``institution_ids``: the
    population's id ranges (``DemoLoad.institution_ids``). Returns the uses deleted."""
    in_ranges = Q(pk__in=[])
    for first, last in institution_ids:
        in_ranges |= Q(institution_id__gte=first, institution_id__lte=last)
    uses = Use.objects.filter(in_ranges)
    touched = list(uses.values_list("resource_id", flat=True).distinct())
    if not touched:
        return 0
    n = Use.objects.filter(resource_id__in=touched).count()
    Rating.objects.filter(resource_id__in=touched).delete()
    Use.objects.filter(resource_id__in=touched).delete()
    Resource.objects.filter(pk__in=touched).update(
        uses=0, lesson_uses=0, rating_count=0, rating_sum=0
    )
    # The accounts made for the population's teachers go with it.
    theirs = Staff.objects.filter(in_ranges, user__isnull=False).values("user_id")
    accounts = User.objects.filter(pk__in=theirs, username__startswith="teacher").exclude(
        username="teacher"
    )
    gone = accounts.count()
    accounts.delete()
    audit.record(
        named.demo_actor(),
        "demo.resource_uses_delete",
        object_type="resources.use",
        label="demo resource uses",
        detail={"uses": n, "resources": len(touched), "accounts": gone},
    )
    return n
