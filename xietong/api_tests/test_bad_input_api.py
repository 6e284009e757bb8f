"""Bad input at /api/: always a JSON ``{code, message[, fields]}``, never a server error.

DESIGN.md "Bad input": every entry point answers bad input with a specific message in
the user's language and changes nothing it should not.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from xietong.accounts.models import AuditEvent
from xietong.api_tests.conftest import CJK, assert_error
from xietong.conftest import make_id_number
from xietong.institutions.models import Institution, Lab, Staff
from xietong.institutions.validators import id_check_char

INSTITUTION = {"name": "Sanhe No. 3", "kind": "primary", "region": "131082"}
VALID_ID = make_id_number("131082", dt.date(1992, 6, 30), 88)


def with_check(first17: str) -> str:
    return first17 + id_check_char(first17)


def wrong_check(id_number: str) -> str:
    wrong = "0" if id_number[-1] != "0" else "1"
    return id_number[:-1] + wrong


# Pydantic's own English explanations; the API must answer in its translatable words.
PYDANTIC_WORDING = re.compile(r"^(Input|String|Value|List|Field|Decimal|Date|Extra inputs)\b")


def assert_own_words(error: dict[str, Any]) -> None:
    for messages in error["fields"].values():
        for message in messages:
            assert not PYDANTIC_WORDING.match(message), message


def staff_body(cast: Any, **extra: Any) -> dict[str, Any]:
    body = {
        "name": "张新",
        "id_number": VALID_ID,
        "institution": cast.sanhe_school.pk,
        "joined_on": "2021-09-01",
    }
    body.update(extra)
    return body


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


# (id, method, path, body or raw text, expected status, field named in "fields" or None)
INSTITUTION_CASES = [
    ("wrong-type-name", with_(INSTITUTION, name=12), "name"),
    ("wrong-type-latitude", with_(INSTITUTION, latitude="north"), "latitude"),
    ("latitude-out-of-range", with_(INSTITUTION, latitude="91"), "latitude"),
    ("latitude-not-finite", with_(INSTITUTION, latitude="NaN"), "latitude"),
    ("wrong-type-stages", with_(INSTITUTION, stages={"primary": True}), "stages"),
    ("unknown-stage", with_(INSTITUTION, stages=["nursery"]), "stages"),
    ("unknown-kind", with_(INSTITUTION, kind="castle"), "kind"),
    ("wrong-type-parent", with_(INSTITUTION, parent="Sanhe Experimental"), "parent"),
    ("fractional-parent", with_(INSTITUTION, parent=1.5), "parent"),
    ("unknown-parent", with_(INSTITUTION, parent=999999), "parent"),
    ("unknown-field", with_(INSTITUTION, principal="Mr Li"), "principal"),
    ("too-long-name", with_(INSTITUTION, name="校" * 101), "name"),
    ("empty-name", with_(INSTITUTION, name=""), "name"),
    ("blank-name", with_(INSTITUTION, name="   "), "name"),
    ("missing-name", {"kind": "primary", "region": "131082"}, "name"),
    ("unknown-region", with_(INSTITUTION, region="999999"), "region"),
    ("too-long-region", with_(INSTITUTION, region="1310820"), "region"),
    ("school-code-too-short", with_(INSTITUTION, school_code="21130123"), "school_code"),
    ("school-code-letters", with_(INSTITUTION, school_code="21130123AB"), "school_code"),
    ("school-code-other-province", with_(INSTITUTION, school_code="2131012345"), "school_code"),
    ("school-code-beijing-for-hebei", with_(INSTITUTION, school_code="2111019999"), "school_code"),
    ("school-code-taken", with_(INSTITUTION, school_code="2113012345"), "school_code"),
    ("name-taken-in-region", with_(INSTITUTION, name="Sanhe Experimental"), "__all__"),
]


@pytest.mark.parametrize(
    ("body", "field"), [c[1:] for c in INSTITUTION_CASES], ids=[c[0] for c in INSTITUTION_CASES]
)
def test_it_refuses_a_bad_institution_with_the_field_named(api, body, field):
    error = assert_error(api.post("/api/institutions/", body, as_="sanhe"), 422, "invalid")
    assert set(error["fields"]) == {field}, error
    assert_own_words(error)
    assert Institution.objects.count() == 4
    assert not AuditEvent.objects.filter(action="institution.create").exists()


STAFF_CASES = [
    ("wrong-type-institution", {"institution": "Sanhe"}, "institution"),
    ("institution-too-large", {"institution": 99999999999999999999}, "institution"),
    ("wrong-type-joined-on", {"joined_on": "last year"}, "joined_on"),
    ("impossible-joined-on", {"joined_on": "2021-02-30"}, "joined_on"),
    ("unknown-subject", {"subjects": "数学、炼金术"}, "subjects"),
    ("too-long-subject", {"subjects": ["数" * 31]}, "subjects"),
    ("unknown-honour", {"honours": ["hero"]}, "honours"),
    ("unknown-gender", {"gender": "X"}, "gender"),
    ("empty-id-number", {"id_number": ""}, "id_number"),
    ("too-long-id-number", {"id_number": "1" * 19}, "id_number"),
    ("id-number-letters", {"id_number": "13108219920630ABCD"}, "id_number"),
    ("id-number-checksum", {"id_number": wrong_check(VALID_ID)}, "id_number"),
    (
        "id-number-birth-date",
        {
            "id_number": make_id_number("131082", dt.date(1992, 6, 30), 88).replace(
                "19920630", "19921330"
            )
        },
        "id_number",
    ),
    ("unknown-field", {"salary": 1000}, "salary"),
]


@pytest.mark.parametrize(
    ("change", "field"), [c[1:] for c in STAFF_CASES], ids=[c[0] for c in STAFF_CASES]
)
def test_it_refuses_a_bad_staff_member_with_the_field_named(api, cast, change, field):
    error = assert_error(api.post("/api/staff/", staff_body(cast, **change), as_="sanhe"), 422)
    # Only the field at fault: no echo on the birth date and gender derived from the ID.
    assert set(error["fields"]) == {field}, error
    assert_own_words(error)
    assert Staff.objects.count() == 4


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("{not json", 400),
        ('{"name": "x",}', 400),
        ("[]", 422),
        ('"a string"', 422),
        ("null", 422),
        ("", 422),
    ],
    ids=["broken", "trailing-comma", "array", "string", "null", "empty"],
)
def test_it_refuses_a_body_that_is_not_a_json_object(api, raw, status):
    assert_error(api.post("/api/institutions/", raw=raw, as_="sanhe"), status)
    assert Institution.objects.count() == 4


def test_it_refuses_a_body_that_is_not_utf8(api):
    assert_error(api.post("/api/institutions/", raw=b"\xff\xfe{}", as_="sanhe"), 400)


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/institutions/", {"page": "0"}, "page"),
        ("/api/institutions/", {"page": "first"}, "page"),
        ("/api/institutions/", {"mine": "perhaps"}, "mine"),
        ("/api/institutions/", {"q": "x" * 101}, "q"),
        ("/api/staff/", {"institution": "Sanhe"}, "institution"),
        ("/api/staff/", {"institution": "99999999999999999999"}, "institution"),
        ("/api/accounts/audit", {"cursor": "not a cursor"}, "cursor"),
    ],
    ids=[
        "page-zero",
        "page-word",
        "mine-word",
        "q-too-long",
        "institution-word",
        "institution-too-large",
        "audit-cursor-garbage",
    ],
)
def test_it_refuses_bad_query_parameters(api, path, params, field):
    error = assert_error(api.get(path, params, as_="auditor" if "audit" in path else "sanhe"), 422)
    assert field in error["fields"], error


def test_it_answers_an_unknown_path_or_a_huge_id_with_json_404(api):
    assert_error(api.get("/api/staff/99999999999999999999", as_="sanhe"), 404)
    assert_error(api.patch("/api/staff/99999999999999999999", {"title": "first"}, as_="sanhe"), 404)
    assert_error(api.delete("/api/institutions/labs/99999999999999999999", as_="sanhe"), 404)


def test_it_refuses_a_patch_with_unknown_fields_or_nulls_for_required_ones(api, cast):
    path = f"/api/institutions/{cast.sanhe_school.pk}"
    assert (
        "nickname" in assert_error(api.patch(path, {"nickname": "x"}, as_="sanhe"), 422)["fields"]
    )
    assert "name" in assert_error(api.patch(path, {"name": None}, as_="sanhe"), 422)["fields"]
    assert "region" in assert_error(api.patch(path, {"region": None}, as_="sanhe"), 422)["fields"]
    cast.sanhe_school.refresh_from_db()
    assert cast.sanhe_school.name == "Sanhe Experimental"


def test_it_refuses_a_bad_lab(api, cast):
    path = f"/api/institutions/{cast.sanhe_school.pk}/labs"
    assert (
        "opened_on"
        in assert_error(api.post(path, {"name": "Lab", "opened_on": "soon"}, as_="sanhe"), 422)[
            "fields"
        ]
    )
    assert "name" in assert_error(api.post(path, {"name": ""}, as_="sanhe"), 422)["fields"]
    assert not Lab.objects.exists()


# --- in the user's language -------------------------------------------------------------


def _error_responses(api: Any, cast: Any, lang: str) -> dict[str, Any]:
    """One request per kind of error, in the given language."""
    return {
        "401": api.get("/api/institutions/", lang=lang),
        "403": api.patch(
            f"/api/institutions/{cast.tongzhou_school.pk}",
            {"address": "x"},
            as_="sanhe",
            lang=lang,
        ),
        "404": api.get("/api/institutions/999999", as_="sanhe", lang=lang),
        "409": api.delete(f"/api/institutions/{cast.sanhe_school.pk}", as_="sanhe", lang=lang),
        "422": api.post("/api/institutions/", with_(INSTITUTION, name=""), as_="sanhe", lang=lang),
        "422-service": api.post(
            "/api/institutions/", with_(INSTITUTION, region="999999"), as_="sanhe", lang=lang
        ),
        "400": api.post("/api/institutions/", raw="{", as_="sanhe", lang=lang),
    }


def test_it_answers_errors_in_the_callers_language(api, cast, zh_catalog):
    english = {k: r.json() for k, r in _error_responses(api, cast, "en").items()}
    chinese = {k: r.json() for k, r in _error_responses(api, cast, "zh-hans").items()}
    assert english.keys() == chinese.keys()
    for kind, en in english.items():
        zh = chinese[kind]
        assert en["code"] == zh["code"] and en["message"] and zh["message"], kind
        assert not CJK.search(en["message"]), (kind, en)
        assert zh["message"] == zh_catalog[en["message"]], (kind, zh)
        assert CJK.search(zh["message"]), (kind, zh)
        assert en.get("fields", {}).keys() == zh.get("fields", {}).keys(), kind
        for field, messages in en.get("fields", {}).items():
            assert len(messages) == len(zh["fields"][field])
            assert all(CJK.search(m) for m in zh["fields"][field]), (kind, field, zh)


def test_it_answers_in_chinese_by_default(api, cast, zh_catalog):
    generic = "Sign in or send a valid API token."
    response = api.client.get("/api/institutions/")  # no Accept-Language at all
    assert response.json()["message"] == zh_catalog[generic]


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        (
            "post",
            "/api/institutions/",
            {"name": "三河\x00小学", "kind": "primary", "region": "131082"},
        ),
        ("get", "/api/institutions/", {"q": "三河\x00"}),
        ("get", "/api/institutions/", {"area": "13\x00"}),
        ("get", "/api/regions/13%00", None),
    ],
    ids=["body", "query", "area", "path"],
)
def test_it_refuses_null_characters_anywhere_in_a_request(api, method, path, payload):
    # PostgreSQL can neither store nor compare them; SQLite would store them silently.
    if method == "get":
        response = api.get(path, payload, as_="sanhe", lang="zh-hans")
    else:
        response = api.post(path, payload, as_="sanhe", lang="zh-hans")
    body = assert_error(response, 422, "invalid")
    assert CJK.search(body["message"]), body  # Django's own catalog translates this one
    assert Institution.objects.count() == 4
