"""The partnerships' queues on the workbench: a member's admin sees the agreement versions
waiting for its approval until it approves; an authority sees its draft partnerships to
activate and its partner recommendations still to decide. Each row links to where it is done."""

from __future__ import annotations

from django.urls import reverse

from xietong.conftest import region
from xietong.partnerships.agreements import services as agreements
from xietong.partnerships.recommendation_models import Proposal, RecommendationRun
from xietong.partnerships.services import partnerships, recommendations
from xietong.partnerships.tests.agreement_world import tongzhou_admin, version_in
from xietong.workbench.tests.conftest import count, english, queue


def home(client, cast, username: str) -> str:
    client.force_login(cast.users[username])
    english(client)
    return client.get(reverse("workbench:home")).content.decode()


def test_a_school_admin_sees_the_agreement_waiting_for_it_until_it_approves(client, cast, paired):
    tongzhou_admin(cast)
    v = agreements.create_agreement(cast.actor("sanhe"), paired.pk, version_in())
    html = home(client, cast, "school_admin")
    panel = queue(html, "agreements-to-approve")
    assert count(html, "agreements-to-approve") == 1
    assert "通州一中—三河实验结对帮扶 · 结对帮扶协议" in panel
    detail = reverse("partnerships:agreement_detail", args=[v.agreement_id])
    assert f'href="{detail}#v1"' in panel
    assert reverse("partnerships:agreement_inbox") in panel
    agreements.approve(cast.actor("school_admin"), v.pk)
    html = home(client, cast, "school_admin")
    assert count(html, "agreements-to-approve") is None
    assert 'data-testid="clear-agreements-to-approve"' in html
    assert count(home(client, cast, "tongzhou_admin"), "agreements-to-approve") == 1


def test_a_teacher_never_sees_the_agreements_to_approve(client, cast, paired):
    agreements.create_agreement(cast.actor("sanhe"), paired.pk, version_in())
    html = home(client, cast, "teacher")
    assert 'data-testid="section-teacher"' in html
    assert "agreements-to-approve" not in html


def test_an_authority_sees_its_draft_partnership_to_activate_until_it_is_active(
    client, cast, draft
):
    panel = queue(home(client, cast, "sanhe"), "drafts-to-activate")
    assert draft.name in panel
    assert reverse("partnerships:detail", args=[draft.pk]) in panel
    other = home(client, cast, "tongzhou")  # the draft is not of its region
    assert 'data-testid="clear-drafts-to-activate"' in other and draft.name not in other
    partnerships.activate(cast.actor("sanhe"), draft.pk)
    assert 'data-testid="clear-drafts-to-activate"' in home(client, cast, "sanhe")


def test_an_authority_sees_its_recommendation_with_proposals_left_to_decide(client, cast):
    run = RecommendationRun.objects.create(
        area="131082", area_name="三河市", region=region("131082"), status="done"
    )
    prop = Proposal.objects.create(run=run, school=cast.sanhe_school, partner=cast.tongzhou_school)
    Proposal.objects.create(run=run, school=cast.sanhe_branch, status="unplaced")
    html = home(client, cast, "sanhe")
    panel = queue(html, "recommendations-to-decide")
    assert count(html, "recommendations-to-decide") == 1
    assert "1 proposed partner to accept or dismiss" in panel
    assert reverse("partnerships:recommendation", args=[run.pk]) in panel
    assert 'data-testid="clear-recommendations-to-decide"' in home(client, cast, "tongzhou")
    assert "recommendations-to-decide" not in home(client, cast, "hebei_viewer")
    recommendations.dismiss_proposal(cast.actor("sanhe"), prop.pk)
    assert 'data-testid="clear-recommendations-to-decide"' in home(client, cast, "sanhe")
