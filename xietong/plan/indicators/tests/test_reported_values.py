"""Reported values: the reporting body writes and submits, a plan manager approves or
returns; every refusal is specific and changes nothing."""

from __future__ import annotations

import pytest

from xietong.accounts.models import AuditEvent, Role
from xietong.conftest import make_user, region
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied
from xietong.plan.choices import ValueStatus
from xietong.plan.indicators.compute import compute
from xietong.plan.indicators.services import report_value, review_value, submit_value
from xietong.plan.metrics import WHOLE, Scope
from xietong.plan.models import IndicatorValue
from xietong.regions.models import Region


def test_the_body_reports_a_manager_approves_and_then_it_counts(world):
    hebei, beijing = world.actor("hebei"), world.actor("beijing")
    row = report_value(hebei, world.shadowing, "2025年第2季度", "120", note="跟岗 120 人")
    assert (row.period, row.status, row.value) == ("2025Q2", ValueStatus.DRAFT, 120)
    row = report_value(hebei, world.shadowing, "2025Q2", "125")  # a draft may be rewritten
    assert IndicatorValue.objects.get(pk=row.pk).value == 125
    submit_value(hebei, row)
    assert compute(world.shadowing, WHOLE, "2025Q2").value is None
    review_value(beijing, row, "approve")
    row.refresh_from_db()
    assert row.status == ValueStatus.APPROVED and row.reviewed_at is not None
    assert compute(world.shadowing, WHOLE, "2025Q2").value == 125
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "plan.indicator_value.report",
        "plan.indicator_value.update",
        "plan.indicator_value.submit",
        "plan.indicator_value.approve",
    } <= actions


def test_a_returned_value_is_corrected_and_submitted_again(world):
    hebei, beijing = world.actor("hebei"), world.actor("beijing")
    row = report_value(hebei, world.shadowing, "2025Q3", "90")
    submit_value(hebei, row)
    with pytest.raises(InvalidInput) as e:
        review_value(beijing, row, "return")
    assert "Say what should change" in str(e.value.message)
    review_value(beijing, row, "return", "请附名单")
    row.refresh_from_db()
    assert (row.status, row.review_comment) == (ValueStatus.RETURNED, "请附名单")
    report_value(hebei, world.shadowing, "2025Q3", "95")
    submit_value(hebei, row)
    row.refresh_from_db()
    assert (row.status, row.value) == (ValueStatus.SUBMITTED, 95)


def test_only_the_reporter_reports_and_only_a_manager_reviews(world):
    with pytest.raises(PermissionDenied) as e:
        report_value(world.actor("beijing"), world.shadowing, "2025Q2", "1")
    assert "Only the body that reports" in str(e.value.message)
    # A Hebei city's authority acts for its city, not for the province's bureau.
    with pytest.raises(PermissionDenied):
        report_value(world.actor("sanhe"), world.shadowing, "2025Q2", "1")
    row = report_value(world.actor("hebei"), world.shadowing, "2025Q2", "1")
    submit_value(world.actor("hebei"), row)
    make_user("tianjin", Role.AUTHORITY_ADMIN, region=region("120000"))
    with pytest.raises(PermissionDenied) as e:
        review_value(world.actor("tianjin"), row, "approve")
    assert "signed the plan" in str(e.value.message)
    row.refresh_from_db()
    assert row.status == ValueStatus.SUBMITTED


@pytest.mark.parametrize(
    ("period", "value", "scope", "error", "words"),
    [
        ("2025Q5", "1", "", InvalidInput, "not a period"),
        ("next spring", "1", "", InvalidInput, "not a period"),
        ("2025-07", "1", "", InvalidInput, "reported per quarter"),
        ("2025Q2", "-3", "", InvalidInput, "A count cannot be negative"),
        ("2025Q2", "2.5", "", InvalidInput, "whole number"),
        ("2025Q2", "many", "", InvalidInput, "not a number"),
        ("2025Q2", "1", "region:110000", InvalidInput, "its own region only"),
        ("2025Q2", "1", "group:fuzhongxin", InvalidInput, "its own region only"),
        ("2025Q2", "1", "region:999999", InvalidInput, "Unknown region"),
    ],
)
def test_bad_input_is_refused_with_a_specific_message(world, period, value, scope, error, words):
    with pytest.raises(error) as e:
        report_value(world.actor("hebei"), world.shadowing, period, value, scope=scope)
    assert words in str(e.value.message)
    assert IndicatorValue.objects.count() == 0


def test_a_scope_within_the_reporters_region_is_accepted(world):
    row = report_value(world.actor("hebei"), world.shadowing, "2025Q2", "7", scope="group:xiongan")
    assert row.scope == "group:xiongan"
    sanhe = Region.objects.get(code="131082")
    assert compute(world.shadowing, Scope(region_path=sanhe.path), "2025Q2").value is None


def test_a_percentage_over_100_is_refused(world):
    world.shadowing.unit = "percent"
    world.shadowing.save()
    with pytest.raises(InvalidInput) as e:
        report_value(world.actor("hebei"), world.shadowing, "2025Q2", "100.5")
    assert "over 100" in str(e.value.message)
    assert report_value(world.actor("hebei"), world.shadowing, "2025Q2", "99.5").value == 99.5


def test_an_approved_or_waiting_period_is_not_reported_again(world):
    hebei = world.actor("hebei")
    row = report_value(hebei, world.shadowing, "2025Q2", "10")
    submit_value(hebei, row)
    with pytest.raises(Conflict) as e:
        report_value(hebei, world.shadowing, "2025Q2", "11")
    assert "waits for review" in str(e.value.message)
    review_value(world.actor("beijing"), row, "approve")
    with pytest.raises(Conflict) as e:
        report_value(hebei, world.shadowing, "2025Q2", "11")
    assert "has been approved" in str(e.value.message)
    with pytest.raises(Conflict):
        submit_value(hebei, row)
    assert IndicatorValue.objects.get(pk=row.pk).value == 10


def test_a_computed_indicator_is_not_reported(world):
    with pytest.raises(InvalidInput) as e:
        report_value(world.actor("hebei"), world.cooperating, "2025Q2", "10")
    assert "computed" in str(e.value.message)
