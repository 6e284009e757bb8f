"""The partnerships API: register with members in one call, read the detail with its
actions, set terms and dispatch people; bad input is a specific 422, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xietong.accounts.services import create_token
from xietong.conftest import Cast
from xietong.partnerships.models import Partnership

A = "/api/partnerships"


def api(cast: Cast, user: str) -> tuple[Client, dict[str, str]]:
    token = create_token(cast.actor(user), "test")[1]
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def body(cast: Cast, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "paired",
        "name": "通州一中—三河实验结对帮扶",
        "region": "131082",
        "starts_on": "2024-09-01",
        "ends_on": "2027-08-31",
        "members": [
            {"institution": cast.tongzhou_school.pk, "role": "lead"},
            {"institution": cast.sanhe_school.pk, "role": "supported"},
        ],
    }
    data.update(over)
    return data


def post(client: Client, auth: dict[str, str], path: str, data: Any) -> Any:
    return client.post(path, data, content_type="application/json", **auth)


def test_it_registers_activates_and_fills_a_partnership_through_the_api(cast):
    client, auth = api(cast, "sanhe")
    created = post(client, auth, A, body(cast))
    assert created.status_code == 201, created.content
    p = created.json()
    assert p["status"] == "draft" and set(p["actions"]) == {"edit", "activate", "delete"}
    assert [m["role"] for m in p["members"]] == ["lead", "supported"]
    pk = p["id"]
    assert post(client, auth, f"{A}/{pk}/activate", None).json()["status"] == "active"
    term = post(client, auth, f"{A}/{pk}/terms", {"school_year": 2024, "budget_yuan": "80000"})
    assert term.status_code == 200 and term.json()["label"] == "2024-2025"
    sent = post(
        client,
        auth,
        f"{A}/{pk}/dispatches",
        {
            "staff": cast.beijing_teacher.pk,
            "host": cast.sanhe_school.pk,
            "post": "执行校长",
            "starts_on": "2024-09-01",
            "ends_on": "2025-07-15",
        },
    )
    assert sent.status_code == 201, sent.content
    detail = client.get(f"{A}/{pk}", **auth).json()
    assert detail["dispatches"][0]["home"]["name"] == "Tongzhou No. 1"
    assert len(detail["terms"]) == 1


def test_a_member_admin_reads_the_partnership_with_no_actions(cast):
    client, auth = api(cast, "sanhe")
    pk = post(client, auth, A, body(cast)).json()["id"]
    post(client, auth, f"{A}/{pk}/activate", None)
    school, school_auth = api(cast, "school_admin")
    detail = school.get(f"{A}/{pk}", **school_auth)
    assert detail.status_code == 200 and detail.json()["actions"] == []


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"members": [{"institution": 1, "role": "lead"}]}, "members"),
        ({"kind": "nonsense"}, "kind"),
        ({"starts_on": "2024-02-30"}, "starts_on"),
        ({"region": "999999"}, "region"),
        ({"colour": "red"}, "colour"),
        ({"members": [{"institution": 2**62, "role": "lead"}, {"institution": 1}]}, "members"),
    ],
)
def test_it_refuses_bad_input_with_a_specific_message_and_writes_nothing(cast, over, field):
    client, auth = api(cast, "sanhe")
    response = post(client, auth, A, body(cast, **over))
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]
    assert not Partnership.objects.exists()


def test_it_answers_a_body_that_is_not_json_with_400(cast):
    client, auth = api(cast, "sanhe")
    response = client.post(A, "{not json", content_type="application/json", **auth)
    assert response.status_code in (400, 422)
    assert response.json()["code"]
