"""Stored subject names become codes on migration; unknown names stay and are reported."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("institutions", "0001_initial"), ("exchanges", "0002_terms_term_key")]
AFTER = [("institutions", "0002_terms_subject_codes"), ("exchanges", "0003_terms_subject_codes")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_turns_stored_subject_names_into_codes_and_keeps_unknown_ones(capsys) -> None:
    apps = _migrate(BEFORE)
    try:
        Region = apps.get_model("regions", "Region")
        Institution = apps.get_model("institutions", "Institution")
        Staff = apps.get_model("institutions", "Staff")
        region = Region.objects.filter(code="131082").first() or Region.objects.create(
            code="131082", name="三河市", level="county", path="131082/"
        )
        school = Institution.objects.create(
            name="三河市实验小学", kind="primary", region=region, region_path=region.path
        )
        common = {"institution": school, "joined_on": dt.date(2020, 9, 1)}
        common |= {"birth_date": dt.date(1990, 1, 1), "gender": "F"}
        for i, subjects in enumerate([",语文,数学,", ",思想政治,", ",炼金术,数学,", ",14,"]):
            Staff.objects.create(
                name=f"教师{i}", id_number=f"13108219900101{i:04d}", subjects=subjects, **common
            )
        apps = _migrate(AFTER)
        Staff = apps.get_model("institutions", "Staff")
        stored = list(Staff.objects.order_by("name").values_list("subjects", flat=True))
        assert stored == [",13,14,", ",12,", ",炼金术,14,", ",14,"]
        assert "炼金术 ×1" in capsys.readouterr().out
        apps = _migrate(BEFORE)  # and back again
        Staff = apps.get_model("institutions", "Staff")
        stored = list(Staff.objects.order_by("name").values_list("subjects", flat=True))
        assert stored == [",语文,数学,", ",道德与法治,", ",炼金术,数学,", ",数学,"]
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
