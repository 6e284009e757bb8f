"""Signing in to the API: bearer tokens, sessions with CSRF, and what happens without."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from xietong.accounts.models import ApiToken
from xietong.accounts.services import create_token, revoke_token
from xietong.api_tests.conftest import assert_error
from xietong.institutions.models import Institution

NEW_INSTITUTION = {"name": "Sanhe No. 2", "kind": "primary", "region": "131082"}


def test_it_answers_a_call_without_credentials_with_401(api):
    assert_error(api.get("/api/institutions/"), 401, "unauthenticated")


def test_it_answers_a_write_without_credentials_with_401_not_a_csrf_refusal(api):
    assert_error(api.post("/api/institutions/", NEW_INSTITUTION), 401, "unauthenticated")


def test_it_accepts_a_bearer_token(api, cast):
    response = api.get("/api/accounts/me", as_="sanhe")
    assert response.status_code == 200
    assert response.json()["username"] == "sanhe"
    assert response.json()["roles"] == [
        {"id": None, "role": "authority_admin", "region_code": "131082", "institution_id": None}
    ]


def test_it_accepts_a_write_with_a_bearer_token_and_no_csrf_token(api):
    response = api.post("/api/institutions/", NEW_INSTITUTION, as_="sanhe")
    assert response.status_code == 201, response.content
    assert response.json()["region_code"] == "131082"


@pytest.mark.parametrize(
    "header", ["Bearer xt_not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "xt_"]
)
def test_it_refuses_a_malformed_or_unknown_token_with_401(api, header):
    response = api.get("/api/institutions/", headers={"Authorization": header})
    assert_error(response, 401, "unauthenticated")


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_refuses_a_revoked_token_with_401(api, cast, method):
    actor = cast.actor("sanhe")
    token, plain = create_token(actor, "soon revoked")
    revoke_token(actor, token.pk)
    response = api.call(
        method, "/api/institutions/", NEW_INSTITUTION, headers={"Authorization": f"Bearer {plain}"}
    )
    assert_error(response, 401, "unauthenticated")


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_refuses_an_expired_token_with_401(api, cast, method):
    token, plain = create_token(cast.actor("sanhe"), "expired", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = api.call(
        method, "/api/institutions/", NEW_INSTITUTION, headers={"Authorization": f"Bearer {plain}"}
    )
    assert_error(response, 401, "unauthenticated")


def test_it_refuses_the_token_of_a_deactivated_user_with_401(api, cast):
    plain = api.token("sanhe")
    cast.users["sanhe"].is_active = False
    cast.users["sanhe"].save()
    response = api.get("/api/accounts/me", headers={"Authorization": f"Bearer {plain}"})
    assert_error(response, 401)


def test_it_notes_when_a_token_was_last_used(api, cast):
    plain = api.token("sanhe")
    assert ApiToken.objects.get(user=cast.users["sanhe"]).last_used_at is None
    api.get("/api/accounts/me", headers={"Authorization": f"Bearer {plain}"})
    assert ApiToken.objects.get(user=cast.users["sanhe"]).last_used_at is not None


# --- sessions ---------------------------------------------------------------------------


def test_it_accepts_a_session_for_reading(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.users["hebei_viewer"])
    response = client.get("/api/institutions/", {"area": "130000"})
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_it_refuses_a_session_write_without_csrf_token_cleanly(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.users["sanhe"])
    response = client.post(
        "/api/institutions/", json.dumps(NEW_INSTITUTION), content_type="application/json"
    )
    assert_error(response, 403, "csrf_failed")
    assert not Institution.objects.filter(name="Sanhe No. 2").exists()


def test_it_accepts_a_session_write_with_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.users["sanhe"])
    client.get("/api/docs")  # the docs page sets the CSRF cookie, as the browser would get it
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/institutions/",
        json.dumps(NEW_INSTITUTION),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 201, response.content


def test_it_refuses_the_session_of_a_deactivated_user(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.users["sanhe"])
    cast.users["sanhe"].is_active = False
    cast.users["sanhe"].save()
    assert_error(client.get("/api/accounts/me"), 401)


# --- the schema and the docs ------------------------------------------------------------


def test_it_serves_the_openapi_schema_as_valid_json(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    for path in ("/api/institutions/", "/api/staff/{pk}/personal-data", "/api/accounts/me"):
        assert path in schema["paths"], path
    # Both ways of signing in are declared.
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_it_serves_the_docs_page_without_any_cdn(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    # Xietong runs on air-gapped networks: every asset comes from this server.
    assert "cdn." not in html and "https://" not in html, html[:400]
