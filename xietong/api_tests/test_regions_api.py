"""/api/regions: the divisions and groups, with the institutions and staff the caller sees."""

from __future__ import annotations

from xietong.api_tests.conftest import assert_error


def by_code(items):
    return {r["code"]: r for r in items}


def test_it_lists_the_three_provinces_at_the_top(api):
    provinces = [
        r for r in api.get("/api/regions/", as_="nobody").json() if r["level"] == "province"
    ]
    assert [(r["code"], r["parent_code"]) for r in provinces] == [
        ("110000", None),
        ("120000", None),
        ("130000", None),
    ]


def test_it_lists_the_children_of_a_region(api):
    children = by_code(api.get("/api/regions/", {"parent": "131000"}, as_="sanhe").json())
    assert {"131082", "131028", "131024"} <= set(children)
    assert {r["parent_code"] for r in children.values()} == {"131000"}
    assert all(r["institutions"] is None for r in children.values())  # no counts unless asked


def test_it_counts_what_the_caller_sees_rolled_up_the_tree(api):
    regions = by_code(api.get("/api/regions/", {"with_counts": "true"}, as_="school_admin").json())
    # The school admin sees all four institutions but only their own school's staff.
    assert (regions["130000"]["institutions"], regions["130000"]["staff"]) == (3, 2)
    assert (regions["131000"]["institutions"], regions["131000"]["staff"]) == (2, 2)
    assert (regions["131082"]["institutions"], regions["131082"]["staff"]) == (1, 1)
    assert (regions["110000"]["institutions"], regions["110000"]["staff"]) == (1, 0)
    assert (regions["120000"]["institutions"], regions["120000"]["staff"]) == (0, 0)


def test_it_counts_nothing_for_a_user_without_a_business_role(api):
    regions = by_code(api.get("/api/regions/", {"with_counts": "true"}, as_="auditor").json())
    assert regions["130000"]["institutions"] is None


def test_it_lists_the_region_groups(api):
    groups = {g["key"]: g for g in api.get("/api/regions/groups", as_="nobody").json()}
    assert sorted(groups["xiongan"]["member_codes"]) == ["130629", "130632", "130638"]
    assert groups["beisanxian"]["name"] == "北三县"


def test_it_shows_one_region_or_a_json_404(api):
    assert api.get("/api/regions/131082", as_="nobody").json()["parent_code"] == "131000"
    body = assert_error(api.get("/api/regions/999999", as_="nobody"), 404, "not_found")
    assert "999999" in body["message"]
    assert_error(api.get("/api/regions/", {"parent": "nowhere"}, as_="nobody"), 404)


def test_it_requires_signing_in_for_regions(api):
    assert_error(api.get("/api/regions/"), 401)
