"""The indicators API: the list with projections, one indicator with history and
breakdown, the value computed now, reporting and review, snapshots on demand; bad input
is a specific 4xx, never a 500."""

from __future__ import annotations

from typing import Any

from django.test import Client

from xietong.accounts.services import create_token
from xietong.plan.indicators import snapshots

A = "/api/plan/indicators"


def api(world: Any, user: str) -> tuple[Client, dict[str, str]]:
    token = create_token(world.actor(user), "test")[1]
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}


def post(client: Client, auth: dict[str, str], path: str, data: Any) -> Any:
    return client.post(path, data, content_type="application/json", **auth)


def test_the_list_and_the_detail_carry_history_projection_and_breakdown(world):
    for period in ("2024Q2", "2024Q3", "2024Q4", "2025Q1"):
        snapshots.snapshot(None, period)
    client, auth = api(world, "hebei_viewer")
    rows = client.get(A, **auth).json()
    assert {r["key"] for r in rows} == {"cooperating-hebei", "exchange-coverage", "hebei-shadowing"}
    detail = client.get(f"{A}/cooperating-hebei", **auth).json()
    assert [h["period"] for h in detail["history"]] == ["2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    assert [float(h["value"]) for h in detail["history"]] == [1, 1, 1, 2]
    p = detail["projection"]
    assert p["points"] == 4 and p["target_period"] == "2025Q4"
    # 1, 1, 1, 2: +0.3 a quarter reaches 2.6 by 2025Q4, short of 4.
    assert p["at_risk"] is True and float(p["projected"]) == 2.6
    assert (
        "(+0.3 a quarter) it reaches 2.6 by 2025-12-31, short of the target 4."
        in (p["explanation"])
    )
    assert detail["breakdown_period"] == "2025Q1"
    provinces = {x["scope"]: x["value"] for x in detail["provinces"]}
    assert float(provinces["region:130000"]) == 2
    xiongan = client.get(f"{A}/cooperating-hebei?scope=group:xiongan", **auth).json()
    assert [float(h["value"]) for h in xiongan["history"]] == [0, 0, 0, 1]


def test_the_value_now_is_computed_from_the_records(world):
    client, auth = api(world, "beijing")
    got = client.get(f"{A}/cooperating-hebei/value?period=2025Q1&scope=region:130000", **auth)
    assert got.status_code == 200 and float(got.json()["value"]) == 2
    bad = client.get(f"{A}/cooperating-hebei/value?period=2025Q9", **auth)
    assert bad.status_code == 422 and "not a period" in bad.json()["message"]
    assert client.get(f"{A}/nothing-such", **auth).status_code == 404


def test_a_value_is_reported_submitted_and_approved_over_the_api(world):
    client, auth = api(world, "hebei")
    made = post(
        client,
        auth,
        f"{A}/hebei-shadowing/values",
        {"period": "2025Q2", "value": "80", "submit": True},
    )
    assert made.status_code == 201, made.json()
    assert made.json()["status"] == "submitted"
    refused = post(client, auth, f"{A}/hebei-shadowing/values", {"period": "2025Q3", "value": "-1"})
    assert refused.status_code == 422 and "negative" in refused.json()["message"]
    bj, bj_auth = api(world, "beijing")
    pk = made.json()["id"]
    outsider, o_auth = api(world, "sanhe")
    assert post(
        outsider, o_auth, f"{A}/values/{pk}/review", {"verdict": "approve"}
    ).status_code in (403, 404)
    done = post(bj, bj_auth, f"{A}/values/{pk}/review", {"verdict": "approve"})
    assert done.status_code == 200 and done.json()["status"] == "approved"
    again = post(client, auth, f"{A}/hebei-shadowing/values", {"period": "2025Q2", "value": "81"})
    assert again.status_code == 409


def test_a_snapshot_is_requested_as_a_job(world, django_capture_on_commit_callbacks):
    client, auth = api(world, "beijing")
    with django_capture_on_commit_callbacks(execute=True):
        got = post(client, auth, f"{A}/snapshot", {"periods": ["2025Q1"]})
    assert got.status_code == 202
    bad = post(client, auth, f"{A}/snapshot", {"periods": ["soon"]})
    assert bad.status_code == 422
    school, s_auth = api(world, "school_admin")
    assert post(school, s_auth, f"{A}/snapshot", {"periods": ["2025Q1"]}).status_code == 403
