"""The partnership pages: a form registers a partnership with its members, refuses bad
input inline with the service's message, and the detail page shows members, terms,
dispatched people and the sections other parts of partnerships add."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.conftest import Cast, region
from xietong.core import sections as core_sections
from xietong.partnerships import sections
from xietong.partnerships.choices import MemberRole, PartnershipKind
from xietong.partnerships.models import Partnership


@pytest.fixture
def sanhe(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.users["sanhe"])
    return client


def form_data(cast: Cast, **over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "通州一中—三河实验结对帮扶",
        "kind": PartnershipKind.PAIRED,
        "region": region("131082").pk,
        "starts_on": "2024-09-01",
        "member_0": cast.tongzhou_school.pk,
        "role_0": MemberRole.LEAD,
        "member_1": cast.sanhe_school.pk,
        "role_1": MemberRole.SUPPORTED,
    }
    data.update(over)
    return data


def test_it_registers_a_partnership_with_its_members_from_the_form(cast, sanhe):
    response = sanhe.post(reverse("partnerships:create"), form_data(cast))
    p = Partnership.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "partnerships:detail", args=[p.pk]
    )
    assert p.members.count() == 2
    page = sanhe.get(response["Location"]).content.decode()
    assert "Tongzhou No. 1" in page and "Sanhe Experimental" in page
    assert 'data-testid="activate"' in page and "data-confirm" in page


def test_it_shows_the_kinds_rule_on_the_form_and_writes_nothing(cast, sanhe):
    response = sanhe.post(reverse("partnerships:create"), form_data(cast, role_1=MemberRole.MEMBER))
    assert response.status_code == 200
    assert "结对帮扶必须恰好有两方" in response.content.decode()
    assert not Partnership.objects.exists()


def test_it_refuses_a_region_outside_the_authoritys_scope_on_the_form(cast, sanhe):
    response = sanhe.post(
        reverse("partnerships:create"), form_data(cast, region=region("110112").pk)
    )
    assert response.status_code == 200
    assert not Partnership.objects.exists()


def test_it_gates_the_new_partnership_page_to_authority_admins(cast):
    client = Client()
    client.force_login(cast.users["school_admin"])
    assert client.get(reverse("partnerships:create")).status_code == 403
    assert client.get(reverse("partnerships:list")).status_code == 200


def test_it_includes_the_sections_others_register_on_the_detail_page(cast, sanhe, tmp_path):
    sanhe.post(reverse("partnerships:create"), form_data(cast))
    p = Partnership.objects.get()
    sections.register_section(
        sections.Section("test_hidden", "partnerships/detail.html", lambda a, p: None, 99)
    )
    try:
        found = sections.detail_sections(cast.actor("sanhe"), p)
        assert [s["key"] for s in found if s["key"].startswith("test_")] == []
    finally:
        core_sections.unregister_section(sections.PAGE, "test_hidden")
