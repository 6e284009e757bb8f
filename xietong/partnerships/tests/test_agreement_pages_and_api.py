"""Agreements through the API and the pages: list and detail with versions, approvals,
fingerprint and actions; create, new version, approve, compare; the approval inbox."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from xietong.access.testing import Api
from xietong.partnerships.agreements import services
from xietong.partnerships.models import AgreementVersion
from xietong.partnerships.tests.agreement_world import (
    approved_v1,
    changed_clauses,
    tongzhou_admin,
    version_in,
)

A = "/api/partnerships"
BODY = {
    "title": "结对帮扶协议",
    "starts_on": "2024-09-01",
    "clauses": [{"heading": "一、目标", "text": "每学期互访一次"}],
}


@pytest.fixture
def api(cast):
    tongzhou_admin(cast)
    return Api(cast.actor)


def test_the_api_creates_approves_and_versions_an_agreement(cast, paired, api):
    r = api.call("sanhe", ("post", f"{A}/{paired.pk}/agreements", BODY))
    assert r.status_code == 201, r.content
    agreement = r.json()
    v1 = agreement["versions"][0]
    assert (v1["number"], v1["status"], len(v1["fingerprint"])) == (1, "pending", 64)
    assert {w["name"] for w in v1["waiting_for"]} == {"Tongzhou No. 1", "Sanhe Experimental"}
    for user in ("school_admin", "tongzhou_admin"):
        r = api.call(user, ("post", f"{A}/agreements/versions/{v1['id']}/approve", {}))
        assert r.status_code == 200, r.content
    assert r.json()["versions"][0]["status"] == "approved"
    assert len(r.json()["versions"][0]["approvals"]) == 2
    body = {**BODY, "clauses": [{"heading": "一、目标", "text": "每学期互访两次"}], "note": "两次"}
    r = api.call("school_admin", ("post", f"{A}/agreements/{agreement['id']}/versions", body))
    assert r.status_code == 201
    assert [v["status"] for v in r.json()["versions"]] == ["pending", "approved"]
    assert "edit" in r.json()["actions"]
    r = api.call("beijing", ("get", f"{A}/agreements/{agreement['id']}/compare", None))
    rows = {row["key"]: row for row in r.json()["rows"]}
    assert rows["clause:1"]["status"] == "changed"
    assert "<ins>两</ins>" in rows["clause:1"]["right_html"]
    r = api.call("beijing", ("get", f"{A}/{paired.pk}/agreements", None))
    assert [len(a["versions"]) for a in r.json()] == [2]


def test_the_api_refuses_bad_input_by_field_and_writes_nothing(cast, paired, api):
    bad = {**BODY, "ends_on": "2020-01-01"}
    r = api.call("sanhe", ("post", f"{A}/{paired.pk}/agreements", bad))
    assert r.status_code == 422 and "ends_on" in r.json()["fields"]
    r = api.call("sanhe", ("post", f"{A}/{paired.pk}/agreements", {**BODY, "extra": 1}))
    assert r.status_code == 422
    assert not AgreementVersion.objects.exists()


def test_the_api_refuses_approving_a_superseded_version_or_as_no_party(cast, paired, api):
    v1 = services.create_agreement(cast.actor("sanhe"), paired.pk, version_in())
    r = api.call("sanhe", ("post", f"{A}/agreements/versions/{v1.pk}/approve", {}))
    assert r.status_code == 403
    services.new_version(cast.actor("sanhe"), v1.agreement_id, version_in(note="改", title="新"))
    r = api.call("school_admin", ("post", f"{A}/agreements/versions/{v1.pk}/approve", {}))
    assert r.status_code == 409
    assert "取代" in r.json()["message"]


def test_the_api_refuses_a_version_number_the_agreement_lacks(cast, paired, api):
    v1 = services.create_agreement(cast.actor("sanhe"), paired.pk, version_in())
    r = api.call("sanhe", ("get", f"{A}/agreements/{v1.agreement_id}/compare?left=7", None))
    assert r.status_code == 422 and "left" in r.json()["fields"]


def test_the_partnership_page_lists_agreements_with_versions_and_approve_buttons(
    cast, paired, client
):
    v1 = approved_v1(cast, paired)
    services.new_version(
        cast.actor("sanhe"), v1.agreement_id, version_in(clauses=changed_clauses(), note="两次")
    )
    client.force_login(cast.users["school_admin"])
    html = client.get(reverse("partnerships:detail", args=[paired.pk])).content.decode()
    assert 'data-testid="agreements"' in html
    assert 'data-testid="approve-2"' in html and 'data-testid="approve-1"' not in html
    assert v1.fingerprint in html and "data-confirm" in html
    client.force_login(cast.users["beijing"])
    html = client.get(reverse("partnerships:detail", args=[paired.pk])).content.decode()
    assert 'data-testid="approve-2"' not in html and 'data-testid="add-agreement"' not in html


def test_a_version_is_written_from_the_form_with_heading_lines(cast, paired, client):
    client.force_login(cast.users["school_admin"])
    url = reverse("partnerships:agreement_create", args=[paired.pk])
    data = {
        "title": "结对帮扶协议",
        "starts_on": "2024-09-01",
        "clauses": "## 一、目标\n每学期互访一次\n\n## 二、期限\n三年",
    }
    r = client.post(url, data)
    assert r.status_code == 302
    v = AgreementVersion.objects.get()
    assert v.clauses == [
        {"heading": "一、目标", "text": "每学期互访一次"},
        {"heading": "二、期限", "text": "三年"},
    ]


def test_the_form_shows_bad_input_inline_and_writes_nothing(cast, paired, client):
    client.force_login(cast.users["school_admin"])
    url = reverse("partnerships:agreement_create", args=[paired.pk])
    with translation.override("zh-hans"):
        r = client.post(
            url,
            {"title": "协议", "starts_on": "2024-09-01", "ends_on": "2024-01-01", "clauses": "x"},
        )
    assert r.status_code == 200
    assert "协议的失效日期不能早于生效日期" in r.content.decode()
    assert not AgreementVersion.objects.exists()


def test_the_compare_page_shows_the_two_versions_side_by_side(cast, paired, client):
    v1 = approved_v1(cast, paired)
    services.new_version(
        cast.actor("sanhe"), v1.agreement_id, version_in(clauses=changed_clauses(), note="两次")
    )
    client.force_login(cast.users["beijing"])
    url = reverse("partnerships:agreement_compare", args=[v1.agreement_id])
    html = client.get(url).content.decode()
    assert "<ins>两</ins>" in html and "<del>一</del>" in html
    html = client.get(url, {"left": "9", "right": "1"}).content.decode()
    assert 'data-testid="compare-error"' in html


def test_the_inbox_lists_what_waits_for_the_actor_and_not_what_it_approved(cast, paired, client):
    tongzhou_admin(cast)
    v = services.create_agreement(cast.actor("sanhe"), paired.pk, version_in())
    client.force_login(cast.users["school_admin"])
    url = reverse("partnerships:agreement_inbox")
    assert "结对帮扶协议" in client.get(url).content.decode()
    services.approve(cast.actor("school_admin"), v.pk)
    assert "结对帮扶协议" not in client.get(url).content.decode()
    client.force_login(cast.users["tongzhou_admin"])
    assert "结对帮扶协议" in client.get(url).content.decode()
    client.force_login(cast.users["sanhe"])
    assert "结对帮扶协议" not in client.get(url).content.decode()


def test_a_refused_approval_from_the_page_is_a_message_and_nothing_written(cast, paired, client):
    v1 = services.create_agreement(cast.actor("sanhe"), paired.pk, version_in())
    services.new_version(cast.actor("sanhe"), v1.agreement_id, version_in(note="改", title="新"))
    client.force_login(cast.users["school_admin"])
    r = client.post(reverse("partnerships:version_approve", args=[v1.pk]), follow=True)
    assert r.status_code == 200 and "已被新版本取代" in r.content.decode()
    assert not v1.approvals.exists()
