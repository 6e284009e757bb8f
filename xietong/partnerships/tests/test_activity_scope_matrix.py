"""The access rules of activities as one table, through services, API and pages.

Objects: an activity logged by ``school_admin`` for Sanhe Experimental on an active and on
an ended community. ``log`` logs a new activity on the object's partnership.
Cells: ``Y`` allowed · ``F`` forbidden · ``H`` hidden · ``N`` not now.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from xietong import access
from xietong.access.testing import Matrix, Verb, door_tests
from xietong.partnerships import activity_selectors as sel
from xietong.partnerships.models import Activity
from xietong.partnerships.services import activities as services
from xietong.partnerships.tests import activity_world as w

A = "/api/partnerships"

TABLE = """
user          object  read edit delete log
school_admin  active  Y    Y    Y      Y
school_admin  ended   Y    N    N      N
tz_admin      active  Y    F    F      Y
tz_admin      ended   Y    F    F      N
sanhe         active  Y    Y    Y      F
sanhe         ended   Y    N    N      F
tongzhou      active  Y    F    F      F
beijing       active  Y    F    F      F
hebei_viewer  active  Y    F    F      F
sysadmin      active  Y    F    F      F
teacher       active  H    H    H      H
nobody        active  H    H    H      H
"""

CAST: dict[str, Any] = {}


def _data() -> dict[str, Any]:
    return w.payload(CAST["cast"])


def _in(**extra: Any) -> services.ActivityIn:
    return services.ActivityIn(**{**_data(), **extra})


def _page(o: Activity) -> str:
    return reverse("partnerships:activity", args=[o.pk])


VERBS = {
    "read": Verb(
        "read",
        service=lambda a, o: sel.activity_detail(a, o.pk),
        api=lambda o: ("get", f"{A}/activities/{o.pk}", None),
        page=_page,
    ),
    "edit": Verb(
        "edit",
        action="edit",
        service=lambda a, o: services.update_activity(a, o.pk, _in(title="改过的标题")),
        done=lambda o: o.title == "改过的标题",
        api=lambda o: ("put", f"{A}/activities/{o.pk}", {**_data(), "title": "改过的标题"}),
        page=_page,
        marker=lambda o: 'data-testid="edit-activity"',
        form=lambda o: reverse("partnerships:activity_edit", args=[o.pk]),
    ),
    "delete": Verb(
        "delete",
        action="delete",
        service=lambda a, o: services.delete_activity(a, o.pk),
        done=lambda o: o is None,
        api=lambda o: ("delete", f"{A}/activities/{o.pk}", None),
        page=_page,
        marker=lambda o: 'data-testid="delete-activity"',
        post=lambda o: (reverse("partnerships:activity_delete", args=[o.pk]), {}),
    ),
    "log": Verb(
        "log",
        service=lambda a, o: services.log_activity(a, o.partnership_id, _in()),
        done=lambda o: o is not None and o.partnership.activities.count() == 2,
        api=lambda o: ("post", f"{A}/{o.partnership_id}/activities", _data()),
        page=lambda o: reverse("partnerships:detail", args=[o.partnership_id]),
        marker=lambda o: 'data-testid="log-activity"',
        form=lambda o: reverse("partnerships:activity_log", args=[o.partnership_id]),
    ),
}
MATRIX = Matrix(TABLE, VERBS)


@pytest.fixture
def world(cast):
    CAST["cast"] = cast
    return w.world(cast)


(
    test_it_allows_activities_through_the_services_exactly_as_the_table_says,
    test_it_answers_activities_through_the_api_exactly_as_the_table_says,
    test_it_shows_activity_pages_and_buttons_exactly_where_the_table_says,
) = door_tests(MATRIX)


def test_it_names_every_declared_verb_of_activities_in_its_table():
    assert set(access.policy_for(Activity).verbs) == {"edit", "delete"}
