"""Who is told: the admins of a body, the reviewers of a report (user ids, one query each)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from xietong.accounts.models import Role, RoleAssignment
from xietong.institutions.choices import Kind
from xietong.institutions.models import Institution
from xietong.plan.models import ProgressReport


def admins_of(bodies: Iterable[Institution]) -> dict[int, set[int]]:
    """For each body, the users acting for it (``reach.acts_for`` turned around)."""
    bodies = list(bodies)
    by_inst: dict[int, int] = {}
    by_path: dict[str, list[int]] = defaultdict(list)
    for b in bodies:
        by_inst[b.pk] = b.pk
        if b.parent_id:
            by_inst.setdefault(b.parent_id, b.pk)
        if b.kind == Kind.AUTHORITY:
            by_path[b.region_path].append(b.pk)
    out: dict[int, set[int]] = {b.pk: set() for b in bodies}
    if not bodies:
        return out
    rows = RoleAssignment.objects.filter(
        Q(role=Role.INSTITUTION_ADMIN, institution_id__in=list(by_inst))
        | Q(role=Role.AUTHORITY_ADMIN, region__path__in=list(by_path))
    ).values_list("user_id", "role", "institution_id", "region__path")
    parents = {b.parent_id: b.pk for b in bodies if b.parent_id}
    for user, role, inst, path in rows:
        if role == Role.INSTITUTION_ADMIN:
            if inst in out:
                out[inst].add(user)
            if inst in parents:
                out[parents[inst]].add(user)
        else:
            for pk in by_path.get(path, []):
                out[pk].add(user)
    return out


def body_admins(report: ProgressReport) -> set[int]:
    return admins_of([report.body])[report.body_id]


def reviewers(report: ProgressReport) -> set[int]:
    """The admins of the plan's signatories, less those of the filer's own body."""
    signatories = list(report.task.plan.signatories.all())
    found = admins_of(signatories)
    own = body_admins(report)
    return {u for users in found.values() for u in users} - own
