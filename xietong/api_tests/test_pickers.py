"""Pickers: a typeahead over a scoped selector, its JSON and HTML endpoints, its form field."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xietong.api_tests.conftest import CJK, assert_error
from xietong.institutions.models import Staff

PICK = "/api/pickers/institutions"


def _english(client: Client, cast: Any, username: str) -> Client:
    client.force_login(cast.users[username])
    client.cookies["django_language"] = "en"
    return client


def _labels(response: Any) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [item["label"] for item in response.json()["items"]]


def test_it_offers_only_what_the_actor_may_pick_there(api: Any) -> None:
    mine = _labels(api.get(PICK, {"mine": "1"}, as_="sanhe"))
    assert mine == ["Sanhe Experimental · 三河市"]
    everyone = _labels(api.get(PICK, as_="sanhe"))
    assert "Tongzhou No. 1 · 通州区" in everyone  # the directory is read by every business role
    assert _labels(api.get(PICK, as_="nobody")) == []


def test_it_searches_names_and_says_when_more_match(api: Any) -> None:
    assert _labels(api.get(PICK, {"q": "sanhe"}, as_="sanhe")) == [
        "Sanhe Experimental · 三河市",
        "Sanhe Experimental Dachang campus · 大厂回族自治县",
    ]
    body = api.get("/api/pickers/staff", {"institution": "1"}, as_="beijing").json()
    assert body["more"] is False


@pytest.mark.parametrize("q", ["!!!", "……、。", "%", "_", "%_%", "  -- ;  "])
def test_it_refuses_a_search_without_a_letter_or_digit(api: Any, q: str) -> None:
    body = assert_error(api.get(PICK, {"q": q}, as_="sanhe"), 422, "invalid")
    assert body["fields"]["q"] == [
        "Type at least one letter, digit or Chinese character to search."
    ]


def test_it_refuses_a_search_of_ten_thousand_characters(api: Any) -> None:
    body = assert_error(api.get(PICK, {"q": "三" * 10_000}, as_="sanhe"), 422, "invalid")
    assert body["fields"]["q"] == ["Search with at most 100 characters."]
    assert_error(api.get(PICK, {"q": "三" * 10_001}, as_="sanhe"), 422, "invalid")


@pytest.mark.parametrize("q", ["a%", "S_nhe", "%Sanhe%", "' OR 1=1 --", "Sanhe\\"])
def test_it_takes_wildcards_and_quotes_literally(api: Any, q: str) -> None:
    assert _labels(api.get(PICK, {"q": q}, as_="sanhe")) == []


def test_it_refuses_in_chinese_to_a_chinese_reader(api: Any) -> None:
    body = assert_error(api.get(PICK, {"q": "!!!"}, as_="sanhe", lang="zh-hans"), 422)
    assert CJK.search(body["fields"]["q"][0])


def test_it_answers_an_unknown_picker_or_a_bad_parameter_specifically(api: Any) -> None:
    assert_error(api.get("/api/pickers/passwords", as_="sanhe"), 404, "not_found")
    body = assert_error(api.get("/api/pickers/staff", {"institution": "x"}, as_="sanhe"), 422)
    assert body["fields"]["institution"] == ["Enter a whole number."]
    assert_error(api.get(PICK), 401, "unauthenticated")


def test_it_serves_the_same_matches_as_html_options(client: Client, cast: Any) -> None:
    _english(client, cast, "sanhe")
    html = client.get("/pickers/institutions/", {"q": "sanhe", "mine": "1"}).content.decode()
    assert html.count('role="option"') == 1 and "Sanhe Experimental" in html
    refused = client.get("/pickers/institutions/", {"q": "%%"}).content.decode()
    assert "Type at least one letter" in refused and 'role="option"' not in refused
    long = client.get("/pickers/institutions/", {"q": "x" * 10_000})
    assert long.status_code == 200 and "at most 100 characters" in long.content.decode()


def _staff_form(institution: Any, **extra: Any) -> dict[str, Any]:
    return {
        "name": "张新",
        "id_number": "110112198503140016",
        "institution": str(institution),
        "position": "teacher",
        "joined_on": "2020-09-01",
        **extra,
    }


def test_it_refuses_an_institution_the_picker_would_not_offer(client: Client, cast: Any) -> None:
    _english(client, cast, "school_admin")
    before = Staff.objects.count()
    response = client.post("/institutions/staff/new/", _staff_form(cast.tongzhou_school.pk))
    assert "This choice is not among those you may pick here." in response.content.decode()
    response = client.post("/institutions/staff/new/", _staff_form("12abc"))
    assert "Choose one of the matches offered." in response.content.decode()
    assert Staff.objects.count() == before


def test_it_searches_without_javascript_and_writes_nothing(client: Client, cast: Any) -> None:
    _english(client, cast, "school_admin")
    before = Staff.objects.count()
    data = _staff_form("", _pick="institution", institution__q="Dachang")
    response = client.post("/institutions/staff/new/", data)
    html = response.content.decode()
    assert response.status_code == 200 and Staff.objects.count() == before
    assert f'<option value="{cast.sanhe_branch.pk}">' in html  # the match, offered to choose
    assert "Sanhe Experimental Dachang campus" in html and "is-invalid" not in html
    refused = client.post("/institutions/staff/new/", {**data, "institution__q": "%"})
    assert "Type at least one letter" in refused.content.decode()
    assert Staff.objects.count() == before


def test_it_filters_a_list_through_a_picker_and_keeps_the_choice_shown(
    client: Client, cast: Any
) -> None:
    _english(client, cast, "beijing")
    html = client.get("/institutions/staff/", {"institution": cast.tongzhou_school.pk})
    text = html.content.decode()
    assert "王北京" in text and "李三河" not in text
    assert f'<option value="{cast.tongzhou_school.pk}" selected>Tongzhou No. 1' in text


def test_only_the_security_admin_looks_institutions_up_by_name_for_a_grant(api, cast):
    body = api.get("/api/pickers/institutions_to_name", {"q": "Sanhe"}, as_="secadmin").json()
    assert [i["id"] for i in body["items"]] == [cast.sanhe_school.pk, cast.sanhe_branch.pk]
    body = api.get("/api/pickers/institutions_to_name", {"q": "Sanhe"}, as_="sanhe").json()
    assert body["items"] == []
    # The lookup is all the security admin reads of the registry.
    assert api.get(f"/api/institutions/{cast.sanhe_school.pk}", as_="secadmin").status_code in (
        403,
        404,
    )
