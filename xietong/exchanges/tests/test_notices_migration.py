"""The migration to reason codes: old sentences become legacy codes, and back again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from xietong.exchanges import services
from xietong.exchanges.models import MatchResult
from xietong.exchanges.tests.conftest import Ex, approve, close
from xietong.notifications.models import Notification

BEFORE = [("exchanges", "0001_initial")]
AFTER = [("exchanges", "0002_notices_reason_codes")]


@pytest.fixture
def audit_log_emptied_after() -> Iterator[None]:
    """Let the flush after this transactional test pass SQLite's append-only triggers."""
    from xietong.tests_browser.test_journey import _empty_the_audit_log_for_the_flush

    yield
    _empty_the_audit_log_for_the_flush()


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_keeps_notifications_and_explanations_across_the_migration_both_ways(
    audit_log_emptied_after: None, ex: Ex
) -> None:
    app = services.create_application(
        ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk], submit=True
    )
    approve(ex, app.pk)
    close(ex)
    run = services.start_matching_run(ex.actor("sanhe"), ex.program.pk, "stable", enqueue=False)
    services.execute_matching_run(run.pk)
    teacher = ex.cast.users["teacher"]
    sent = Notification.objects.filter(recipient=teacher).count()
    try:
        with translation.override("en"):  # going back renders in Chinese whatever is active
            old = _migrate(BEFORE)
        OldNotification = old.get_model("exchanges", "Notification")
        texts = list(
            OldNotification.objects.filter(user_id=teacher.pk)
            .order_by("pk")
            .values_list("text", "link")
        )
        assert len(texts) == sent
        assert texts[-1] == (
            "您报名“三河—副中心跟岗研修”的申请已通过审核。",
            f"/api/exchanges/applications/{app.pk}",
        )
        OldResult = old.get_model("exchanges", "MatchResult")
        zh, en = OldResult.objects.values_list("explanation_zh", "explanation_en").get()
        assert zh == "第1志愿 Tongzhou No. 1（小学·数学）：录取。"
        assert en == "Your choice no. 1, Tongzhou No. 1 (Primary, Mathematics): admitted."
    finally:
        _migrate(AFTER)
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # the latest schema

    back = Notification.objects.filter(recipient=teacher).order_by("pk")
    assert back.count() == sent
    last = back.last()
    assert last is not None and last.code == "exchanges.legacy" and last.target_id == app.pk
    assert last.params == {"text": "您报名“三河—副中心跟岗研修”的申请已通过审核。"}
    assert MatchResult.objects.get().explanation == {"code": "legacy", "zh": zh, "en": en}
