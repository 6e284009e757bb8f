"""The access rules of progress reports as one table, through services, API and pages.

Objects: reports of 三河市教育局 on task T1 in each state (``draft``, ``submitted``,
``returned``, ``accepted``) and a submitted report of 河北省教育厅 itself (``hb_sub``).
Cells: ``Y`` allowed · ``F`` forbidden · ``H`` hidden · ``N`` not now.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from xietong import access
from xietong.access.testing import Api, Matrix, Verb
from xietong.accounts.models import User
from xietong.plan.models import ProgressReport
from xietong.plan.reports import selectors as sel
from xietong.plan.reports import services
from xietong.plan.reports.tests import world as w

A = "/api/plan/reports"

TABLE = """
user          object     read edit submit return accept delete
sanhe         draft      Y    Y    Y      F      F      Y
sanhe         submitted  Y    N    N      F      F      N
sanhe         returned   Y    Y    Y      F      F      N
sanhe         accepted   Y    N    N      F      F      N
sanhe         hb_sub     H    H    H      H      H      H
hebei         draft      H    H    H      H      H      H
hebei         submitted  Y    F    F      Y      Y      F
hebei         returned   Y    F    F      N      N      F
hebei         accepted   Y    F    F      N      N      F
hebei         hb_sub     Y    N    N      F      F      N
beijing       draft      H    H    H      H      H      H
beijing       submitted  Y    F    F      Y      Y      F
beijing       accepted   Y    F    F      N      N      F
beijing       hb_sub     Y    F    F      Y      Y      F
tianjin       submitted  Y    F    F      Y      Y      F
tongzhou      submitted  H    H    H      H      H      H
hebei_viewer  draft      H    H    H      H      H      H
hebei_viewer  submitted  Y    F    F      F      F      F
school_admin  submitted  H    H    H      H      H      H
sysadmin      submitted  Y    F    F      F      F      F
teacher       submitted  H    H    H      H      H      H
nobody        submitted  H    H    H      H      H      H
"""

EDITED = "改写后的进展说明。"


def _page(o: ProgressReport) -> str:
    return reverse("plan_reports:detail", args=[o.pk])


def _edit_data(o: ProgressReport) -> dict[str, Any]:
    return {"period": o.period, "progress": "at_risk", "narrative": EDITED}


VERBS = {
    "read": Verb(
        "read",
        service=lambda a, o: sel.report_detail(a, o.pk),
        api=lambda o: ("get", f"{A}/{o.pk}", None),
        page=_page,
    ),
    "edit": Verb(
        "edit",
        action="edit",
        service=lambda a, o: services.edit_report(a, o.pk, services.ReportIn(**_edit_data(o))),
        done=lambda o: o.narrative == EDITED,
        api=lambda o: ("put", f"{A}/{o.pk}", _edit_data(o)),
        page=_page,
        marker=lambda o: 'data-testid="edit-report"',
        post=lambda o: (reverse("plan_reports:edit", args=[o.pk]), _edit_data(o)),
    ),
    "submit": Verb(
        "submit",
        action="submit",
        service=lambda a, o: services.submit_report(a, o.pk),
        done=lambda o: o.state == "submitted",
        api=lambda o: ("post", f"{A}/{o.pk}/submit", None),
        page=_page,
        marker=lambda o: 'data-testid="submit-report"',
        post=lambda o: (reverse("plan_reports:submit", args=[o.pk]), {}),
    ),
    "return": Verb(
        "return",
        action="return",
        service=lambda a, o: services.return_report(a, o.pk, "请补充证明材料。"),
        done=lambda o: o.state == "returned",
        api=lambda o: ("post", f"{A}/{o.pk}/return", {"comment": "请补充证明材料。"}),
        page=_page,
        marker=lambda o: 'data-testid="return-report"',
        post=lambda o: (reverse("plan_reports:return", args=[o.pk]), {"comment": "请补充。"}),
    ),
    "accept": Verb(
        "accept",
        action="accept",
        service=lambda a, o: services.accept_report(a, o.pk),
        done=lambda o: o.state == "accepted",
        api=lambda o: ("post", f"{A}/{o.pk}/accept", {"comment": ""}),
        page=_page,
        marker=lambda o: 'data-testid="accept-report"',
        post=lambda o: (reverse("plan_reports:accept", args=[o.pk]), {}),
    ),
    "delete": Verb(
        "delete",
        action="delete",
        service=lambda a, o: services.delete_report(a, o.pk),
        done=lambda o: o is None,
        api=lambda o: ("delete", f"{A}/{o.pk}", None),
        page=_page,
        marker=lambda o: 'data-testid="delete-report"',
        post=lambda o: (reverse("plan_reports:delete", args=[o.pk]), {}),
    ),
}
MATRIX = Matrix(TABLE, VERBS)


@pytest.fixture
def world(cast):
    pw = w.plan_world(cast)
    objects = {
        state: w.report(pw, "sanhe", period, state)
        for state, period in (
            ("draft", "2025Q3"),
            ("submitted", "2025Q2"),
            ("returned", "2025Q1"),
            ("accepted", "2024Q4"),
        )
    }
    objects["hb_sub"] = w.report(pw, "hebei", "2025Q2", "submitted")
    return objects


def test_it_allows_reports_through_the_services_exactly_as_the_table_says(cast, world):
    wrong = MATRIX.check_services(cast.actor, world)
    assert wrong == [], "\n".join(wrong)


def test_it_answers_reports_through_the_api_exactly_as_the_table_says(cast, world):
    wrong = MATRIX.check_api(Api(cast.actor), world)
    assert wrong == [], "\n".join(wrong)


def test_it_shows_report_pages_and_buttons_exactly_where_the_table_says(cast, world):
    login = lambda client, user: client.force_login(User.objects.get(username=user))  # noqa: E731
    wrong = MATRIX.check_web(login, world)
    assert wrong == [], "\n".join(wrong)


def test_it_names_every_declared_verb_of_reports_in_its_table():
    assert set(access.policy_for(ProgressReport).verbs) == {
        "edit",
        "submit",
        "return",
        "accept",
        "delete",
    }
