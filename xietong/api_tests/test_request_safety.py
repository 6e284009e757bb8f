"""Requests Django or the platform refuses before any view: control characters, NUL and
text-direction overrides in any text, bodies too large, a bad Host — a specific message,
JSON under /api/, nothing written."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from xietong.institutions.models import Institution

BAD = {
    "nul": "三河\x00小学",
    "bell": "三河\x07小学",
    "escape": "三河\x1b[31m小学",
    "c1": "三河\x85小学",
    "rlo": "三河\u202e学小",
    "isolate": "三河\u2066小学\u2069",
}


@pytest.mark.parametrize("text", BAD.values(), ids=BAD.keys())
def test_it_refuses_bad_characters_in_a_json_body(api, cast, text):
    before = Institution.objects.count()
    r = api.post(
        "/api/institutions/",
        {"name": text, "kind": "primary", "region": "131082"},
        as_="sanhe",
        lang="en",
    )
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid" and "name" in body["fields"]
    assert "not allowed" in body["message"]
    assert Institution.objects.count() == before


def test_it_refuses_an_escaped_override_in_json_as_well(api, cast):
    raw = json.dumps({"name": "三河\u202e", "kind": "primary", "region": "131082"})
    assert "\\u202e" in raw
    r = api.post("/api/institutions/", raw=raw, as_="sanhe")
    assert r.status_code == 422


def test_it_refuses_bad_characters_in_a_query(api, cast):
    r = api.get("/api/institutions/", {"q": "三河\u202e"}, as_="sanhe")
    assert r.status_code == 422 and "q" in r.json()["fields"]


def test_it_allows_tabs_and_new_lines(api, cast):
    r = api.get("/api/institutions/", {"q": "三河\t"}, as_="sanhe")
    assert r.status_code == 200


def test_it_refuses_bad_characters_in_a_multipart_form_on_a_page(cast):
    client = Client()
    client.force_login(cast.users["sanhe"])
    r = client.post(
        reverse("institutions:create"),
        {"name": "三河\x00小学", "kind": "primary", "region": "131082"},
    )  # the test client sends multipart
    assert r.status_code == 422
    assert "不允许" in r.content.decode()
    assert (
        not Institution.objects.filter(name__startswith="三河")
        .exclude(pk__in=[cast.sanhe_school.pk])
        .filter(name__contains="小学")
        .exists()
    )


def test_it_answers_a_body_too_large_with_json_413(api, cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    r = api.post("/api/institutions/", raw=json.dumps({"name": "x" * 5000}), as_="sanhe", lang="en")
    assert r.status_code == 413
    assert r.json()["code"] == "too_large"


def test_it_answers_a_bad_host_under_the_api_with_json(cast):
    r = Client().get("/api/regions/", HTTP_HOST="evil.example")
    assert r.status_code == 400
    assert r.json()["code"] == "bad_request"
