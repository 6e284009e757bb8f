"""Numbers read together — a chart's areas in one grouped query, a trend's days in one,
partnerships split by kind in one — equal each number read alone, for every metric that
reads so; and the overview's query count does not grow with areas, quarters or records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xietong.conftest import PASSWORD, make_institution
from xietong.dashboard.tests import world as w
from xietong.partnerships.choices import MemberRole, PartnershipKind
from xietong.partnerships.tests.conftest import make_partnership
from xietong.plan import metrics
from xietong.plan.metrics import Scope, Span
from xietong.regions.models import Region, RegionGroup

DAY = dt.date(2025, 11, 20)
DAYS = [dt.date(2023, 9, 30), dt.date(2023, 12, 31), dt.date(2024, 6, 30), DAY]


def _param_sets(metric: metrics.Metric) -> list[dict[str, str]]:
    """No parameter, and one kind of partnership (the world pairs schools of three)."""
    kinds = metric.params.get("kind") or ()
    return [{}, {"kind": PartnershipKind.PAIRED.value}] if kinds else [{}]


def _stages(metric: metrics.Metric) -> list[str]:
    return ["", "primary"] if "stage" in metric.breakdowns else [""]


def _scopes() -> list[Scope]:
    county = Region.objects.get(code="131082").path
    district = Region.objects.get(code="110112").path
    return [
        metrics.WHOLE,
        Scope(region_path="130000/"),
        Scope(region_path=county),
        Scope(region_path=district),
        Scope(group="xiongan"),
    ]


def test_every_metric_that_reads_areas_together_gives_each_area_its_own_value(db: Any) -> None:
    w.build(5)
    # The provinces, the cities, the world's counties with two without schools, and the
    # region groups (one reaching both sides), alone and within Hebei.
    counties = [*w.HEBEI_CODES, *w.BJTJ_CODES, "130102", "110101"]
    levels = [
        list(Region.objects.filter(level=level).values_list("path", flat=True))
        for level in (Region.Level.PROVINCE, Region.Level.CITY)
    ] + [list(Region.objects.filter(code__in=counties).values_list("path", flat=True))]
    groups = list(RegionGroup.objects.values_list("key", flat=True))
    grouped = [m for m in metrics.registered() if m.by_area is not None]
    assert {m.key for m in grouped} >= {
        "partnerships.active",
        "partnerships.cooperating_bj_tj",
        "partnerships.cooperating_hebei",
    }
    seen = 0
    for metric in grouped:
        for params in _param_sets(metric):
            for stage in _stages(metric):
                sets = [[Scope(region_path=p, stage=stage) for p in paths] for paths in levels]
                sets += [
                    [Scope(region_path=within, group=g, stage=stage) for g in groups]
                    for within in ("", "130000/")
                ]
                for scopes in sets:
                    together = metric.compute_scopes(scopes, Span(DAY, DAY), params)
                    for scope, value in zip(scopes, together, strict=True):
                        alone = metric.compute(scope, Span(DAY, DAY), params)
                        assert value == alone, (metric.key, params, scope)
                        seen += bool(alone)
    assert seen > 20  # the world has numbers to compare, not only zeros


def test_every_stock_read_on_several_days_equals_each_day_alone(db: Any) -> None:
    w.build(5)
    readers = [m for m in metrics.registered() if m.by_day is not None]
    assert {m.key for m in readers} >= {
        "partnerships.cooperating_bj_tj",
        "partnerships.cooperating_hebei",
    }
    seen = 0
    for metric in readers:
        for scope in _scopes():
            for params in _param_sets(metric):
                together = metric.compute_days(scope, DAYS, params)
                for d in DAYS:
                    alone = metric.compute(scope, Span(d, d), params)
                    assert together[d] == alone, (metric.key, scope, params, d)
                    seen += bool(alone)
    assert seen > 20


def test_a_count_split_by_kind_equals_each_kind_alone(db: Any) -> None:
    w.build(5)
    kinds = [k.value for k in PartnershipKind]
    splitting = [m for m in metrics.registered() if "kind" in m.split_by]
    assert {m.key for m in splitting} >= {"partnerships.active", "partnerships.activities"}
    for metric in splitting:
        span = Span(dt.date(2025, 9, 1), DAY)
        for scope in _scopes():
            together = metric.compute_split(scope, span, {}, "kind", kinds)
            for k in kinds:
                assert together[k] == metric.compute(scope, span, {"kind": k}), (metric.key, k)
        assert sum(metric.compute_split(metrics.WHOLE, span, {}, "kind", kinds).values()) > 0


def _overview_queries(scope: str) -> tuple[int, int]:
    """The queries of the overview page and of the charts it fetches."""
    c = Client()
    assert c.login(username="hebei", password=PASSWORD)
    q = {"period": w.PERIOD, "scope": scope}
    counts = []
    for path in ("/dashboard/", "/api/dashboard/charts"):
        assert c.get(path, q).status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(path, q).status_code == 200
        counts.append(len(ctx.captured_queries))
    return counts[0], counts[1]


def _more_partnerships(n: int) -> None:
    """``n`` more pairs, across Hebei cities and counties and both municipalities."""
    hebei = ["130102", "130203", "130304", "130406", "131082", "131028", "130638", "131102"]
    bjtj = ["110101", "110105", "110112", "120101", "120114"]
    for i in range(n):
        a = make_institution(f"增补京津学校{i}", bjtj[i % len(bjtj)], stages=",primary,")
        b = make_institution(f"增补河北学校{i}", hebei[i % len(hebei)], stages=",primary,")
        make_partnership(
            f"增补协作{i}",
            b.region.code,
            [(a, MemberRole.LEAD), (b, MemberRole.SUPPORTED)],
            starts_on=dt.date(2023, 9, 1) + dt.timedelta(days=45 * (i % 8)),
        )


@pytest.mark.parametrize("scope", ["all", "region:130000", "region:131000", "region:131082"])
def test_the_overview_reads_as_many_queries_for_a_large_world_as_for_a_small_one(
    db: Any, scope: str
) -> None:
    w.build(3)
    small = _overview_queries(scope)
    _more_partnerships(16)
    large = _overview_queries(scope)
    assert large == small
    page, drawn = small
    assert page <= 40 and drawn <= 40  # each series one query, not one per bar or quarter
