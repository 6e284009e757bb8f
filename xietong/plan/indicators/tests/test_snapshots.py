"""Snapshots write computed values into the history for the whole area, each province and
each region group; again for the same period they rewrite the same rows; they never
overwrite a published figure; the nightly job and the command take them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from xietong.accounts.models import AuditEvent
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.jobs import schedule, services
from xietong.jobs.models import Job
from xietong.partnerships.models import Member
from xietong.plan.choices import ValueOrigin
from xietong.plan.indicators import snapshots
from xietong.plan.indicators.tasks import SNAPSHOT_JOB
from xietong.plan.models import IndicatorValue
from xietong.regions.models import RegionGroup


def _values(indicator, period):
    return {
        (v.scope, v.stage): v.value
        for v in IndicatorValue.objects.filter(indicator=indicator, period=period)
    }


def test_a_snapshot_writes_the_whole_area_provinces_groups_and_stages(world):
    result = snapshots.snapshot(world.actor("beijing"), "2025Q1")
    values = _values(world.cooperating, "2025Q1")
    groups = RegionGroup.objects.count()
    assert len(values) == 1 + 3 + groups + 4
    assert values[("", "")] == 2
    assert values[("region:130000", "")] == 2
    # A Beijing or Tianjin scope: the Hebei schools cooperating with its schools.
    assert values[("region:110000", "")] == 2
    assert values[("region:120000", "")] == 0
    assert values[("group:xiongan", "")] == 1
    assert values[("", "senior")] == 0  # a stage narrows both sides: Tongzhou No. 1 is primary
    assert values[("", "primary")] == 1
    assert result.written == len(values) + len(_values(world.coverage, "2025Q1"))
    assert set(result.indicators) == {"cooperating-hebei", "exchange-coverage"}
    assert IndicatorValue.objects.filter(indicator=world.shadowing).count() == 0
    assert AuditEvent.objects.filter(action="plan.indicator.snapshot").count() == 1


def test_a_second_snapshot_of_the_period_rewrites_the_same_rows(world):
    snapshots.snapshot(None, "2025Q1")
    before = IndicatorValue.objects.count()
    again = snapshots.snapshot(None, "2025Q1")
    assert (again.written, IndicatorValue.objects.count()) == (0, before)
    assert again.unchanged == before
    # The records change: the rewritten value follows them, no row is added.
    Member.objects.filter(institution=world.cast.xiongxian_school).delete()
    third = snapshots.snapshot(None, "2025Q1")
    assert IndicatorValue.objects.count() == before
    assert third.written > 0
    assert _values(world.cooperating, "2025Q1")[("", "")] == 1


def test_a_snapshot_keeps_a_published_figure(world):
    IndicatorValue.objects.create(
        indicator=world.cooperating,
        period="2023Q4",
        value=Decimal(273),
        origin=ValueOrigin.PUBLISHED,
        source_note="新华社 2023-10",
    )
    result = snapshots.snapshot(None, "2023Q4", [world.cooperating])
    assert result.kept == 1
    assert _values(world.cooperating, "2023Q4")[("", "")] == 273


def test_a_snapshot_refuses_a_period_that_does_not_parse_and_an_outsider(world):
    with pytest.raises(InvalidInput) as e:
        snapshots.snapshot(None, "2025Q5")
    assert "2025Q5" in str(e.value.message)
    with pytest.raises(PermissionDenied):
        snapshots.snapshot(world.actor("school_admin"), "2025Q1")
    assert IndicatorValue.objects.count() == 0


def test_the_nightly_job_snapshots_the_current_quarter_and_the_one_just_ended():
    assert [p.code for p in snapshots.due_periods(dt.date(2025, 10, 3))] == ["2025Q3", "2025Q4"]
    assert [p.code for p in snapshots.due_periods(dt.date(2025, 11, 3))] == ["2025Q4"]


def test_the_tick_queues_the_daily_snapshot_and_it_runs(world):
    tick = schedule.tick(dispatch=False)
    job = next(j for j in tick.queued if j.kind == SNAPSHOT_JOB)
    job = services.run_now(job)
    assert job.status == "succeeded", job.message
    assert IndicatorValue.objects.filter(indicator=world.cooperating).exists()


def test_a_snapshot_on_demand_is_a_job_of_the_manager(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = snapshots.request_snapshot(world.actor("beijing"), ["2024Q2", "2025年第1季度"])
    job = Job.objects.get(pk=job.pk)
    assert job.status == "succeeded", job.message
    assert [p["period"] for p in job.result["periods"]] == ["2024Q2", "2025Q1"]
    assert _values(world.cooperating, "2024Q2")[("", "")] == 1
    with pytest.raises(InvalidInput):
        snapshots.request_snapshot(world.actor("beijing"), ["next year"])


def test_the_command_snapshots_a_period(world):
    out = StringIO()
    call_command("plan", "snapshot", "--period", "2025Q1", stdout=out)
    assert "2025Q1" in out.getvalue()
    assert _values(world.cooperating, "2025Q1")[("", "")] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2025Q9"), "is not a period"),
        (("--period", "2025Q1", "--indicator", "no-such"), "No such indicator: no-such"),
    ],
)
def test_the_command_refuses_bad_input_with_a_message_and_exit_code_2(world, args, message):
    with pytest.raises(CommandError, match=message) as e:
        call_command("plan", "--lang", "en", "snapshot", *args, stdout=StringIO())
    assert e.value.returncode == 2
    assert not IndicatorValue.objects.filter(period="2025Q1", origin=ValueOrigin.SNAPSHOT).exists()


def test_a_system_snapshot_that_changes_nothing_records_no_event(world):
    snapshots.snapshot(None, "2025Q1")
    events = AuditEvent.objects.count()
    snapshots.snapshot(None, "2025Q1")
    assert AuditEvent.objects.count() == events
    snapshots.snapshot(world.actor("beijing"), "2025Q1")  # a person's request is recorded
    assert AuditEvent.objects.count() == events + 1
