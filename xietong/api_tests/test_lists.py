"""Lists: one filters dataclass feeds the page's filter bar and the API's query alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xietong.api import api
from xietong.core.filters import params_of
from xietong.exchanges import forms as exchange_forms
from xietong.exchanges import selectors as exchanges
from xietong.institutions import forms as registry_forms
from xietong.institutions import selectors as registry
from xietong.partnerships import forms as partnership_forms
from xietong.partnerships import selectors as partnerships

PAGING = {"page", "page_size", "cursor"}

# (filters dataclass, the page's filter form, the API list's path, its method)
LISTS = [
    (registry.InstitutionFilters, registry_forms.InstitutionFilterForm, "/api/institutions/"),
    (registry.StaffFilters, registry_forms.StaffFilterForm, "/api/staff/"),
    (exchanges.ProgramFilters, exchange_forms.ProgramFilterForm, "/api/exchanges/programs"),
    (exchanges.ReviewFilters, exchange_forms.ReviewFilterForm, "/api/exchanges/review/{queue}"),
    (
        exchanges.PlacementFilters,
        exchange_forms.PlacementFilterForm,
        "/api/exchanges/placements",
    ),
    (exchanges.RunFilters, exchange_forms.RunFilterForm, "/api/exchanges/programs/{pk}/runs"),
    (
        partnerships.PartnershipFilters,
        partnership_forms.PartnershipFilterForm,
        "/api/partnerships",
    ),
]


def _api_query_params(path: str) -> set[str]:
    schema = api.get_openapi_schema()
    operation = schema["paths"][path]["get"]
    return {p["name"] for p in operation["parameters"] if p["in"] == "query"}


@pytest.mark.parametrize(("filters", "form", "path"), LISTS, ids=[row[2] for row in LISTS])
def test_it_offers_the_same_filters_on_the_page_and_in_the_api(
    filters: type, form: Any, path: str
) -> None:
    page_fields = set(form.base_fields) - PAGING
    api_fields = _api_query_params(path) - PAGING
    assert page_fields == api_fields == params_of(filters)


def test_it_pages_the_staff_list_by_cursor_and_the_others_by_number() -> None:
    assert {"cursor", "page_size"} <= _api_query_params("/api/staff/")
    assert "page" not in _api_query_params("/api/staff/")
    assert {"page", "page_size"} <= _api_query_params("/api/institutions/")


def test_it_answers_a_list_to_htmx_with_its_results_only_and_varies_on_it(
    client: Client, cast: Any
) -> None:
    client.force_login(cast.users["sanhe"])
    whole = client.get("/institutions/")
    partial = client.get("/institutions/", headers={"HX-Request": "true", "HX-Target": "results"})
    assert b"<html" in whole.content and b"<html" not in partial.content
    assert b"Sanhe Experimental" in partial.content
    for response in (whole, partial):
        assert {"HX-Request", "HX-Target"} <= {h.strip() for h in response["Vary"].split(",")}
