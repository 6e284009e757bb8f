"""The access rules of exchanges as ``Q`` objects: the one place each rule lives.

* a program is managed by an authority admin whose region covers the program's owning
  region or its organising authority's region;
* a host offer is managed by the host's institution admin or an authority admin over it;
* an application is handled at each step by the people of that step: the applicant (or
  an admin of the home institution on their behalf), the home institution's admin, an
  authority admin over the home institution, the program's managers;
* a placement is visible to its sending and its host institution.
"""

from __future__ import annotations

from django.db.models import Q

from xietong.accounts.access import Actor
from xietong.exchanges.models import Program, ProgramArea
from xietong.institutions.selectors import administered_institutions_q
from xietong.regions.selectors import under_paths_q

NOTHING = Q(pk__in=[])


def manage_program_q(actor: Actor, prefix: str = "") -> Q:
    paths = actor.admin_region_paths
    return under_paths_q(paths, f"{prefix}region__path") | under_paths_q(
        paths, f"{prefix}organiser__region_path"
    )


def read_program_q(actor: Actor) -> Q:
    return Q() if actor.reads_registry else NOTHING


def home_admin_q(actor: Actor, prefix: str = "") -> Q:
    """Institutions whose own admin the actor is (a branch campus answers to its parent's)."""
    ids = actor.admin_institution_ids
    if not ids:
        return NOTHING
    return Q(**{f"{prefix}pk__in": ids}) | Q(**{f"{prefix}parent_id__in": ids})


def authority_admin_q(actor: Actor, prefix: str = "") -> Q:
    return under_paths_q(actor.admin_region_paths, f"{prefix}region_path")


def authority_read_q(actor: Actor, prefix: str = "") -> Q:
    return under_paths_q(actor.authority_region_paths, f"{prefix}region_path")


def offer_manage_q(actor: Actor) -> Q:
    return administered_institutions_q(actor, "host__")


def application_read_q(actor: Actor) -> Q:
    q = NOTHING
    if actor.own_staff_id is not None:
        q |= Q(applicant_id=actor.own_staff_id)
    q |= administered_institutions_q(actor, "home__") | authority_read_q(actor, "home__")
    q |= manage_program_q(actor, "program__")
    q |= administered_institutions_q(actor, "matched_slot__offer__host__")
    return q


def placement_read_q(actor: Actor) -> Q:
    q = NOTHING
    if actor.own_staff_id is not None:
        q |= Q(application__applicant_id=actor.own_staff_id) | Q(mentor_id=actor.own_staff_id)
    for side in ("home__", "host__"):
        q |= administered_institutions_q(actor, side) | authority_read_q(actor, side)
    q |= manage_program_q(actor, "application__program__")
    return q


def area_q(program: Program, side: str, prefix: str = "") -> Q:
    """Institutions inside a program's sending or host scope; no entries means anywhere."""
    rows = list(
        ProgramArea.objects.filter(program=program, side=side)
        .select_related("region")
        .prefetch_related("group__members")
    )
    if not rows:
        return Q()
    paths: list[str] = []
    ids: list[int] = []
    for row in rows:
        if row.region is not None:
            paths.append(row.region.path)
        elif row.group is not None:
            paths.extend(m.path for m in row.group.members.all())
        elif row.institution_id:
            ids.append(row.institution_id)
    q = under_paths_q(paths, f"{prefix}region_path")
    if ids:
        q |= Q(**{f"{prefix}pk__in": ids})
    return q
