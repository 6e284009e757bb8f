"""The access rules of partnerships as one table, run through services, API and pages.

Each object is a teaching-research community of Tongzhou No. 1 (lead), Sanhe Experimental
and Xiongxian No. 1, managed in 三河市 (``sanhe``), in one of its three states. Cells:
``Y`` allowed · ``F`` forbidden (403) · ``H`` hidden (404) · ``N`` not now (409/422).

``tongzhou`` and ``beijing`` read it as authorities over a member, ``school_admin`` as the
admin of a member, ``hebei_viewer`` over the managing region, ``sysadmin`` as the system;
a draft is its managers' only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from xietong import access
from xietong.access.testing import Matrix, Verb, door_tests
from xietong.conftest import Cast
from xietong.partnerships import selectors, services
from xietong.partnerships.choices import MemberRole, PartnershipKind, PartnershipStatus
from xietong.partnerships.models import Dispatch, Member, Partnership, PartnershipTerm
from xietong.partnerships.tests.conftest import make_partnership

A = "/api/partnerships"

TABLE = """
user          object  read edit activate end delete add_member remove_member set_term add_dispatch
sanhe         draft   Y    Y    Y        N   Y      Y          Y             Y        Y
sanhe         active  Y    Y    N        Y   N      Y          Y             Y        Y
sanhe         ended   Y    N    N        N   N      N          N             N        N
tongzhou      draft   H    H    H        H   H      H          H             H        H
tongzhou      active  Y    F    F        F   F      F          F             F        F
tongzhou      ended   Y    F    F        F   F      F          F             F        F
beijing       active  Y    F    F        F   F      F          F             F        F
school_admin  draft   H    H    H        H   H      H          H             H        H
school_admin  active  Y    F    F        F   F      F          F             F        F
hebei_viewer  draft   H    H    H        H   H      H          H             H        H
hebei_viewer  active  Y    F    F        F   F      F          F             F        F
sysadmin      draft   H    H    H        H   H      H          H             H        H
sysadmin      active  Y    F    F        F   F      F          F             F        F
teacher       active  H    H    H        H   H      H          H             H        H
nobody        active  H    H    H        H   H      H          H             H        H
"""


def _page(o: Partnership) -> str:
    return reverse("partnerships:detail", args=[o.pk])


def _url(name: str) -> Any:
    return lambda o: (reverse(f"partnerships:{name}", args=[o.pk]), {})


def _status_is(status: str) -> Any:
    return lambda o: o is not None and o.status == status


def _xiongxian(o: Partnership) -> Member:
    return o.members.get(institution__name="Xiongxian No. 1")


def _edit(a: Any, o: Partnership) -> Any:
    data = services.PartnershipIn(
        kind=o.kind, name="改名", region=o.region, starts_on=o.starts_on, ends_on=o.ends_on
    )
    return services.update_partnership(a, o.pk, data)


TERM = {"school_year": 2024, "commitments": "共同教研", "quota": 20}


def _dispatch(o: Partnership) -> dict[str, Any]:
    tongzhou = o.members.get(role=MemberRole.LEAD).institution
    sanhe = o.members.get(institution__name="Sanhe Experimental").institution
    return {
        "staff": tongzhou.staff.get().pk,
        "host": sanhe.pk,
        "post": "执行校长",
        "starts_on": "2024-09-01",
    }


def _dispatch_in(o: Partnership) -> services.DispatchIn:
    d = _dispatch(o)
    return services.DispatchIn(**{**d, "starts_on": dt.date(2024, 9, 1)})


VERBS = {
    "read": Verb(
        "read",
        service=lambda a, o: selectors.partnership_detail(a, o.pk),
        api=lambda o: ("get", f"{A}/{o.pk}", None),
        page=_page,
    ),
    "edit": Verb(
        "edit",
        action="edit",
        service=_edit,
        done=lambda o: o.name == "改名",
        api=lambda o: ("patch", f"{A}/{o.pk}", {"name": "改名"}),
        page=_page,
        marker=lambda o: 'data-testid="edit"',
        form=lambda o: reverse("partnerships:edit", args=[o.pk]),
    ),
    "activate": Verb(
        "activate",
        action="activate",
        service=lambda a, o: services.activate(a, o.pk),
        done=_status_is(PartnershipStatus.ACTIVE),
        api=lambda o: ("post", f"{A}/{o.pk}/activate", None),
        page=_page,
        marker=lambda o: 'data-testid="activate"',
        post=_url("activate"),
    ),
    "end": Verb(
        "end",
        action="end",
        service=lambda a, o: services.end(a, o.pk),
        done=_status_is(PartnershipStatus.ENDED),
        api=lambda o: ("post", f"{A}/{o.pk}/end", None),
        page=_page,
        marker=lambda o: 'data-testid="end"',
        post=_url("end"),
    ),
    "delete": Verb(
        "delete",
        action="delete",
        service=lambda a, o: services.delete(a, o.pk),
        done=lambda o: o is None,
        api=lambda o: ("delete", f"{A}/{o.pk}", None),
        page=_page,
        marker=lambda o: 'data-testid="delete"',
        post=_url("delete"),
    ),
    "add_member": Verb(
        "add_member",
        action="edit",
        service=lambda a, o: services.add_member(
            a, o.pk, services.MemberIn(institution=_branch(o).pk)
        ),
        done=lambda o: o is not None and o.members.count() == 4,
        api=lambda o: ("post", f"{A}/{o.pk}/members", {"institution": _branch(o).pk}),
        page=_page,
        marker=lambda o: 'data-testid="add-member"',
        form=lambda o: reverse("partnerships:member_add", args=[o.pk]),
    ),
    "remove_member": Verb(
        "remove_member",
        service=lambda a, o: services.remove_member(a, o.pk, _xiongxian(o).pk),
        done=lambda o: o is not None and o.members.count() == 2,
        api=lambda o: ("delete", f"{A}/{o.pk}/members/{_xiongxian(o).pk}", None),
        page=_page,
        marker=lambda o: reverse("partnerships:member_remove", args=[o.pk, _xiongxian(o).pk]),
        post=lambda o: (
            reverse("partnerships:member_remove", args=[o.pk, _xiongxian(o).pk]),
            {},
        ),
    ),
    "set_term": Verb(
        "set_term",
        action="edit",
        service=lambda a, o: services.set_term(a, o.pk, services.TermIn(**TERM)),
        done=lambda o: o is not None and o.terms.exists(),
        api=lambda o: ("post", f"{A}/{o.pk}/terms", TERM),
        page=_page,
        marker=lambda o: 'data-testid="set-term"',
        form=lambda o: reverse("partnerships:term_set", args=[o.pk]),
        post=lambda o: (reverse("partnerships:term_set", args=[o.pk]), TERM),
    ),
    "add_dispatch": Verb(
        "add_dispatch",
        action="edit",
        service=lambda a, o: services.add_dispatch(a, o.pk, _dispatch_in(o)),
        done=lambda o: o is not None and o.dispatches.exists(),
        api=lambda o: ("post", f"{A}/{o.pk}/dispatches", _dispatch(o)),
        page=_page,
        marker=lambda o: 'data-testid="add-dispatch"',
        form=lambda o: reverse("partnerships:dispatch_add", args=[o.pk]),
    ),
}
MATRIX = Matrix(TABLE, VERBS)

BRANCH: dict[str, Any] = {}


def _branch(o: Partnership) -> Any:
    return BRANCH["branch"]


def _community(cast: Cast, status: str) -> Partnership:
    p = make_partnership(
        f"矩阵教研共同体 {status}",
        "131082",
        [
            (cast.tongzhou_school, MemberRole.LEAD),
            (cast.sanhe_school, MemberRole.MEMBER),
            (cast.xiongxian_school, MemberRole.MEMBER),
        ],
        kind=PartnershipKind.RESEARCH_COMMUNITY,
        status=status,
    )
    return p


@pytest.fixture
def world(cast: Cast) -> dict[str, Partnership]:
    BRANCH["branch"] = cast.sanhe_branch
    return {s: _community(cast, s) for s in ("draft", "active", "ended")}


(
    test_it_allows_through_the_services_exactly_what_the_table_says,
    test_it_answers_through_the_api_exactly_what_the_table_says,
    test_it_shows_pages_and_buttons_exactly_where_the_table_says,
) = door_tests(MATRIX)


def test_it_names_every_declared_verb_of_partnerships_in_its_table():
    declared = set(access.policy_for(Partnership).verbs)
    assert declared == {v.action for v in VERBS.values() if v.action}
    for model in (Member, PartnershipTerm, Dispatch):
        assert set(access.policy_for(model).verbs) == {"edit", "delete"}
