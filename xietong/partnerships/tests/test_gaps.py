"""Gaps of the network on a date: Hebei counties with no Beijing/Tianjin partner school,
Xiong'an's basic stages with no partner, 北三县 schools without one, partnerships with no
activity in the last finished term — scoped to the viewer, on the page, the API and the
``xietong partnerships`` command (bad input: a plain message and exit code 2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command, execute_from_command_line
from django.test import Client
from django.utils import translation

from xietong.accounts.services import create_token
from xietong.conftest import make_institution
from xietong.partnerships.choices import ActivityKind, MemberRole, PartnershipStatus
from xietong.partnerships.models import Activity
from xietong.partnerships.network import gaps, last_finished_term
from xietong.partnerships.tests.conftest import make_partnership

DAY = dt.date(2025, 11, 30)


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(cast):
    tianjin = make_institution("天津一中", "120101", kind="senior", stages=",senior,")
    paired = make_partnership(
        "通州一中—三河实验结对帮扶",
        "131082",
        [(cast.tongzhou_school, MemberRole.LEAD), (cast.sanhe_school, MemberRole.SUPPORTED)],
    )
    xiongan = make_partnership(
        "天津一中—雄县一中",
        "130638",
        [(tianjin, MemberRole.LEAD), (cast.xiongxian_school, MemberRole.SUPPORTED)],
    )
    Activity.objects.create(
        partnership=xiongan, kind=ActivityKind.VISIT, title="互访", occurred_on=dt.date(2025, 5, 9)
    )
    make_partnership(
        "草案",
        "131082",
        [(cast.tongzhou_school, MemberRole.LEAD), (cast.sanhe_branch, MemberRole.SUPPORTED)],
        status=PartnershipStatus.DRAFT,
    )
    return {"paired": paired, "xiongan": xiongan}


def test_the_last_finished_term_of_a_november_day_is_the_spring_term_before():
    assert last_finished_term(DAY).code == "2024-2025-2"


def test_everywhere_the_gaps_name_counties_stages_schools_and_quiet_partnerships(world, cast):
    g = gaps(DAY, None)
    codes = {c.code for c in g.counties}
    assert "131028" in codes and "131024" in codes
    assert "131082" not in codes and "130638" not in codes
    assert [code for code, _label in g.xiongan_stages] == ["preschool", "primary", "junior"]
    assert [s.name for s in g.beisanxian_schools] == ["Sanhe Experimental Dachang campus"]
    assert [p.name for p in g.quiet] == ["通州一中—三河实验结对帮扶"]


def test_an_authority_sees_the_gaps_of_its_own_region_only(world, cast):
    g = gaps(DAY, [cast.sanhe_school.region.path])
    assert g.counties == [] and g.xiongan_stages == [] and g.beisanxian_schools == []
    assert [p.name for p in g.quiet] == ["通州一中—三河实验结对帮扶"]


def test_before_the_partnerships_began_every_county_is_a_gap(world):
    g = gaps(dt.date(2023, 1, 1), None)
    assert {"131082", "130638"} <= {c.code for c in g.counties}


def test_the_gaps_page_and_api_answer_in_the_viewers_scope(world, cast):
    client = Client()
    client.force_login(cast.users["sanhe"])
    page = client.get("/partnerships/network/gaps/?date=2025-11-30")
    assert page.status_code == 200
    assert "Dachang" not in page.content.decode()
    token = create_token(cast.actor("hebei_viewer"), "test")[1]
    r = Client().get(
        "/api/partnerships/network/gaps?date=2025-11-30", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert r.status_code == 200
    body = r.json()
    assert body["quiet_term"] == "2024-2025-2"
    assert [s["name"] for s in body["beisanxian_schools"]] == ["Sanhe Experimental Dachang campus"]
    bad = Client().get(
        "/api/partnerships/network/gaps?date=2025-02-30", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert bad.status_code == 422


def test_the_network_page_and_api_show_the_count_of_the_day(world, cast):
    client = Client()
    client.force_login(cast.users["hebei_viewer"])
    page = client.get("/partnerships/network/?date=2025-11-30").content.decode()
    assert "network-chart" in page and "<strong>2</strong>" in page
    token = create_token(cast.actor("hebei_viewer"), "test")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    counts = Client().get("/api/partnerships/network/counts?date=2025-11-30", **auth).json()
    assert (counts["bjtj"], counts["hebei"]) == (2, 2)
    graph = Client().get("/api/partnerships/network?date=2025-11-30&group=xiongan", **auth).json()
    assert len(graph["links"]) == 1 and len(graph["nodes"]) == 2
    teacher = Client()
    teacher.force_login(cast.users["teacher"])
    assert teacher.get("/partnerships/network/").status_code == 403


def test_the_command_prints_the_gaps_of_a_region(world, capsys):
    call_command(
        "partnerships", "gaps", "--region", "131028", "--date", "2025-11-30", "--lang", "en"
    )
    out = capsys.readouterr().out
    assert "131028" in out and "Sanhe Experimental Dachang campus" in out


def test_the_command_prints_the_gaps_in_chinese_by_default(world, capsys):
    call_command("partnerships", "gaps", "--region", "beisanxian", "--date", "2025-11-30")
    assert "北三县尚无合作的学校：1 所" in capsys.readouterr().out


def test_the_command_prints_the_count_of_a_date(world, capsys):
    call_command("partnerships", "counts", "--date", "2025-11-30", "--lang", "en")
    assert "2 Beijing and Tianjin schools ↔ 2 Hebei schools" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["gaps", "--region", "999999"], "Unknown region or region group: 999999"),
        (["gaps", "--region", "131082", "--date", "2025-02-30"], "Not a date: 2025-02-30"),
        (["counts", "--date", "tomorrow"], "Not a date: tomorrow"),
        (["counts", "--lang", "fr"], "Unknown language"),
    ],
)
def test_the_command_refuses_bad_input_plainly_with_exit_code_2(world, capsys, args, words):
    with pytest.raises(SystemExit) as e:
        execute_from_command_line(
            ["xietong", "partnerships", *args, "--lang", "en"]
            if "--lang" not in args
            else ["xietong", "partnerships", *args]
        )
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
