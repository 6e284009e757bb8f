"""Scripts confirm it is them through the API before a sensitive operation."""

from __future__ import annotations

import pytest

from xietong.conftest import PASSWORD, id_number_of


@pytest.fixture(autouse=True)
def _reauth_on(settings):
    settings.XIETONG_REQUIRE_REAUTH = True


def test_the_api_asks_a_token_to_reauthenticate_before_a_reveal(cast, api):
    path = f"/api/staff/{cast.sanhe_teacher.pk}/personal-data"
    refused = api.get(path, as_="school_admin")
    assert refused.status_code == 403
    assert refused.json()["code"] == "reauthentication_required"
    ok = api.post("/api/accounts/me/reauthenticate", {"password": PASSWORD}, as_="school_admin")
    assert ok.status_code == 200, ok.content
    assert api.get(path, as_="school_admin").json()["id_number"] == id_number_of(cast.sanhe_teacher)


def test_a_wrong_password_does_not_reauthenticate_the_token(cast, api):
    bad = api.post("/api/accounts/me/reauthenticate", {"password": "wrong"}, as_="school_admin")
    assert bad.status_code == 422 and "password" in bad.json()["fields"]
    path = f"/api/staff/{cast.sanhe_teacher.pk}/personal-data"
    assert api.get(path, as_="school_admin").status_code == 403
