"""Matching explanations: stored as reason codes, rendered in the reader's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from xietong.conftest import make_staff
from xietong.core.compile_messages import compile_all
from xietong.exchanges import services
from xietong.exchanges.explanations import render
from xietong.exchanges.models import Application, MatchResult
from xietong.exchanges.tests.conftest import Ex, approve, close

compile_all()

SLOT = {"host": "Tongzhou No. 1", "stage": "primary", "subject": "14"}  # 数学, Mathematics


def both(explanation: dict[str, Any]) -> tuple[str, str]:
    with translation.override("zh-hans"):
        zh = render(explanation)
    with translation.override("en"):
        en = render(explanation)
    return zh, en


def test_it_renders_a_full_first_choice_and_an_admission_in_both_languages() -> None:
    e = {
        "code": "stable",
        "steps": [
            {"code": "full", "choice": 1, **SLOT, "capacity": 2, "cutoff": 2, "rank": 3},
            {"code": "admitted", "choice": 2, **SLOT, "subject": "13"},
        ],
    }
    assert both(e) == (
        "第1志愿 Tongzhou No. 1（小学·数学）：有2个名额，均已录取该校排序更靠前的申请人"
        "（最后录取者排第2名，您排第3名）。第2志愿 Tongzhou No. 1（小学·语文）：录取。",
        "Your choice no. 1, Tongzhou No. 1 (Primary, Mathematics): 2 places, all taken by "
        "applicants the host ranks higher (the last one admitted is ranked no. 2; you are "
        "ranked no. 3). "
        "Your choice no. 2, Tongzhou No. 1 (Primary, Chinese): admitted.",
    )


def test_it_renders_one_place_in_the_singular_in_english() -> None:
    e = {"code": "stable", "steps": [{"code": "full", "choice": 1, **SLOT, "capacity": 1,
                                      "cutoff": 1, "rank": 2}]}  # fmt: skip
    assert both(e)[1].startswith(
        "Your choice no. 1, Tongzhou No. 1 (Primary, Mathematics): 1 place, taken by an applicant"
    )


@pytest.mark.parametrize(
    ("explanation", "zh", "en"),
    [
        ({"code": "no_choices"}, "您没有填报任何志愿，因此未参加匹配。",
         "You ranked no offer, so you were not matched."),
        ({"code": "no_fitting_slot"},
         "您填报的岗位中没有与您的学段和学科相符且仍有名额的岗位，因此未能匹配。",
         "None of the offers you ranked has a free slot for your stage and subject, so you "
         "were not matched."),
        ({"code": "min_cost_unmatched"},
         "按最小总成本方案，您填报的岗位名额已分配给其他申请人，未能匹配。",
         "Under the minimum total cost plan the places you ranked went to other applicants; "
         "you were not matched."),
        ({"code": "min_cost_matched", "choice": 2, **SLOT},
         "第2志愿 Tongzhou No. 1（小学·数学）：按最小总成本方案录取。",
         "Your choice no. 2, Tongzhou No. 1 (Primary, Mathematics): assigned under the minimum "
         "total cost plan."),
        ({"code": "stable", "steps": [{"code": "not_listed", "choice": 1, **SLOT}]},
         "第1志愿 Tongzhou No. 1（小学·数学）：该校未将您列入可接受名单。",
         "Your choice no. 1, Tongzhou No. 1 (Primary, Mathematics): the host did not list you as "
         "acceptable."),
        ({"code": "stable", "steps": [{"code": "no_places", "choice": 1, **SLOT}]},
         "第1志愿 Tongzhou No. 1（小学·数学）：没有名额。",
         "Your choice no. 1, Tongzhou No. 1 (Primary, Mathematics): no places."),
        ({"code": "stable", "steps": [{"code": "free_places", "choice": 1, **SLOT,
                                       "capacity": 3, "free": 2}]},
         "第1志愿 Tongzhou No. 1（小学·数学）：仍有2个空缺，您本应被录取（该分配结果不稳定）。",
         "Your choice no. 1, Tongzhou No. 1 (Primary, Mathematics): 2 places are still free, so "
         "you should have been admitted (this assignment is not stable)."),
        ({"code": "stable", "steps": [{"code": "holds_lower", "choice": 1, **SLOT,
                                       "capacity": 2, "lower": 1, "rank": 1}]},
         "第1志愿 Tongzhou No. 1（小学·数学）：该校录取了1名排序在您之后的申请人，您本应被录取"
         "（该分配结果不稳定）。",
         "Your choice no. 1, Tongzhou No. 1 (Primary, Mathematics): the host admitted 1 applicant "
         "it ranks below you, so you should have been admitted (this assignment is not stable)."),
        ({"code": "legacy", "zh": "旧的说明。", "en": "An old explanation."},
         "旧的说明。", "An old explanation."),
    ],
)  # fmt: skip
def test_it_renders_every_reason_code_in_both_languages(
    explanation: dict[str, Any], zh: str, en: str
) -> None:
    assert both(explanation) == (zh, en)


@pytest.mark.parametrize(
    "broken",
    [
        {"code": "vanished"},
        {"code": "stable", "steps": [{"code": "vanished", "choice": 1, **SLOT}]},
        {"code": "stable", "steps": [{"code": "full", "choice": 1}]},
        {"code": "min_cost_matched"},
    ],
)
def test_it_renders_an_explanation_it_cannot_read_as_a_neutral_sentence(
    broken: dict[str, Any],
) -> None:
    assert both(broken) == ("该结果暂无说明。", "No explanation is available for this result.")


# --- read on the pages and through the API, in the reader's language ---------------------------


@pytest.fixture
def lost(ex: Ex) -> Application:
    """Two colleagues take both places; the teacher (applying last) is ranked third."""
    admin = ex.actor("school_admin")
    for i in range(2):
        s = make_staff(f"同事{i}", ex.cast.sanhe_school, 30 + i)
        app = services.create_application(
            admin, ex.program.pk, choices=[ex.offer.pk], applicant=s.pk, submit=True
        )
        approve(ex, app.pk)
    mine = services.create_application(
        ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk], submit=True
    )
    approve(ex, mine.pk)
    close(ex)
    run = services.start_matching_run(ex.actor("sanhe"), ex.program.pk, "stable", enqueue=False)
    services.execute_matching_run(run.pk)
    services.publish_run(ex.actor("sanhe"), run.pk)
    return mine


LOST_ZH = (
    "第1志愿 Tongzhou No. 1（小学·数学）：有2个名额，均已录取该校排序更靠前的申请人"
    "（最后录取者排第2名，您排第3名）。"
)
LOST_EN = (
    "Your choice no. 1, Tongzhou No. 1 (Primary, Mathematics): 2 places, all taken by applicants "
    "the host ranks higher (the last one admitted is ranked no. 2; you are ranked no. 3)."
)


@pytest.mark.urls("xietong.urls")
def test_it_explains_the_result_on_the_application_page_in_the_readers_language(
    client: Any, ex: Ex, lost: Application
) -> None:
    client.force_login(ex.cast.users["teacher"])
    page = reverse("exchanges:application_detail", args=[lost.pk])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert LOST_ZH in client.get(page).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert LOST_EN in client.get(page).content.decode()


@pytest.mark.urls("xietong.urls")
def test_it_explains_every_result_on_the_run_page_in_the_readers_language(
    client: Any, ex: Ex, lost: Application
) -> None:
    run = MatchResult.objects.get(application=lost).run
    client.force_login(ex.cast.users["sanhe"])
    page = reverse("exchanges:run_detail", args=[run.pk])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    zh = client.get(page).content.decode()
    assert LOST_ZH in zh and zh.count("：录取。") == 2
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get(page).content.decode()
    assert LOST_EN in en and en.count("(Primary, Mathematics): admitted.") == 2


def test_it_stores_the_reason_codes_not_sentences(ex: Ex, lost: Application) -> None:
    stored = MatchResult.objects.get(application=lost).explanation
    assert stored == {
        "code": "stable",
        "steps": [{"code": "full", "choice": 1, **SLOT, "capacity": 2, "cutoff": 2, "rank": 3}],
    }
