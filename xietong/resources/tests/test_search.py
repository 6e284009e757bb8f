"""Search of the catalogue: pinyin and initials, Chinese exactly as a substring scan finds
it, scope kept, bad queries harmless, the index kept by the services and rebuilt."""

from __future__ import annotations

import random

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xietong.resources import search, services, synthetic
from xietong.resources.models import Resource, SearchEntry
from xietong.resources.search_text import is_cjk
from xietong.resources.tests.conftest import make_resource

pytestmark = pytest.mark.django_db

NASTY = [
    '"',
    "'",
    "AND",
    "OR NOT",
    "NEAR(数学 物理)",
    "数学*",
    "*",
    "a:*",
    "title:数学",
    "数学 & 物理 | !化学",
    "(((",
    "\\",
    "\x00数学",
    "'; DROP TABLE resources_resource; --",
    "数学 OR 1=1",
    "{title}: 数学",
    "^数学",
    "数学 -物理",
    "\ud800",
]


def ids(qs):
    return set(qs.values_list("id", flat=True))


def like(qs, q):
    return ids(qs.filter(Q(title__contains=q) | Q(description__contains=q)))


@pytest.fixture
def corpus(world):
    """A few hundred synthetic resources by the cast's Beijing schools."""
    synthetic.load(300, seed=7)
    return Resource.objects.all()


def test_it_finds_a_famous_teachers_lesson_by_its_initials(world):
    wanted = make_resource(world, title="北京四中名师示范课：勾股定理")
    make_resource(
        world,
        title="初中物理实验课：浮力",
        description="浮力实验。",
        subjects="物理",
        status="draft",
    )
    found = search.search(Resource.objects.all(), "mssfk")
    assert list(found) == [wanted]


def test_it_finds_mathematics_by_its_pinyin(world):
    maths = make_resource(world, title="初中数学：勾股定理", description="直角三角形。")
    make_resource(
        world, title="初中物理：浮力", description="浮力实验。", subjects="物理", status="draft"
    )
    assert ids(search.search(Resource.objects.all(), "shuxue")) == {maths.pk}


def test_it_reads_a_surname_before_a_title_as_a_surname(world):
    zeng = make_resource(world, title="曾老师的函数课", description="函数图像。")
    everything = Resource.objects.all()
    assert ids(search.search(everything, "zenglaoshi")) == {zeng.pk}
    assert ids(search.search(everything, "zls")) == {zeng.pk}
    assert not ids(search.search(everything, "cenglaoshi"))


def test_it_finds_exactly_what_a_substring_scan_finds(corpus):
    rnd = random.Random(3)
    texts = list(corpus.values_list("title", "description"))
    queries = ["诗", "曾", "数学", "物理", "示范课", "工作室", "一元二次", "电磁感应", "初二", "课"]
    for _ in range(60):  # substrings of the corpus's own text, 1 to 4 characters
        text = rnd.choice(rnd.choice(texts))
        size = rnd.randint(1, 4)
        start = rnd.randint(0, max(0, len(text) - size))
        q = text[start : start + size]
        if all(is_cjk(c) for c in q):
            queries.append(q)
    assert len(queries) > 40
    for q in queries:
        assert ids(search.search(corpus, q)) == like(corpus, q), q


def test_it_ranks_title_matches_first_then_use(world):
    in_description = make_resource(world, title="初中几何", description="勾股定理的证明。")
    in_title = make_resource(world, title="勾股定理", description="直角三角形。")
    popular = make_resource(world, title="勾股定理的应用", description="实际问题。")
    Resource.objects.filter(pk=popular.pk).update(uses=50)
    found = list(search.search(Resource.objects.all(), "勾股定理"))
    assert found == [popular, in_title, in_description]
    assert [r.search_rank for r in found] == [1, 1, 0]


def test_it_never_returns_rows_outside_the_queryset(corpus):
    mine = corpus.filter(kind="course", stages__contains=",junior,")
    others = corpus.exclude(pk__in=mine)
    assert mine.exists() and others.exists()
    for q in ["数学", "数", "mssfk", "shuxue", "示范课", "老师"]:
        found = ids(search.search(mine, q))
        assert found <= ids(mine), q
        assert found == ids(search.search(corpus, q)) & ids(mine), q


def test_it_counts_facets_on_the_result(corpus):
    found = search.search(corpus, "数学")
    facets = found.order_by().values("kind").annotate(n=Count("id"))
    assert sum(f["n"] for f in facets) == found.count() > 0


def test_it_searches_nothing_for_punctuation(corpus):
    assert search.analyse("？！……").empty
    assert not search.search(corpus, "？！……").exists()
    assert not search.search(corpus, "").exists()


def test_it_answers_a_query_of_ten_thousand_characters(corpus):
    assert search.search(corpus, "数学" * 5000).count() == 0  # one 32-character term
    assert list(search.search(corpus, "数 " * 5000)) == list(search.search(corpus, "数"))


def test_it_takes_operators_and_syntax_as_plain_text(corpus):
    for q in NASTY:
        list(search.search(corpus, q)[:20])  # no error
    assert ids(search.search(corpus, '数学 AND "物理"')) == like(corpus, "数学") & like(
        corpus, "物理"
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=60))
def test_it_never_fails_on_any_query(world, text):
    list(search.search(Resource.objects.all(), text)[:5])


def test_it_indexes_an_edited_title(world):
    course = make_resource(world, status="draft")
    everything = Resource.objects.all()
    assert course in search.search(everything, "一元二次")
    data = services.ResourceIn(
        kind=course.kind,
        title="初中数学：勾股定理",
        description=course.description,
        stages="初中",
        subjects="数学",
        link=course.link,
        provider_id=course.provider_id,
    )
    services.edit_resource(world.actor("tongzhou_admin"), course.pk, data)
    assert course in search.search(everything, "勾股")
    assert course not in search.search(everything, "mssfk")  # 名师示范课 left the title
    assert course in search.search(everything, "gougudingli")


def test_it_rebuilds_the_index_after_the_table_is_emptied(corpus):
    before = ids(search.search(corpus, "示范课"))
    assert before
    SearchEntry.objects.all().delete()
    assert not ids(search.search(corpus, "mssfk"))
    call_command("resources", "reindex", verbosity=0)
    assert ids(search.search(corpus, "示范课")) == before
    assert SearchEntry.objects.count() == corpus.count()


def _uses_spread(corpus):
    """Uses in a few values, so that many matches tie on uses and the id decides."""
    for pk in corpus.values_list("id", flat=True):
        Resource.objects.filter(pk=pk).update(uses=pk % 4, lesson_uses=pk % 3)


@pytest.mark.parametrize("probe", [2000, 3])  # the probe finds the page, or ends short
@pytest.mark.parametrize("q", ["数学", "数", "示范课", "一元二次", "shuxue", "mssfk", "初二3班"])
def test_a_page_read_the_fast_way_is_the_same_page_as_the_ranked_search(
    corpus, q, probe, monkeypatch
):
    monkeypatch.setattr(search, "PROBE", probe)
    _uses_spread(corpus)
    scoped = corpus.filter(kind__in=["course", "lesson_video", "courseware"])
    ranked = list(search.search(scoped, q).values_list("id", flat=True))
    for start, stop in [(0, 20), (20, 40), (0, 1), (len(ranked) - 3, len(ranked) + 5), (0, 2000)]:
        start = max(0, start)
        assert search.ranked_ids(scoped, q, start, stop) == ranked[start:stop], (q, start)
    # a facet the page filters on, handed to the index as well
    maths = scoped.filter(subjects__contains=",14,")
    ranked = list(search.search(maths, q).values_list("id", flat=True))
    facets = {"subject": "14"}
    assert search.ranked_ids(maths, q, 0, 20, facets=facets) == ranked[:20], q
    assert search.matching(maths, q, facets=facets).count() == len(ranked), q


def test_a_page_of_title_matches_continues_with_the_other_matches_in_use_order(world):
    in_description = make_resource(world, title="初中几何", description="勾股定理的证明。")
    in_title = make_resource(world, title="勾股定理", description="直角三角形。")
    Resource.objects.filter(pk=in_description.pk).update(uses=90)
    everything = Resource.objects.all()
    assert search.ranked_ids(everything, "勾股", 0, 20) == [in_title.pk, in_description.pk]
    assert search.ranked_ids(everything, "勾股", 1, 20) == [in_description.pk]
    assert search.ranked_ids(everything, "？！", 0, 20) == []


def test_the_ranked_results_count_and_page_like_the_search(corpus):
    ranked = search.Ranked(corpus.select_related("provider"), "学")
    everything = list(search.search(corpus, "学").values_list("id", flat=True))
    assert ranked.count() == len(ranked) == len(everything) > 20
    assert [r.pk for r in ranked[0:20]] == everything[:20]
    assert [r.pk for r in ranked[20:40]] == everything[20:40]
    assert ranked[0] == ranked[0:1][0]
    assert [r.pk for r in ranked] == everything
    with pytest.raises(IndexError):
        ranked[10**6]
