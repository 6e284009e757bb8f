"""A synthetic catalogue at scale: N plausible published resources from Beijing and Tianjin.

Titles combine a provider, a famous teacher, a stage and grade, a subject and one of its
topics, and a kind ("北京市第四中学曾红梅名师示范课：初三数学一元二次方程的解法");
descriptions say what the lesson does. Rows go in through ``core.bulk`` (COPY on
PostgreSQL), then the search index is rebuilt in bulk. Seeded: the same N and seed give
the same catalogue. ``xietong demo --resources N`` calls :func:`load`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import router, transaction
from django.db.models import Q
from django.utils import timezone

from xietong.core import bulk
from xietong.core.delimited import pack
from xietong.core.errors import InvalidInput
from xietong.institutions.models import Institution
from xietong.resources.choices import Edition, Licence, ResourceKind, ResourceStatus, Visibility
from xietong.resources.models import Resource

MAX_RESOURCES = 2_000_000

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高曾单解仇朴查翟区盖乐覃缪"
_GIVEN = "红梅 建国 丽华 志强 海燕 文博 晓东 静怡 春生 玉兰 国庆 雪松 明远 思源 立新 秀英"
GIVEN = _GIVEN.split()

# subject code, Chinese name, stages, topics
SUBJECTS: list[tuple[str, str, str, list[str]]] = [
    (
        "14",
        "数学",
        "primary junior senior",
        [
            "一元二次方程的解法",
            "勾股定理",
            "二次函数的图像",
            "三角函数",
            "分数的加减法",
            "平面几何证明",
            "概率统计初步",
            "立体几何",
            "数列求和",
            "圆的面积",
        ],
    ),
    (
        "13",
        "语文",
        "primary junior senior",
        [
            "古诗词鉴赏",
            "文言文阅读",
            "现代文阅读",
            "作文指导",
            "整本书阅读《红楼梦》",
            "唐诗宋词",
            "《论语》选读",
            "说明文写作",
            "朱自清《背影》",
            "鲁迅《故乡》",
        ],
    ),
    (
        "41",
        "英语",
        "primary junior senior",
        [
            "英语听说训练",
            "英语阅读策略",
            "语法：现在完成时",
            "英语写作",
            "自然拼读",
        ],
    ),
    (
        "16",
        "物理",
        "junior senior",
        [
            "牛顿运动定律",
            "电磁感应",
            "浮力与压强",
            "光的折射",
            "机械能守恒",
            "欧姆定律",
        ],
    ),
    (
        "17",
        "化学",
        "junior senior",
        [
            "化学实验基本操作",
            "酸碱中和反应",
            "元素周期表",
            "氧化还原反应",
            "有机化合物",
        ],
    ),
    ("18", "生物", "junior senior", ["光合作用", "细胞分裂", "遗传与进化", "生态系统"]),
    ("21", "历史", "junior senior", ["中国近代史", "丝绸之路", "辛亥革命", "京津冀的历史变迁"]),
    ("20", "地理", "junior senior", ["世界地理", "中国的河流", "气候与天气", "地图的阅读"]),
    (
        "26",
        "信息技术",
        "primary junior senior",
        [
            "编程入门",
            "人工智能初步",
            "Python程序设计",
            "数据与算法",
            "创客教育",
        ],
    ),
    ("24", "音乐", "primary junior", ["合唱与指挥", "民族乐器", "钢琴入门", "京剧欣赏"]),
    ("25", "美术", "primary junior", ["国画山水", "素描基础", "书法", "剪纸艺术"]),
    ("22", "体育与健康", "primary junior senior", ["足球", "篮球", "田径", "武术"]),
    ("12", "道德与法治", "primary junior senior", ["宪法与我们", "诚信做人", "法律在身边"]),
    ("X01", "心理健康", "primary junior senior", ["情绪管理", "考前心理辅导", "人际交往"]),
    ("62", "劳动", "primary junior", ["劳动教育实践", "校园农场", "家务劳动"]),
    ("60", "综合实践活动", "primary junior senior", ["研学旅行", "项目式学习", "科学探究"]),
]
GRADES = {
    "primary": ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级"],
    "junior": ["初一", "初二", "初三"],
    "senior": ["高一", "高二", "高三"],
}
KINDS: list[tuple[str, list[str]]] = [
    (ResourceKind.COURSE, ["名师示范课", "精品课", "公开课", "课程", "同步课程"]),
    (ResourceKind.LESSON_VIDEO, ["课例视频", "课堂实录", "微课"]),
    (ResourceKind.COURSEWARE, ["课件", "教学设计", "教案与课件"]),
    (ResourceKind.EXERCISES, ["习题集", "单元测试", "同步练习"]),
    (ResourceKind.STUDIO, ["名师工作室"]),
    (ResourceKind.PLATFORM, ["数字平台", "在线学习平台"]),
]
OPENINGS = [
    "本节课通过生活中的实例引入{topic}，",
    "{teacher}老师主讲{topic}，",
    "围绕{topic}设计的{stage}{subject}教学资源，",
    "京津冀协同发展背景下共享的{subject}资源，聚焦{topic}，",
]
MIDDLES = [
    "讲清概念与方法，配有分层练习，",
    "以问题链推进，学生分组探究，",
    "结合新课标的大单元教学设计，",
    "包含课堂实录、课件和课后作业，",
]
CLOSINGS = [
    "适合{grade}学生复习使用。",
    "适合结对帮扶学校的教师备课参考。",
    "可用于乡村学校的双师课堂。",
    "已在多所学校试用，反馈良好。",
]
STAGE_WORDS = {"primary": "小学", "junior": "初中", "senior": "高中"}
EDITIONS = [Edition.RENJIAO, Edition.BEISHIDA, Edition.TONGBIAN, Edition.BEIJING, ""]


@dataclass(frozen=True)
class Loaded:
    resources: int
    indexed: int
    seconds: float
    method: str


def providers(using: str | None = None) -> list[tuple[int, str, str]]:
    """The Beijing and Tianjin schools and universities that provide: (id, name, path)."""
    qs = Institution.objects.using(using or router.db_for_read(Institution)).filter(
        Q(region_path__startswith="110000/") | Q(region_path__startswith="120000/")
    )
    return list(qs.order_by("pk").values_list("pk", "name", "region_path")[:5000])


def _short(name: str) -> str:
    return name.replace("北京市", "北京").replace("天津市", "天津")[:12]


def rows(n: int, seed: int, sources: list[tuple[int, str, str]]) -> Iterator[list[Any]]:
    """``n`` resource rows in the column order of :data:`COLUMNS`."""
    rnd = random.Random(seed)
    now = timezone.now()
    choice, randint = rnd.choice, rnd.randint
    for i in range(n):
        pid, pname, ppath = sources[i % len(sources)] if i < len(sources) else choice(sources)
        code, subject, stages, topics = choice(SUBJECTS)
        stage = choice(stages.split())
        grade = choice(GRADES[stage])
        topic = choice(topics)
        kind, words = choice(KINDS)
        word = choice(words)
        teacher = choice(SURNAMES) + choice(GIVEN)
        shape = randint(0, 3)
        if kind == ResourceKind.STUDIO:
            title = f"{teacher}{STAGE_WORDS[stage]}{subject}{word}"
        elif shape == 0:
            title = f"{_short(pname)}{teacher}{word}：{grade}{subject}{topic}"
        elif shape == 1:
            title = f"{grade}{subject}{word}：{topic}"
        elif shape == 2:
            title = f"{topic}（{STAGE_WORDS[stage]}{subject}·{word}）"
        else:
            title = f"{teacher[0]}老师的{subject}{word}：{topic}"
        fill = {
            "topic": topic,
            "teacher": teacher,
            "stage": STAGE_WORDS[stage],
            "subject": subject,
            "grade": grade,
        }
        description = (
            choice(OPENINGS).format(**fill)
            + choice(MIDDLES).format(**fill)
            + choice(CLOSINGS).format(**fill)
        )
        uses = int(rnd.paretovariate(1.5)) - 1
        lessons = uses // 3
        ratings = min(uses, randint(0, 5))
        yield [
            kind,
            title[:200],
            description,
            pack([stage]),
            grade,
            pack([code]),
            choice(EDITIONS) if kind != ResourceKind.STUDIO else "",
            pid,
            ppath,
            Licence.REGION,
            f"https://resources.example.edu.cn/r/{seed}/{i}",
            Visibility.REGION,
            ResourceStatus.PUBLISHED,
            now,
            uses,
            lessons,
            ratings,
            ratings * randint(3, 5),
        ]


COLUMNS = [
    "kind",
    "title",
    "description",
    "stages",
    "grade",
    "subjects",
    "edition",
    "provider_id",
    "provider_path",
    "licence",
    "link",
    "visibility",
    "status",
    "published_at",
    "uses",
    "lesson_uses",
    "rating_count",
    "rating_sum",
]


def load(
    n: int,
    *,
    seed: int = 2025,
    progress: Callable[[int], object] | None = None,
    using: str | None = None,
) -> Loaded:
    """Write ``n`` synthetic published resources and rebuild the search index."""
    import time

    from xietong.resources import search

    if not 0 <= n <= MAX_RESOURCES:
        raise InvalidInput(f"The number of resources must lie between 0 and {MAX_RESOURCES:,}.")
    using = using or router.db_for_write(Resource)
    sources = providers(using)
    if not sources:
        raise InvalidInput("No Beijing or Tianjin institution is registered to provide resources.")
    started = time.monotonic()
    with transaction.atomic(using=using):
        result = bulk.insert(
            Resource,
            COLUMNS,
            rows(n, seed, sources),
            using=using,
            on_batch=(lambda b: progress(b.rows)) if progress else None,
        )
        indexed = search.reindex_all(using=using, progress=progress)
    bulk.analyze([Resource], using=using)
    return Loaded(n, indexed, time.monotonic() - started, result.method)
