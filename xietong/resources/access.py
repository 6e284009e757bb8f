"""Who reads shared resources and who may do what with them.

* A resource is kept — edited, submitted for review, deleted while a draft — by the
  admins of its provider institution (a branch campus's parent admin too). They and the
  authorities over the provider's region read it in every state; its authors read it too.
* It is reviewed — published or returned — by the reviewers appointed for one of its
  subjects over a region that covers the provider (:class:`~.models.Reviewer`), while it
  is submitted.
* Once published it is read by its audience (:func:`audience`): everyone signed in with a
  business role for "the whole region"; for "partners only", the people of institutions
  in an active partnership with the provider; for "a region group", the people of
  institutions in the group's regions; for "named institutions", theirs. Authorities read
  what their region's institutions read. The system admin reads every published resource.
* It is withdrawn, with a reason, by its provider's admins or an authority over the
  provider, while submitted or published.
* Anyone who reads a published resource may record its use and, once used, rate it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xietong import access
from xietong.access import Policy, Rule, capability, declare
from xietong.access import reach as r
from xietong.access.actor import Actor
from xietong.accounts.models import Role
from xietong.core.delimited import needle
from xietong.institutions.models import Institution, Staff
from xietong.partnerships.choices import PartnershipStatus
from xietong.partnerships.models import Member
from xietong.regions.models import RegionGroup
from xietong.regions.selectors import paths_above, under_paths_q
from xietong.resources.choices import ResourceStatus, Visibility
from xietong.resources.models import (
    Rating,
    Resource,
    ResourceAudience,
    ResourceAuthor,
    Review,
    Reviewer,
    Use,
)

DRAFT = ResourceStatus.DRAFT
SUBMITTED = ResourceStatus.SUBMITTED
RETURNED = ResourceStatus.RETURNED
PUBLISHED = ResourceStatus.PUBLISHED
OPEN = frozenset({DRAFT, RETURNED})
BUSINESS_ROLES = (
    Role.AUTHORITY_ADMIN,
    Role.AUTHORITY_VIEWER,
    Role.INSTITUTION_ADMIN,
    Role.STAFF,
    Role.SYSTEM_ADMIN,
)

KEEPS = _("Only an admin of the provider institution keeps its resources.")
REVIEWS = _("Only a reviewer appointed for the resource's subject over its provider reviews it.")
WITHDRAWS = _("Only the provider's admins or an authority over the provider withdraw a resource.")
NOT_PUBLISHED = _("Only a published resource can be used or rated.")


def own_institution_ids(actor: Actor) -> list[int]:
    """The institutions the actor belongs to: those it administers and its staff record's."""
    ids = list(actor.admin_institution_ids)
    if actor.own_staff_id is not None:
        ids += Staff.objects.filter(pk=actor.own_staff_id).values_list("institution_id", flat=True)
    return sorted(set(ids))


def _group_ids(actor: Actor, institution_ids: list[int]) -> list[int]:
    """Region groups the actor's institutions lie in, or that meet the actor's region."""
    paths = list(
        Institution.objects.filter(pk__in=institution_ids).values_list("region_path", flat=True)
    )
    above = {p for path in paths for p in paths_above(path)}
    for path in actor.authority_region_paths:
        above.update(paths_above(path))
    q = Q(members__path__in=sorted(above)) if above else r.NOTHING
    q |= under_paths_q(actor.authority_region_paths, "members__path")
    if q == r.NOTHING:
        return []
    return sorted(set(RegionGroup.objects.filter(q).values_list("pk", flat=True)))


def _partner_institutions(mine: list[int], region_paths: list[str]) -> QuerySet[Member, Any]:
    """Institutions in an active partnership with one of ``mine`` or with an institution
    under ``region_paths``."""
    theirs = Q(institution_id__in=mine) if mine else r.NOTHING
    theirs |= under_paths_q(region_paths, "institution__region_path")
    partnerships = Member.objects.filter(
        theirs, partnership__status=PartnershipStatus.ACTIVE
    ).values("partnership_id")
    return Member.objects.filter(
        partnership_id__in=partnerships, partnership__status=PartnershipStatus.ACTIVE
    ).values("institution_id")


def audience(actor: Actor, prefix: str) -> Q:
    """Published resources whose visibility includes the actor (see the module's doc)."""
    if not actor.has(*BUSINESS_ROLES):
        return r.NOTHING
    f = lambda name: r.join(prefix, name)  # noqa: E731
    mine = own_institution_ids(actor)
    regions = actor.authority_region_paths
    q = Q(**{f("visibility"): Visibility.REGION})
    if mine or regions:
        partners = Q(**{f("provider_id__in"): _partner_institutions(mine, regions)})
        q |= Q(**{f("visibility"): Visibility.PARTNERS}) & partners
        named = ResourceAudience.objects.filter(resource_id=OuterRef(f("pk")))
        whose = Q(institution_id__in=mine) if mine else r.NOTHING
        whose |= under_paths_q(regions, "institution__region_path")
        q |= Q(**{f("visibility"): Visibility.NAMED}) & Q(Exists(named.filter(whose)))
        groups = _group_ids(actor, mine)
        if groups:
            q |= Q(**{f("visibility"): Visibility.GROUP, f("visible_group_id__in"): groups})
    return q & Q(**{f("status"): PUBLISHED})


def reviewer(actor: Actor, prefix: str) -> Q:
    """Submitted resources of a subject the actor reviews, provided within its region."""
    if actor.user_id is None:
        return r.NOTHING
    rows = Reviewer.objects.filter(account_id=actor.user_id, ended_at__isnull=True)
    q = r.NOTHING
    for subject, path in rows.values_list("subject", "region_path"):
        q |= Q(
            **{
                r.join(prefix, "subjects__contains"): needle(subject),
                r.join(prefix, "provider_path__startswith"): path,
            }
        )
    if q == r.NOTHING:
        return q
    return q & Q(**{r.join(prefix, "status"): SUBMITTED})


def _over_provider(paths_of: str) -> r.Reach:
    def q(actor: Actor, prefix: str) -> Q:
        return under_paths_q(getattr(actor, paths_of), r.join(prefix, "provider_path"))

    return q


READERS = ("keeper", "author", "over_provider", "reviewer", "audience", "system")
# Relations that use a published resource (its keepers see it too, but do not "use" it).
USERS = ("audience", "system", "author", "over_provider")

declare(
    Policy(
        model=Resource,
        relations={
            "keeper": r.school("provider"),
            "author": r.through(ResourceAuthor, "resource", r.person("staff")),
            "manager": _over_provider("admin_region_paths"),
            "over_provider": _over_provider("authority_region_paths"),
            "reviewer": reviewer,
            "audience": audience,
            "system": r.where(r.roles(Role.SYSTEM_ADMIN), status=PUBLISHED),
        },
        read=READERS,
        rules=(
            Rule(
                "edit",
                by=("keeper",),
                states=OPEN,
                denied=KEEPS,
                not_now=_("Only a draft or a returned resource can be edited."),
            ),
            Rule(
                "submit",
                by=("keeper",),
                states=OPEN,
                to=SUBMITTED,
                stamp="submitted_at",
                denied=KEEPS,
                not_now=_("Only a draft or a returned resource can be submitted for review."),
            ),
            Rule(
                "publish",
                by=("reviewer",),
                states=frozenset({SUBMITTED}),
                to=PUBLISHED,
                stamp="published_at",
                denied=REVIEWS,
                not_now=_("Only a submitted resource can be published."),
            ),
            Rule(
                "return",
                by=("reviewer",),
                states=frozenset({SUBMITTED}),
                to=RETURNED,
                stamp="returned_at",
                denied=REVIEWS,
                not_now=_("Only a submitted resource can be returned."),
            ),
            Rule(
                "withdraw",
                by=("keeper", "manager"),
                states=frozenset({SUBMITTED, PUBLISHED}),
                to=ResourceStatus.WITHDRAWN,
                stamp="withdrawn_at",
                denied=WITHDRAWS,
                not_now=_("Only a submitted or published resource can be withdrawn."),
            ),
            Rule(
                "delete",
                by=("keeper",),
                states=frozenset({DRAFT}),
                denied=KEEPS,
                not_now=_("Only a draft can be deleted; withdraw a published resource instead."),
            ),
            Rule(
                "use",
                by=USERS,
                states=frozenset({PUBLISHED}),
                denied=_("You cannot see this resource."),
                not_now=NOT_PUBLISHED,
            ),
        ),
        audit_prefix="resources.resource",
    )
)

# Authors, audiences, reviews, uses and ratings are read with their resource.
for _model in (ResourceAuthor, ResourceAudience, Review, Rating):
    declare(
        Policy(
            model=_model,
            relations={n: r.via("resource", Resource, n) for n in READERS},
            read=READERS,
            rules=(),
            state_field="",
            audit_prefix=f"resources.{_model.__name__.lower()}",
        )
    )

# A record of use names a person: it is read by that person, by the admins of their
# institution and the authorities over it, and by the provider's keepers and the
# authorities over the provider (the flows of their resources).
declare(
    Policy(
        model=Use,
        relations={
            "own": r.owner("account"),
            "user_side": r.administers("institution"),
            "user_viewer": r.viewer("institution"),
            "provider_side": r.administers("provider"),
            "provider_viewer": r.viewer("provider"),
        },
        read=("own", "user_side", "user_viewer", "provider_side", "provider_viewer"),
        rules=(),
        state_field="",
        audit_prefix="resources.use",
    )
)

declare(
    Policy(
        model=Reviewer,
        relations={
            "appointer": r.region("region"),
            "region_viewer": r.region_viewer("region"),
            "own": r.owner("account"),
        },
        read=("appointer", "region_viewer", "own"),
        rules=(
            Rule(
                "end",
                by=("appointer",),
                denied=_("Only an authority administrator over the region ends an appointment."),
            ),
        ),
        state_field="",
        audit_prefix="resources.reviewer",
    )
)

capability("resources.browse", *BUSINESS_ROLES)
capability("resources.provide", Role.INSTITUTION_ADMIN)
capability("resources.appoint", Role.AUTHORITY_ADMIN)


def readable_resources(actor: Actor) -> QuerySet[Resource]:
    return Resource.objects.filter(access.read_q(actor, Resource))


def may_attach(actor: Actor, resource: Resource) -> bool:
    return "edit" in access.actions(actor, resource)


def register() -> None:
    from xietong.attachments.registry import register_owner

    register_owner(
        Resource,
        readable=readable_resources,
        manageable=may_attach,
        types=("pdf", "jpeg", "png", "docx", "pptx", "xlsx", "text"),
    )
