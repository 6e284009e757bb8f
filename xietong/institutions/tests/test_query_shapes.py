"""The staff list's SQL shapes (decision 0012) change how rows are found, not which: the
flags on a list's rows say what a fresh read of each row says."""

from __future__ import annotations

import pytest
from django.db import connection

from xietong import access
from xietong.institutions.models import Staff
from xietong.institutions.selectors import StaffFilters, staff_for, staff_owning_q

ACTORS = ["beijing", "tongzhou", "sanhe", "hebei_viewer", "school_admin", "teacher", "sysadmin"]


@pytest.mark.parametrize("username", ACTORS)
def test_the_list_rows_name_the_actions_and_ownership_a_fresh_read_names(cast, username):
    actor = cast.actor(username)
    rows = list(staff_for(actor))
    assert rows, "every actor of the cast reads someone"
    owning = set(Staff.objects.filter(staff_owning_q(actor)).values_list("pk", flat=True))
    for row in rows:
        fresh = Staff.objects.get(pk=row.pk)
        assert access.actions(actor, row) == access.actions(actor, fresh), row.name
        assert access.can_read(actor, row) and access.can_read(actor, fresh)
        assert row.owned == (row.pk in owning), row.name


@pytest.mark.parametrize("username", ["beijing", "school_admin"])
def test_the_staff_read_rule_tests_the_staff_row_s_own_institution(cast, username):
    """No condition on the joined institution in the WHERE clause: ORed with the exchanges'
    relations it would make PostgreSQL filter every (staff, institution) pair."""
    sql = str(staff_for(cast.actor(username), StaffFilters()).query)
    where = sql.split(" WHERE ", 1)[1]
    assert "EXISTS" in where
    assert '"institutions_institution"."region_path"' not in where
    assert '"institutions_institution"."parent_id"' not in where


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL form")
def test_the_people_an_exchange_shows_are_looked_up_by_primary_key(cast):
    sql = str(staff_for(cast.actor("beijing"), StaffFilters()).query)
    assert '"institutions_staff"."id" = ANY(ARRAY(SELECT' in sql
