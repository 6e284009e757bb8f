"""The access rules of agreement versions as one table, through services, API and pages.

Three agreements of the paired partnership (Tongzhou No. 1 ↔ Sanhe Experimental, managed
by ``sanhe``): one whose version 1 is ``pending``, one whose version 1 was ``superseded``
by a pending version 2, one whose version 1 is ``approved`` by both sides.
``school_admin`` and ``tongzhou_admin`` administer the two parties; ``beijing`` and
``hebei_viewer`` read the partnership as authorities without being a party.
Cells: ``Y`` allowed · ``F`` forbidden · ``H`` hidden · ``N`` not now.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from xietong import access
from xietong.access.testing import Matrix, Verb, door_tests
from xietong.partnerships.agreements import selectors, services
from xietong.partnerships.models import AgreementVersion
from xietong.partnerships.tests.agreement_world import (
    approved_v1,
    changed_clauses,
    tongzhou_admin,
    version_in,
)

A = "/api/partnerships"

TABLE = """
user            object      read approve new_version
school_admin    pending     Y    Y       Y
school_admin    superseded  Y    N       Y
school_admin    approved    Y    N       Y
tongzhou_admin  pending     Y    Y       Y
tongzhou_admin  superseded  Y    N       Y
sanhe           pending     Y    F       Y
sanhe           superseded  Y    F       Y
sanhe           approved    Y    F       Y
beijing         pending     Y    F       F
beijing         approved    Y    F       F
hebei_viewer    pending     Y    F       F
teacher         pending     H    H       H
nobody          approved    H    H       H
"""

NEW = {
    "title": "矩阵新版",
    "starts_on": "2024-09-01",
    "clauses": [{"heading": "一", "text": "新"}],
    "note": "矩阵",
}


def _page(v: AgreementVersion) -> str:
    return reverse("partnerships:agreement_detail", args=[v.agreement_id])


VERBS = {
    "read": Verb(
        "read",
        service=lambda a, v: selectors.version_detail(a, v.pk),
        api=lambda v: ("get", f"{A}/agreements/versions/{v.pk}", None),
        page=_page,
    ),
    "approve": Verb(
        "approve",
        action="approve",
        service=lambda a, v: services.approve(a, v.pk),
        done=lambda v: v.approvals.exists(),
        api=lambda v: ("post", f"{A}/agreements/versions/{v.pk}/approve", {}),
        page=_page,
        marker=lambda v: f'data-testid="approve-{v.number}"',
        post=lambda v: (reverse("partnerships:version_approve", args=[v.pk]), {}),
    ),
    "new_version": Verb(
        "new_version",
        service=lambda a, v: services.new_version(
            a, v.agreement_id, services.VersionIn(**{**version_in().__dict__, **_new()})
        ),
        done=lambda v: v.agreement.versions.filter(title="矩阵新版").exists(),
        api=lambda v: ("post", f"{A}/agreements/{v.agreement_id}/versions", NEW),
        page=_page,
        marker=lambda v: 'data-testid="new-version"',
        form=lambda v: reverse("partnerships:version_new", args=[v.agreement_id]),
    ),
}
MATRIX = Matrix(TABLE, VERBS)


def _new() -> dict[str, Any]:
    return {"title": "矩阵新版", "clauses": NEW["clauses"], "note": "矩阵"}


@pytest.fixture
def world(cast, paired) -> dict[str, AgreementVersion]:
    tongzhou_admin(cast)
    sanhe = cast.actor("sanhe")
    pending = services.create_agreement(sanhe, paired.pk, version_in(title="待批协议"))
    old = services.create_agreement(sanhe, paired.pk, version_in(title="旧协议"))
    services.new_version(sanhe, old.agreement_id, version_in(clauses=changed_clauses(), note="改"))
    approved = approved_v1(cast, paired)
    old.refresh_from_db()
    return {"pending": pending, "superseded": old, "approved": approved}


(
    test_it_allows_through_the_services_exactly_what_the_table_says,
    test_it_answers_through_the_api_exactly_what_the_table_says,
    test_it_shows_pages_and_buttons_exactly_where_the_table_says,
) = door_tests(MATRIX)


def test_it_names_every_declared_verb_of_agreements_in_its_table():
    from xietong.partnerships.models import Agreement

    assert set(access.policy_for(AgreementVersion).verbs) == {"approve"}
    assert set(access.policy_for(Agreement).verbs) == {"edit"}
