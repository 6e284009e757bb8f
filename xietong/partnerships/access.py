"""Who reads partnerships and who manages them: the declarations of its models.

* a partnership is managed — edited, given members, yearly terms and dispatched people,
  activated, ended, deleted while a draft — by an authority admin whose region covers its
  managing ``region``;
* once it is no longer a draft it is read by the admins of any member institution (a
  branch campus's parent admin too), by the authorities and viewers whose region covers
  any member or the managing region, by the people dispatched under it and by the system
  admin; a draft is seen by its managers only (as exchange drafts are, decision 0009);
* members, yearly terms and dispatched people are read and kept through their partnership.

The member relation is an ``EXISTS`` over the members (:func:`reach.through`): a list of
partnerships never repeats a row however many of its members an actor administers.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xietong import access
from xietong.access import Guard, Policy, Rule, capability, declare
from xietong.access import reach as r
from xietong.access.actor import Actor
from xietong.accounts.models import Role
from xietong.institutions.models import Staff
from xietong.partnerships.choices import PartnershipStatus
from xietong.partnerships.models import Dispatch, Member, Partnership, PartnershipTerm

DRAFT = PartnershipStatus.DRAFT
CHANGEABLE = frozenset({PartnershipStatus.DRAFT, PartnershipStatus.ACTIVE})
MANAGES = _("Only an authority administrator over the partnership's region manages it.")
ENDED = _("An ended partnership can no longer be changed.")

# The relations that read a partnership (the managers also while it is a draft).
READERS = ("manager", "member", "member_authority", "region_viewer", "dispatched", "system")

declare(
    Policy(
        model=Partnership,
        relations={
            "manager": r.region("region"),
            "member": r.where_not(
                r.through(Member, "partnership", r.school("institution")), status=DRAFT
            ),
            "member_authority": r.where_not(
                r.through(Member, "partnership", r.viewer("institution")), status=DRAFT
            ),
            "region_viewer": r.where_not(r.region_viewer("region"), status=DRAFT),
            "dispatched": r.where_not(
                r.through(Dispatch, "partnership", r.person("staff")), status=DRAFT
            ),
            "system": r.where_not(r.roles(Role.SYSTEM_ADMIN), status=DRAFT),
        },
        read=READERS,
        rules=(
            Rule("edit", by=("manager",), states=CHANGEABLE, denied=MANAGES, not_now=ENDED),
            Rule(
                "activate",
                by=("manager",),
                states=frozenset({PartnershipStatus.DRAFT}),
                to=PartnershipStatus.ACTIVE,
                stamp="activated_at",
                denied=MANAGES,
                not_now=_("Only a draft partnership can be activated."),
            ),
            Rule(
                "end",
                by=("manager",),
                states=frozenset({PartnershipStatus.ACTIVE}),
                to=PartnershipStatus.ENDED,
                stamp="ended_at",
                denied=MANAGES,
                not_now=_("Only an active partnership can be ended."),
            ),
            Rule(
                "delete",
                by=("manager",),
                states=frozenset({PartnershipStatus.DRAFT}),
                denied=MANAGES,
                not_now=_("Only a draft partnership can be deleted; end it instead."),
            ),
        ),
        audit_prefix="partnerships.partnership",
    )
)


def _changeable(row: Member | PartnershipTerm | Dispatch) -> bool:
    return row.partnership.status in CHANGEABLE


PARTNERSHIP_OPEN = Guard(_changeable, ENDED)


def _through_partnership(model: type, *, admin: bool = False) -> Policy:
    relations = {name: r.via("partnership", Partnership, name) for name in READERS}
    if admin:
        # The member row's own institution: its admin acts for this party (agreements,
        # activities).
        relations["admin"] = r.school("institution")
    return declare(
        Policy(
            model=model,  # type: ignore[arg-type]
            relations=relations,
            read=READERS,
            rules=(
                Rule("edit", by=("manager",), guards=(PARTNERSHIP_OPEN,), denied=MANAGES),
                Rule("delete", by=("manager",), guards=(PARTNERSHIP_OPEN,), denied=MANAGES),
            ),
            state_field="",
            audit_prefix=f"partnerships.{model.__name__.lower()}",
        )
    )


_through_partnership(Member, admin=True)
_through_partnership(PartnershipTerm)
_through_partnership(Dispatch)

# The people dispatched under a partnership are shown to its readers (name and post only:
# decision 0001, minimum necessary).
access.extend_read(Staff, "partnership_dispatch", r.named_by(Dispatch, "staff", READERS))

capability(
    "partnerships.list",
    Role.AUTHORITY_ADMIN,
    Role.AUTHORITY_VIEWER,
    Role.INSTITUTION_ADMIN,
    Role.SYSTEM_ADMIN,
)
capability("partnerships.manage", Role.AUTHORITY_ADMIN)
# The partnership list as a file: its readers (rows scoped as on the page).
capability(
    "partnerships.export",
    Role.AUTHORITY_ADMIN,
    Role.AUTHORITY_VIEWER,
    Role.INSTITUTION_ADMIN,
    Role.SYSTEM_ADMIN,
)


def member_admin_q(actor: Actor, prefix: str = "") -> Q:
    """Member rows whose institution the actor administers (its own or its parent's admin)."""
    return access.relation_q(actor, Member, ("admin",), prefix)


def member_admin_of(actor: Actor, partnership: Partnership) -> list[Member]:
    """The member rows of ``partnership`` whose institution the actor administers.

    The parties an actor acts for: approving an agreement version, logging an activity.
    Empty for a partnership the actor may not read (a draft, to anyone but its managers).
    """
    if not access.can_read(actor, partnership):
        return []
    return list(
        Member.objects.filter(member_admin_q(actor), partnership=partnership)
        .select_related("institution")
        .order_by("role", "id")
    )
