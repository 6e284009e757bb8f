"""Deciding several applications at once: recommend, approve or return (退回) with one comment.

Each row goes through the very service of a single decision — its verb among the row's
``actions``, its state, its public notice — in its own transaction, and the batch answers
row by row: done, or refused with the reason in the reader's language. A refused row
leaves nothing behind; rows the actor may not act on are refused, never a server error.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from xietong.access.testing import Api as MatrixApi
from xietong.access.testing import Matrix, Verb
from xietong.accounts.models import AuditEvent
from xietong.api_tests.conftest import Api, assert_error
from xietong.conftest import make_staff
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.exchanges import services
from xietong.exchanges.choices import AppStatus
from xietong.exchanges.models import Application, Program
from xietong.exchanges.tests.conftest import Ex, notice_over, recommend
from xietong.exchanges.tests.test_scope_matrix import World, build_world
from xietong.notifications.models import Notification

A = "/api/exchanges"
BATCH = f"{A}/review/batch"


def _staff_application(ex: Ex, name: str, serial: int, *, submit: bool = True) -> Application:
    staff = make_staff(name, ex.cast.sanhe_school, serial, position="teacher")
    return services.create_application(
        ex.actor("school_admin"),
        ex.program.pk,
        choices=[ex.offer.pk],
        applicant=staff.pk,
        submit=submit,
    )


def _elsewhere(ex: Ex) -> Application:
    """An application of another county's school (Xiongxian): hidden from 三河's people."""
    return Application.objects.create(
        program=ex.program,
        applicant=ex.cast.xiongan_teacher,
        home=ex.cast.xiongxian_school,
        status=AppStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )


def _status(pk: int) -> str:
    return Application.objects.get(pk=pk).status


# --- the service -------------------------------------------------------------------------------


def test_it_recommends_the_rows_it_may_and_refuses_the_others_row_by_row(ex: Ex) -> None:
    a = _staff_application(ex, "甲老师", 101)
    b = _staff_application(ex, "乙老师", 102)
    draft = _staff_application(ex, "丙老师", 103, submit=False)
    hidden = _elsewhere(ex)
    results = services.decide_many(
        ex.actor("school_admin"),
        "recommend",
        [a.pk, draft.pk, hidden.pk, 999_999, b.pk, a.pk],
        comment="经校务会研究，同意推荐。",
    )
    assert [(r.id, r.done, r.code) for r in results] == [
        (a.pk, True, ""),
        (draft.pk, False, "conflict"),
        (hidden.pk, False, "not_found"),
        (999_999, False, "not_found"),
        (b.pk, True, ""),
    ]
    assert results[0].status == AppStatus.RECOMMENDED
    assert "not possible while it is “Draft”" in results[1].message
    assert "not visible to you" in results[2].message
    for pk in (a.pk, b.pk):
        app = Application.objects.get(pk=pk)
        assert app.status == AppStatus.RECOMMENDED
        assert app.recommend_comment == "经校务会研究，同意推荐。"
        assert app.notice_starts_on == timezone.localdate()
        assert app.notice_ends_on == services.earliest_notice_end(app.notice_starts_on)
    # The refused rows: not a field written, not an event, not a notification.
    assert (_status(draft.pk), _status(hidden.pk)) == (AppStatus.DRAFT, AppStatus.SUBMITTED)
    events = AuditEvent.objects.filter(action="exchanges.application.recommended")
    assert sorted(int(e.object_id) for e in events) == sorted([a.pk, b.pk])
    noticed = Notification.objects.filter(code="exchanges.application_recommended")
    assert set(noticed.values_list("target_id", flat=True)) == {a.pk, b.pk}


def test_it_approves_only_applications_whose_notice_has_ended(ex: Ex) -> None:
    over = _staff_application(ex, "甲老师", 101)
    running = _staff_application(ex, "乙老师", 102)
    for app in (over, running):
        recommend(ex, app.pk)
    notice_over(over.pk)
    end = Application.objects.get(pk=running.pk).notice_ends_on
    results = services.decide_many(
        ex.actor("sanhe"), "approve", [over.pk, running.pk], comment="同意"
    )
    assert [(r.done, r.code) for r in results] == [(True, ""), (False, "conflict")]
    assert f"runs until {end}" in results[1].message
    assert Application.objects.get(pk=over.pk).approve_comment == "同意"
    assert (_status(over.pk), _status(running.pk)) == (AppStatus.APPROVED, AppStatus.RECOMMENDED)


def test_it_refuses_a_step_that_is_not_the_actors_with_the_rules_reason(ex: Ex) -> None:
    app = _staff_application(ex, "甲老师", 101)
    recommend(ex, app.pk)
    notice_over(app.pk)
    for user, reason in (
        ("school_admin", "Only an authority administrator over the home institution approves."),
        ("hebei_viewer", "Only an authority administrator over the home institution approves."),
        ("tongzhou", "not visible to you"),
    ):
        (result,) = services.decide_many(ex.actor(user), "approve", [app.pk])
        assert not result.done and reason in result.message, user
    assert _status(app.pk) == AppStatus.RECOMMENDED


def test_a_row_refused_halfway_leaves_nothing_written(ex: Ex) -> None:
    """The quota is checked after the comment is set: the refused row keeps none of it."""
    Program.objects.filter(pk=ex.program.pk).update(quota=1)
    first = _staff_application(ex, "甲老师", 101)
    second = _staff_application(ex, "乙老师", 102)
    for app in (first, second):
        recommend(ex, app.pk)
        notice_over(app.pk)
    results = services.decide_many(
        ex.actor("sanhe"), "approve", [first.pk, second.pk], comment="同意"
    )
    assert [r.done for r in results] == [True, False]
    assert "quota of 1" in results[1].message
    refused = Application.objects.get(pk=second.pk)
    assert (refused.status, refused.approve_comment, refused.approved_at) == (
        AppStatus.RECOMMENDED,
        "",
        None,
    )


def test_it_returns_applications_with_the_comment_as_their_reason(ex: Ex) -> None:
    a = services.create_application(  # Tina's: she has an account to be told
        ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk], submit=True
    )
    b = _staff_application(ex, "乙老师", 102)
    with pytest.raises(InvalidInput, match="reason for rejecting") as e:
        services.decide_many(ex.actor("school_admin"), "reject", [a.pk, b.pk], comment="  ")
    assert "comment" in e.value.fields
    assert (_status(a.pk), _status(b.pk)) == (AppStatus.SUBMITTED, AppStatus.SUBMITTED)
    results = services.decide_many(
        ex.actor("school_admin"), "reject", [a.pk, b.pk], comment="名额已满，下学期再报。"
    )
    assert all(r.done and r.status == AppStatus.REJECTED for r in results)
    assert Application.objects.get(pk=a.pk).reject_reason == "名额已满，下学期再报。"
    (sent,) = Notification.objects.filter(code="exchanges.application_rejected")
    assert sent.params["reason"] == "名额已满，下学期再报。" and sent.target == a


@pytest.mark.parametrize(
    ("verb", "ids", "field"),
    [
        ("publish", [1], "verb"),
        ("approve", [], "ids"),
        ("approve", ["x"], "ids"),
        ("approve", [0], "ids"),
        ("approve", list(range(1, 102)), "ids"),
    ],
)
def test_it_refuses_bad_input_for_the_whole_batch_before_touching_a_row(
    ex: Ex, verb: str, ids: list[Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as e:
        services.decide_many(ex.actor("sanhe"), verb, ids)
    assert field in e.value.fields


def test_it_refuses_a_back_dated_or_short_notice_once_for_the_whole_batch(ex: Ex) -> None:
    app = _staff_application(ex, "甲老师", 101)
    today = timezone.localdate()
    school = ex.actor("school_admin")
    with pytest.raises(InvalidInput, match="cannot be back-dated"):
        services.decide_many(
            school, "recommend", [app.pk], notice_starts_on=today - dt.timedelta(days=3)
        )
    with pytest.raises(InvalidInput, match="at least 5 working days"):
        services.decide_many(school, "recommend", [app.pk], notice_ends_on=today)
    assert _status(app.pk) == AppStatus.SUBMITTED


# --- the API -----------------------------------------------------------------------------------


@pytest.mark.urls("xietong.exchanges.tests.urls")
def test_the_api_answers_each_id_with_done_or_refused_and_why(ex: Ex) -> None:
    api = Api(ex.cast)
    a = _staff_application(ex, "甲老师", 101)
    hidden = _elsewhere(ex)
    body = {"verb": "recommend", "ids": [a.pk, hidden.pk], "comment": "同意推荐"}
    r = api.post(BATCH, body, as_="school_admin")
    assert r.status_code == 200, r.content
    out = r.json()
    assert (out["verb"], out["done"], out["refused"]) == ("recommend", 1, 1)
    assert out["results"][0] == {
        "id": a.pk,
        "outcome": "done",
        "status": "recommended",
        "code": "",
        "message": "",
    }
    assert out["results"][1]["outcome"] == "refused"
    assert out["results"][1]["code"] == "not_found"
    detail = api.get(f"{A}/applications/{a.pk}", as_="school_admin").json()
    assert detail["recommend_comment"] == "同意推荐"
    # In the caller's language: a teacher may not recommend, not even herself.
    own = services.create_application(
        ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk], submit=True
    )
    r = api.post(BATCH, {"verb": "recommend", "ids": [own.pk]}, as_="teacher", lang="zh-hans")
    (row,) = r.json()["results"]
    assert row["code"] == "forbidden" and "推荐" in row["message"]


@pytest.mark.urls("xietong.exchanges.tests.urls")
def test_the_api_refuses_a_bad_batch_with_422_and_changes_nothing(ex: Ex) -> None:
    api = Api(ex.cast)
    a = _staff_application(ex, "甲老师", 101)
    for body, field in (
        ({"verb": "reject", "ids": [a.pk]}, "comment"),
        ({"verb": "reject", "ids": [a.pk], "comment": "x" * 501}, "comment"),
        ({"verb": "burn", "ids": [a.pk]}, "verb"),
        ({"verb": "approve", "ids": []}, "ids"),
        ({"verb": "approve", "ids": list(range(1, 102))}, "ids"),
        ({"verb": "approve", "ids": [a.pk], "extra": 1}, "extra"),
    ):
        out = assert_error(api.post(BATCH, body, as_="school_admin"), 422)
        assert any(field in key for key in out.get("fields", {})), (body, out)
    assert _status(a.pk) == AppStatus.SUBMITTED


# --- the page ----------------------------------------------------------------------------------


def _login(client: Any, ex: Ex, username: str) -> Any:
    client.force_login(ex.cast.users[username])
    client.cookies["django_language"] = "en"
    return client


def _review(c: Any, **params: str) -> str:
    return c.get(reverse("exchanges:review"), params).content.decode()


def _box(pk: int) -> str:
    return f'name="ids" value="{pk}"'


@pytest.mark.urls("xietong.urls")
def test_the_queue_offers_a_box_only_on_rows_whose_actions_allow_the_chosen_verb(
    client: Any, ex: Ex
) -> None:
    over = _staff_application(ex, "甲老师", 101)
    running = _staff_application(ex, "乙老师", 102)
    for app in (over, running):
        recommend(ex, app.pk)
    notice_over(over.pk)
    c = _login(client, ex, "sanhe")
    page = _review(c)
    assert _box(over.pk) in page and _box(running.pk) not in page
    assert "data-select-all" in page and "Approve the ticked" in page
    page = _review(c, approve_verb="reject")  # returning is possible during the notice
    assert _box(over.pk) in page and _box(running.pk) in page
    assert "Reason for rejecting (sent to each applicant)" in page
    assert 'data-confirm="Reject the ticked applications' in page


@pytest.mark.urls("xietong.urls")
def test_the_page_sends_a_batch_and_shows_the_outcome_row_by_row_once(client: Any, ex: Ex) -> None:
    a = _staff_application(ex, "甲老师", 101)
    b = _staff_application(ex, "乙老师", 102)
    hidden = _elsewhere(ex)
    c = _login(client, ex, "school_admin")
    page = _review(c)
    assert _box(a.pk) in page and _box(b.pk) in page and _box(hidden.pk) not in page
    back = reverse("exchanges:review") + "?recommend_verb=recommend"
    data = {
        "verb": "recommend",
        "ids": [a.pk, b.pk, hidden.pk],
        "comment": "同意推荐",
        "back": back,
    }
    r = c.post(reverse("exchanges:review_batch"), data, follow=True)
    assert r.redirect_chain == [(back, 302)]
    html = r.content.decode()
    assert "2 of 3 applications decided, 1 refused: see why below." in html
    assert f'data-result="{a.pk}" data-outcome="done"' in html
    assert f'data-result="{hidden.pk}" data-outcome="refused" data-code="not_found"' in html
    assert "甲老师" in html and "Xavier" not in html and "赵雄安" not in html
    assert "Recommended by the home institution" in html  # the new status of a done row
    assert (_status(a.pk), _status(b.pk)) == (AppStatus.RECOMMENDED, AppStatus.RECOMMENDED)
    assert 'data-testid="batch-results"' not in _review(c)  # shown once


@pytest.mark.urls("xietong.urls")
def test_the_page_refuses_a_bad_batch_with_its_message_and_changes_nothing(
    client: Any, ex: Ex
) -> None:
    a = _staff_application(ex, "甲老师", 101)
    c = _login(client, ex, "school_admin")
    r = c.post(reverse("exchanges:review_batch"), {"verb": "reject", "ids": [a.pk]}, follow=True)
    assert "Give the reason for rejecting them" in r.content.decode()
    r = c.post(reverse("exchanges:review_batch"), {"verb": "recommend"}, follow=True)
    assert "Select at least one application." in r.content.decode()
    bad_day = {"verb": "recommend", "ids": [a.pk], "notice_starts_on": "2026-13-40"}
    r = c.post(reverse("exchanges:review_batch"), bad_day, follow=True)
    assert "Public notice from: Enter a valid date." in r.content.decode()
    r = c.post(
        reverse("exchanges:review_batch"),
        {"verb": "recommend", "ids": [a.pk], "back": "https://evil.example/"},
    )
    assert r.status_code == 302 and r["Location"] == reverse("exchanges:review")
    assert _status(a.pk) == AppStatus.RECOMMENDED  # that last one was valid


@pytest.mark.urls("xietong.urls")
@pytest.mark.parametrize("username", ["teacher", "hebei_viewer", "nobody"])
def test_the_batch_page_is_only_for_reviewers(client: Any, ex: Ex, username: str) -> None:
    a = _staff_application(ex, "甲老师", 101)
    c = _login(client, ex, username)
    r = c.post(reverse("exchanges:review_batch"), {"verb": "recommend", "ids": [a.pk]})
    assert r.status_code == 403
    assert _status(a.pk) == AppStatus.SUBMITTED


# --- the scope matrix, through the batch doors --------------------------------------------------

BATCH_TABLE = """
user          object       batch_recommend batch_approve batch_reject
teacher       draft        F               F             F
teacher       submitted    F               F             F
teacher       noticed      F               F             F
teacher       recommended  F               F             F
school_admin  draft        N               F             N
school_admin  submitted    Y               F             Y
school_admin  noticed      N               F             F
school_admin  recommended  N               F             F
school_admin  approved     N               F             F
sanhe         draft        F               N             N
sanhe         submitted    F               N             F
sanhe         noticed      F               N             Y
sanhe         recommended  F               Y             Y
sanhe         approved     F               N             Y
hebei_viewer  submitted    F               F             F
hebei_viewer  recommended  F               F             F
tongzhou      submitted    H               H             H
tongzhou      recommended  H               H             H
nobody        submitted    H               H             H
"""

# The page door: the review queues list what waits for a step, so the managers' return of
# an approved application (a different page) is not judged here.
BATCH_WEB_TABLE = """
user          object       batch_recommend batch_approve batch_reject
school_admin  draft        N               F             N
school_admin  submitted    Y               F             Y
school_admin  noticed      N               F             F
school_admin  recommended  N               F             F
sanhe         submitted    F               N             F
sanhe         noticed      F               N             Y
sanhe         recommended  F               Y             Y
tongzhou      submitted    H               H             H
tongzhou      recommended  H               H             H
"""

REFUSALS = {"forbidden": PermissionDenied, "not_found": NotFound, "conflict": Conflict}
OUTCOMES = {"forbidden": "forbidden", "not_found": "hidden", "conflict": "not_now"}
COMMENT = "名额有限"


def _through_batch(verb: str) -> Any:
    def call(actor: Any, obj: Application) -> None:
        (row,) = services.decide_many(actor, verb, [obj.pk], comment=COMMENT)
        if not row.done:
            raise REFUSALS.get(row.code, InvalidInput)(row.message)

    return call


def _api_outcome(body: dict[str, Any], obj: Application) -> str:
    (row,) = body["results"]
    return "allowed" if row["outcome"] == "done" else OUTCOMES.get(row["code"], "not_now")


def _page_outcome(html: str, obj: Application) -> str:
    found = re.search(rf'data-result="{obj.pk}" data-outcome="(\w+)" data-code="(\w*)"', html)
    if found is None:
        return "no result shown"
    done, code = found.groups()
    return "allowed" if done == "done" else OUTCOMES.get(code, "not_now")


def _queue_page(verb: str) -> Any:
    params = {"recommend": "recommend_verb=recommend", "approve": "approve_verb=approve"}
    query = params.get(verb, "recommend_verb=reject&approve_verb=reject")
    return lambda o: f"{reverse('exchanges:review')}?{query}"


def _batch_verb(verb: str, *, web: bool) -> Verb:
    done = {
        "recommend": AppStatus.RECOMMENDED,
        "approve": AppStatus.APPROVED,
        "reject": AppStatus.REJECTED,
    }[verb]
    body = {"verb": verb, "ids": None, "comment": COMMENT}
    return Verb(
        f"batch_{verb}",
        action=verb,
        service=_through_batch(verb),
        done=lambda o: o.status == done,
        api=None if web else (lambda o: ("post", BATCH, {**body, "ids": [o.pk]})),
        api_outcome=_api_outcome,
        page=_queue_page(verb) if web else None,
        marker=(lambda o: f'{_box(o.pk)} data-verb="{verb}"') if web else None,
        listing=True,
        post=(lambda o: (reverse("exchanges:review_batch"), {**body, "ids": [o.pk]}))
        if web
        else None,
        post_outcome=_page_outcome,
    )


VERBS = ("recommend", "approve", "reject")
BATCH_MATRIX = Matrix(BATCH_TABLE, {f"batch_{v}": _batch_verb(v, web=False) for v in VERBS})
BATCH_WEB = Matrix(BATCH_WEB_TABLE, {f"batch_{v}": _batch_verb(v, web=True) for v in VERBS})


@pytest.fixture
def world(ex: Ex) -> World:
    return build_world(ex)


def _objects(matrix: Matrix, w: World) -> dict[str, Any]:
    wanted = {c.obj for c in matrix.cells}
    return {k: v for k, v in w.objects.items() if k in wanted}


def test_the_batch_decides_through_the_services_exactly_what_the_table_says(world: World):
    wrong = BATCH_MATRIX.check_services(world.actor, _objects(BATCH_MATRIX, world))
    assert wrong == [], "\n".join(wrong)


@pytest.mark.urls("xietong.exchanges.tests.urls")
def test_the_batch_endpoint_answers_each_row_as_the_table_says(world: World):
    wrong = BATCH_MATRIX.check_api(MatrixApi(world.actor), _objects(BATCH_MATRIX, world))
    assert wrong == [], "\n".join(wrong)


@pytest.mark.urls("xietong.urls")
def test_the_queues_offer_and_decide_each_row_as_the_table_says(world: World):
    users = world.ex.cast.users
    login = lambda client, user: client.force_login(users[user])  # noqa: E731
    wrong = BATCH_WEB.check_web(login, _objects(BATCH_WEB, world))
    assert wrong == [], "\n".join(wrong)
