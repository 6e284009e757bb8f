"""Partner recommendations through the services, the pages and the API: who may run one for
which area, small areas at once and large ones as a job, accepting a proposal makes a draft
partnership, and every refusal is a specific message with nothing written."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from xietong.accounts.models import AuditEvent
from xietong.accounts.services import create_token
from xietong.conftest import Cast, make_institution
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.jobs import services as jobs
from xietong.partnerships.choices import MemberRole, PartnershipKind, PartnershipStatus
from xietong.partnerships.models import Partnership
from xietong.partnerships.recommendation_models import Proposal, RecommendationRun
from xietong.partnerships.recommendation_texts import render
from xietong.partnerships.services import recommendations as svc
from xietong.partnerships.tests.conftest import make_partnership

A = "/api/partnerships/recommendations"


def at(inst: Any, lat: str, lon: str) -> Any:
    inst.latitude, inst.longitude = Decimal(lat), Decimal(lon)
    inst.save(update_fields=["latitude", "longitude"])
    return inst


@pytest.fixture
def area(cast: Cast) -> dict[str, Any]:
    """三河市: Sanhe Experimental (primary) and 三河二小 (primary) without partners, 三河职教
    (vocational, no partner of its kind); Beijing: Tongzhou No. 1 (primary, 30 km) and
    北京十二年 (twelve-year, 60 km); Tianjin: 天津职中 (vocational, 120 km away: out of 100)."""
    at(cast.sanhe_school, "39.98", "117.08")
    at(cast.tongzhou_school, "39.90", "116.73")
    second = at(make_institution("三河二小", "131082"), "39.95", "117.00")
    vocational = at(
        make_institution("三河职教", "131082", kind="secondary_vocational", stages=",sec_voc,"),
        "39.96",
        "117.05",
    )
    twelve = at(
        make_institution(
            "北京十二年", "110105", kind="twelve_year", stages=",primary,junior,senior,"
        ),
        "39.92",
        "116.45",
    )
    tianjin = at(
        make_institution("天津职中", "120116", kind="secondary_vocational", stages=",sec_voc,"),
        "38.95",
        "117.70",
    )
    return {"second": second, "vocational": vocational, "twelve": twelve, "tianjin": tianjin}


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.XIETONG_RECOMMEND_MAX_KM = 100
    settings.XIETONG_PARTNER_CAP = 3


def proposals(run: RecommendationRun) -> dict[str, str | None]:
    return {
        p.school.name: p.partner.name if p.partner else None
        for p in Proposal.objects.filter(run=run).select_related("school", "partner")
    }


# --- running ----------------------------------------------------------------------------


def test_it_proposes_beijing_partners_to_the_unpaired_schools_of_a_county(cast, area):
    run = svc.start_recommendation(cast.actor("sanhe"), "131082")
    assert run.status == "done" and run.job_id is None
    assert proposals(run) == {
        "Sanhe Experimental": "Tongzhou No. 1",
        "三河二小": "Tongzhou No. 1",
        "三河职教": None,
    }
    assert run.statistics["schools"] == 3 and run.statistics["proposed"] == 2
    assert AuditEvent.objects.filter(action="partnerships.recommendation.run").count() == 1


def test_it_spreads_schools_over_partners_once_one_reaches_its_cap(cast, area, settings):
    settings.XIETONG_PARTNER_CAP = 2
    make_partnership(
        "通州一中—北京某校",
        "110112",
        [(cast.tongzhou_school, MemberRole.LEAD), (area["twelve"], MemberRole.MEMBER)],
        kind=PartnershipKind.SCHOOL_ALLIANCE,
    )
    run = svc.start_recommendation(cast.actor("sanhe"), "131082")
    got = proposals(run)
    # Tongzhou No. 1 serves one partnership of 2: one place left; 北京十二年 takes the other.
    assert sorted(v for v in got.values() if v) == ["Tongzhou No. 1", "北京十二年"]


def test_it_leaves_out_schools_already_paired_with_a_beijing_school(cast, area, paired):
    run = svc.start_recommendation(cast.actor("sanhe"), "131082")
    assert "Sanhe Experimental" not in proposals(run)


def test_a_draft_or_ended_partnership_does_not_count_as_paired(cast, area, draft):
    make_partnership(
        "旧结对",
        "131082",
        [(cast.tongzhou_school, MemberRole.LEAD), (area["second"], MemberRole.SUPPORTED)],
        status=PartnershipStatus.ENDED,
    )
    run = svc.start_recommendation(cast.actor("sanhe"), "131082")
    assert {"Sanhe Experimental", "三河二小"} <= set(proposals(run))


def test_it_says_why_a_school_has_no_proposal_in_the_readers_language(cast, area):
    run = svc.start_recommendation(cast.actor("sanhe"), "131082")
    left = Proposal.objects.get(run=run, school=area["vocational"])
    assert left.status == "unplaced" and left.reasons[0]["code"] == "no_candidate"
    with translation.override("en"):
        assert "within 100 km" in render(left.reasons)[0]
    with translation.override("zh-hans"):
        assert "100 公里" in render(left.reasons)[0]


def test_each_proposal_carries_its_reasons(cast, area):
    run = svc.start_recommendation(cast.actor("sanhe"), "131082")
    p = Proposal.objects.get(run=run, school=cast.sanhe_school)
    with translation.override("en"):
        texts = render(p.reasons)
    assert texts[0] == "Shares the stage Primary"
    assert texts[1].endswith("km away") and "Serves 0 partnerships of 3" in texts
    assert "Same kind of school (Primary school)" in texts
    with translation.override("zh-hans"):
        zh = render(p.reasons)
    assert zh[0].startswith("共有学段") and "公里" in zh[1]


# --- scope and bad input ------------------------------------------------------------------


def test_a_county_authority_cannot_run_for_another_county(cast, area):
    outside = pytest.raises(PermissionDenied, match="大厂回族自治县 lies outside the regions you")
    with outside, translation.override("en"):
        svc.start_recommendation(cast.actor("sanhe"), "131028")
    assert not RecommendationRun.objects.exists()


def test_a_county_authority_cannot_run_for_a_group_beyond_its_county(cast, area):
    with pytest.raises(PermissionDenied):
        svc.start_recommendation(cast.actor("sanhe"), "beisanxian")
    assert not RecommendationRun.objects.exists()


def test_a_school_admin_cannot_run_a_recommendation(cast, area):
    with (
        pytest.raises(PermissionDenied, match="authority administrator"),
        translation.override("en"),
    ):
        svc.start_recommendation(cast.actor("school_admin"), "131082")
    assert not RecommendationRun.objects.exists()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("999999", "Unknown region or region group: 999999"),
        ("nowhere", "Unknown region or region group: nowhere"),
        ("", "Choose a county or a region group."),
        ("110112", "Partner recommendations are for Hebei areas"),
    ],
)
def test_it_refuses_an_unknown_or_non_hebei_area_with_a_specific_message(cast, area, code, message):
    with pytest.raises(InvalidInput, match=message), translation.override("en"):
        svc.start_recommendation(cast.actor("beijing"), code)
    assert not RecommendationRun.objects.exists()


# --- the job path -----------------------------------------------------------------------------


def test_a_large_area_is_computed_as_a_job_with_progress(cast, area, settings):
    settings.XIETONG_RECOMMEND_JOB_THRESHOLD = 2  # 3 unpaired schools: more than 2
    run = svc.start_recommendation(cast.actor("sanhe"), "131082", enqueue=False)
    assert run.status == "queued" and run.job is not None
    assert not Proposal.objects.filter(run=run).exists()
    job = jobs.run_now(run.job)
    run.refresh_from_db()
    assert job.status == "succeeded" and job.result["proposed"] == 2
    assert run.status == "done" and len(proposals(run)) == 3


def test_the_page_of_a_run_in_progress_shows_its_job_status(cast, area, settings):
    settings.XIETONG_RECOMMEND_JOB_THRESHOLD = 2
    run = svc.start_recommendation(cast.actor("sanhe"), "131082", enqueue=False)
    client = Client()
    client.force_login(cast.users["sanhe"])
    page = client.get(f"/partnerships/recommendations/{run.pk}/")
    assert page.status_code == 200
    assert b'data-testid="job-status"' in page.content


# --- accepting and dismissing ------------------------------------------------------------


def test_accepting_a_proposal_registers_a_draft_paired_assistance(cast, area):
    run = svc.start_recommendation(cast.actor("sanhe"), "131082")
    prop = Proposal.objects.get(run=run, school=cast.sanhe_school)
    p = svc.accept_proposal(cast.actor("sanhe"), prop.pk)
    p.refresh_from_db()
    assert p.status == PartnershipStatus.DRAFT and p.kind == PartnershipKind.PAIRED
    assert p.recommended and p.region.code == "131082"
    roles = {m.institution.name: m.role for m in p.members.select_related("institution")}
    assert roles == {"Tongzhou No. 1": "lead", "Sanhe Experimental": "supported"}
    prop.refresh_from_db()
    assert prop.status == "accepted" and prop.partnership_id == p.pk
    assert AuditEvent.objects.filter(action="partnerships.proposal.accept").count() == 1


def test_accepting_twice_is_refused_and_writes_nothing(cast, area):
    run = svc.start_recommendation(cast.actor("sanhe"), "131082")
    prop = Proposal.objects.get(run=run, school=cast.sanhe_school)
    svc.accept_proposal(cast.actor("sanhe"), prop.pk)
    with pytest.raises(Conflict, match="already been accepted"), translation.override("en"):
        svc.accept_proposal(cast.actor("sanhe"), prop.pk)
    assert Partnership.objects.filter(recommended=True).count() == 1


def test_accepting_for_a_school_paired_meanwhile_is_refused(cast, area):
    run = svc.start_recommendation(cast.actor("sanhe"), "131082")
    prop = Proposal.objects.get(run=run, school=cast.sanhe_school)
    make_partnership(
        "别的结对",
        "131082",
        [(area["twelve"], MemberRole.LEAD), (cast.sanhe_school, MemberRole.SUPPORTED)],
    )
    with pytest.raises(Conflict, match="meanwhile been paired"), translation.override("en"):
        svc.accept_proposal(cast.actor("sanhe"), prop.pk)
    assert not Partnership.objects.filter(recommended=True).exists()
    prop.refresh_from_db()
    assert prop.status == "proposed"


def test_a_second_run_cannot_give_a_school_a_second_draft_partnership(cast, area):
    first = svc.start_recommendation(cast.actor("sanhe"), "131082")
    second = svc.start_recommendation(cast.actor("sanhe"), "131082")
    svc.accept_proposal(
        cast.actor("sanhe"), Proposal.objects.get(run=first, school=cast.sanhe_school).pk
    )
    again = Proposal.objects.get(run=second, school=cast.sanhe_school)
    with (
        pytest.raises(Conflict, match="already has the draft partnership"),
        translation.override("en"),
    ):
        svc.accept_proposal(cast.actor("sanhe"), again.pk)
    assert Partnership.objects.filter(recommended=True).count() == 1


def test_a_school_left_without_a_partner_has_nothing_to_accept(cast, area):
    run = svc.start_recommendation(cast.actor("sanhe"), "131082")
    left = Proposal.objects.get(run=run, school=area["vocational"])
    with pytest.raises(Conflict, match="nothing to accept"), translation.override("en"):
        svc.accept_proposal(cast.actor("sanhe"), left.pk)


def test_another_authority_neither_sees_nor_accepts_the_proposals(cast, area):
    run = svc.start_recommendation(cast.actor("sanhe"), "131082")
    prop = Proposal.objects.get(run=run, school=cast.sanhe_school)
    with pytest.raises(NotFound):
        svc.accept_proposal(cast.actor("tongzhou"), prop.pk)
    with pytest.raises(NotFound):
        svc.accept_proposal(cast.actor("sanhe"), "not-a-number")


def test_dismissing_a_proposal_is_recorded(cast, area):
    run = svc.start_recommendation(cast.actor("sanhe"), "131082")
    prop = Proposal.objects.get(run=run, school=cast.sanhe_school)
    svc.dismiss_proposal(cast.actor("sanhe"), prop.pk)
    prop.refresh_from_db()
    assert prop.status == "dismissed" and prop.decided_by_id == cast.users["sanhe"].pk
    assert AuditEvent.objects.filter(action="partnerships.proposal.dismiss").count() == 1
    with pytest.raises(Conflict, match="dismissed"), translation.override("en"):
        svc.accept_proposal(cast.actor("sanhe"), prop.pk)


# --- pages ------------------------------------------------------------------------------------


def signed_in(cast: Cast, user: str, lang: str = "zh-hans") -> Client:
    client = Client()
    client.cookies["django_language"] = lang
    client.force_login(cast.users[user])
    return client


@pytest.mark.parametrize(
    ("lang", "words"), [("zh-hans", "推荐"), ("en", "Partner recommendations")]
)
def test_the_page_runs_a_recommendation_and_shows_proposals_with_accept_buttons(
    cast, area, lang, words
):
    client = signed_in(cast, "sanhe", lang)
    page = client.get("/partnerships/recommendations/")
    assert page.status_code == 200 and words in page.content.decode()
    done = client.post("/partnerships/recommendations/", {"area": "131082"}, follow=True)
    html = done.content.decode()
    assert done.status_code == 200 and 'data-testid="proposal-accept"' in html
    assert "Tongzhou No. 1" in html and "data-confirm" in html
    prop = Proposal.objects.get(school=cast.sanhe_school)
    accepted = client.post(
        f"/partnerships/proposals/{prop.pk}/accept/", {"run": prop.run_id}, follow=True
    )
    assert accepted.status_code == 200
    assert Partnership.objects.filter(recommended=True).count() == 1


def test_the_page_runs_for_the_region_picked_in_its_form(cast, area):
    client = signed_in(cast, "sanhe", "en")
    region = cast.sanhe_school.region
    done = client.post("/partnerships/recommendations/", {"region": region.pk, "group": ""})
    run = RecommendationRun.objects.get()
    assert done.status_code == 302 and run.area == "131082"
    outside = client.post("/partnerships/recommendations/", {"region": "", "group": "beisanxian"})
    assert outside.status_code == 403 and "北三县 lies outside" in outside.content.decode()
    assert RecommendationRun.objects.count() == 1


def test_the_page_refuses_an_area_outside_the_scope_with_its_message(cast, area):
    client = signed_in(cast, "sanhe", "en")
    page = client.post("/partnerships/recommendations/", {"area": "131028"})
    assert page.status_code == 403
    assert "lies outside the regions you administer" in page.content.decode()
    assert not RecommendationRun.objects.exists()


def test_a_school_admin_is_refused_the_page_and_the_list_links_it_for_authorities(cast):
    assert signed_in(cast, "school_admin").get("/partnerships/recommendations/").status_code == 403
    html = signed_in(cast, "sanhe").get("/partnerships/").content.decode()
    assert 'data-testid="partner-recommendations"' in html


def test_accepting_twice_on_the_page_shows_the_message(cast, area):
    client = signed_in(cast, "sanhe", "en")
    run = svc.start_recommendation(cast.actor("sanhe"), "131082")
    prop = Proposal.objects.get(run=run, school=cast.sanhe_school)
    url = f"/partnerships/proposals/{prop.pk}/accept/"
    client.post(url, {"run": run.pk})
    again = client.post(url, {"run": run.pk}, follow=True)
    assert "already been accepted" in again.content.decode()
    assert Partnership.objects.filter(recommended=True).count() == 1


# --- API --------------------------------------------------------------------------------------


def api(cast: Cast, user: str) -> tuple[Client, dict[str, str]]:
    token = create_token(cast.actor(user), "test")[1]
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_api_runs_reads_and_accepts(cast, area):
    client, auth = api(cast, "sanhe")
    made = client.post(A, {"area": "131082"}, content_type="application/json", **auth)
    assert made.status_code == 201, made.content
    run = made.json()
    assert run["status"] == "done" and run["statistics"]["proposed"] == 2
    mine = next(p for p in run["proposals"] if p["school"]["name"] == "Sanhe Experimental")
    assert mine["partner"]["name"] == "Tongzhou No. 1" and mine["actions"] == ["accept", "dismiss"]
    assert mine["reasons"][0]["code"] == "stages" and mine["reason_texts"]
    got = client.get(f"{A}/{run['id']}", **auth)
    assert got.status_code == 200 and len(got.json()["proposals"]) == 3
    accepted = client.post(f"{A}/proposals/{mine['id']}/accept", **auth)
    assert accepted.status_code == 201
    assert accepted.json()["recommended"] is True and accepted.json()["status"] == "draft"
    again = client.post(f"{A}/proposals/{mine['id']}/accept", **auth)
    assert again.status_code == 409 and "already been accepted" in again.json()["message"]


def test_the_api_refuses_an_area_outside_the_scope_and_bad_input(cast, area):
    client, auth = api(cast, "sanhe")
    out = client.post(A, {"area": "131028"}, content_type="application/json", **auth)
    assert out.status_code == 403 and "outside the regions" in out.json()["message"]
    bad = client.post(A, {"area": "x" * 50}, content_type="application/json", **auth)
    assert bad.status_code == 422
    missing = client.post(A, {}, content_type="application/json", **auth)
    assert missing.status_code == 422
    school, sauth = api(cast, "school_admin")
    assert (
        school.post(A, {"area": "131082"}, content_type="application/json", **sauth).status_code
        == 403
    )
    assert client.get(f"{A}/999999", **auth).status_code == 404
    assert not RecommendationRun.objects.exists()
