"""The migration that adds step times fills them for rows from before, from what knew them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xietong.accounts.models import AuditEvent
from xietong.exchanges import services
from xietong.exchanges.models import Application, Placement
from xietong.exchanges.tests.conftest import approve
from xietong.tests_browser.test_journey import _empty_the_audit_log_for_the_flush

BEFORE = [("exchanges", "0004_terms_merge")]
AFTER = [("exchanges", "0005_review_comments_step_times_ended_placements")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_fills_matching_and_start_times_from_the_audit_log(ex):
    teacher = ex.actor("teacher")
    app = services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk], submit=True)
    approve(ex, app.pk)
    services.assign_place(ex.actor("sanhe"), app.pk, ex.offer.slots.get().pk)
    placement = services.confirm_application(teacher, app.pk)
    services.start_placement(ex.actor("tongzhou"), placement.pk)
    matched = AuditEvent.objects.get(action="exchanges.application.matched").at
    started = AuditEvent.objects.get(action="exchanges.placement.start").at
    try:
        _migrate(BEFORE)  # the columns go …
        _migrate(AFTER)  # … and come back filled
        app = Application.objects.get(pk=app.pk)
        placement = Placement.objects.get(pk=placement.pk)
        assert app.matched_at == matched
        assert placement.started_at == started and placement.ended_at is None
    finally:
        executor = MigrationExecutor(connection)
        _migrate(executor.loader.graph.leaf_nodes())  # the latest schema for the next tests
        _empty_the_audit_log_for_the_flush()
