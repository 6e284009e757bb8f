"""Every read of institutions and staff: takes the actor, returns only what it may see.

The access rules of the registry (DESIGN.md "Access") live here as ``Q`` objects:

* institutions are a directory every business role reads; writing is limited to the
  authority admin's region, the institution admin's institution and its branch campuses,
  and the system admin;
* staff records are read by authorities across the region (they plan exchanges), by an
  institution admin for their own institution, by a staff member for themselves;
* a staff member's *owning scope* — write access and personal data — is the authority
  admin's region, the institution admin's institution (with branches), and oneself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When

from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.core.delimited import needle
from xietong.core.errors import NotFound, PermissionDenied
from xietong.institutions.models import Institution, Lab, Staff
from xietong.regions.selectors import path_prefixes_for, under_paths_q

NOTHING = Q(pk__in=[])


def _own_institutions_q(actor: Actor, prefix: str = "") -> Q:
    ids = actor.admin_institution_ids
    if not ids:
        return NOTHING
    return Q(**{f"{prefix}pk__in": ids}) | Q(**{f"{prefix}parent_id__in": ids})


def administered_institutions_q(actor: Actor, prefix: str = "") -> Q:
    """Institutions the actor administers: in its authority region, or its own (with branches)."""
    return under_paths_q(actor.admin_region_paths, f"{prefix}region_path") | _own_institutions_q(
        actor, prefix
    )


def institution_write_q(actor: Actor) -> Q:
    """Institutions the actor may change (the system admin keeps the whole registry)."""
    if actor.is_system_admin:
        # Not an empty Q(): that matches everything in filter() but cannot be a When().
        return Q(pk__isnull=False)
    return administered_institutions_q(actor)


def staff_owning_q(actor: Actor) -> Q:
    """Staff whose records the actor owns: may change them and reveal their personal data."""
    q = administered_institutions_q(actor, "institution__")
    if actor.own_staff_id is not None:
        q |= Q(pk=actor.own_staff_id)
    return q


def region_write_q(actor: Actor) -> Q:
    """Regions in which the actor may register institutions."""
    if actor.is_system_admin:
        return Q()
    return under_paths_q(actor.admin_region_paths, "path")


def writable_regions(actor: Actor) -> QuerySet[Any]:
    """Regions in which the actor may register institutions (the choices of the form)."""
    from xietong.regions.models import Region

    return Region.objects.filter(region_write_q(actor))


def staff_read_q(actor: Actor) -> Q:
    if actor.reads_all_staff:
        return Q()
    return staff_owning_q(actor)


# --- institutions ---------------------------------------------------------------


@dataclass(frozen=True)
class InstitutionFilters:
    area: str = ""  # a region code or a region-group key
    kind: str = ""
    stage: str = ""
    q: str = ""
    mine: bool = False  # only those the actor may change
    parent_id: int | None = None


def institutions_for(
    actor: Actor, filters: InstitutionFilters | None = None
) -> QuerySet[Institution]:
    """Institutions the actor may see, filtered; each row knows whether the actor may edit it."""
    if not actor.reads_registry:
        return Institution.objects.none()
    f = filters or InstitutionFilters()
    qs = Institution.objects.select_related("region", "parent")
    if f.area:
        qs = qs.filter(under_paths_q(path_prefixes_for(f.area)))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.stage:
        qs = qs.filter(stages__contains=needle(f.stage))
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(school_code=f.q) | Q(name_en__icontains=f.q))
    if f.parent_id is not None:
        qs = qs.filter(parent_id=f.parent_id)
    write_q = institution_write_q(actor)
    if f.mine:
        qs = qs.filter(write_q)
    return qs.annotate(
        can_edit=Case(
            When(write_q, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def institution_detail(actor: Actor, pk: int) -> Institution:
    inst = institutions_for(actor).filter(pk=pk).first()
    if inst is None:
        raise NotFound()
    return inst


def can_edit_institution(actor: Actor, inst: Institution) -> bool:
    return Institution.objects.filter(institution_write_q(actor), pk=inst.pk).exists()


def labs_of(actor: Actor, inst: Institution) -> QuerySet[Lab]:
    institution_detail(actor, inst.pk)
    return inst.labs.all()


def branches_of(actor: Actor, inst: Institution) -> QuerySet[Institution]:
    return institutions_for(actor, InstitutionFilters(parent_id=inst.pk))


def institution_counts(actor: Actor) -> dict[str, int]:
    """Institutions and staff visible to the actor and, of those, the ones it may change."""
    inst = institutions_for(actor).aggregate(
        total=Count("pk"), mine=Count("pk", filter=institution_write_q(actor))
    )
    staff = staff_for(actor).aggregate(
        total=Count("pk"), mine=Count("pk", filter=staff_owning_q(actor))
    )
    return {
        "institutions": inst["total"],
        "my_institutions": inst["mine"],
        "staff": staff["total"],
        "my_staff": staff["mine"],
    }


# --- staff -------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffFilters:
    area: str = ""
    institution_id: int | None = None
    position: str = ""
    title: str = ""
    honour: str = ""
    stage: str = ""
    subject: str = ""
    q: str = ""
    mine: bool = False


def staff_for(actor: Actor, filters: StaffFilters | None = None) -> QuerySet[Staff]:
    """Staff the actor may see; ``owned`` says whether the actor may change and unmask the row."""
    if not (actor.reads_all_staff or actor.admin_institution_ids or actor.own_staff_id):
        return Staff.objects.none()
    f = filters or StaffFilters()
    owning = staff_owning_q(actor)
    qs = Staff.objects.filter(staff_read_q(actor)).select_related(
        "institution", "institution__region"
    )
    if f.area:
        qs = qs.filter(under_paths_q(path_prefixes_for(f.area), "institution__region_path"))
    if f.institution_id is not None:
        qs = qs.filter(institution_id=f.institution_id)
    if f.position:
        qs = qs.filter(position=f.position)
    if f.title:
        qs = qs.filter(title=f.title)
    if f.honour:
        qs = qs.filter(honours__contains=needle(f.honour))
    if f.stage:
        qs = qs.filter(stages__contains=needle(f.stage))
    if f.subject:
        qs = qs.filter(subjects__contains=needle(f.subject))
    if f.q:
        qs = qs.filter(name__icontains=f.q)
    if f.mine:
        qs = qs.filter(owning)
    return qs.annotate(
        owned=Case(
            When(owning, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def staff_detail(actor: Actor, pk: int) -> Staff:
    staff = staff_for(actor).filter(pk=pk).first()
    if staff is None:
        raise NotFound()
    return staff


def reveal_personal_data(
    actor: Actor, pk: int, *, reauthenticated_at: Any = None
) -> dict[str, Any]:
    """The unmasked ID number, phone and birth date of a staff member the actor owns;
    audited, and only shortly after the actor re-authenticated (decision 0005)."""
    from xietong.accounts import second_factor

    staff = staff_detail(actor, pk)
    if not getattr(staff, "owned", False):
        raise PermissionDenied(_personal_denied())
    second_factor.require_recent(reauthenticated_at)
    audit.record(
        actor,
        "personal_data.read",
        target=staff,
        detail={"fields": ["id_number", "phone", "birth_date"]},
    )
    return {"id_number": staff.id_number, "phone": staff.phone, "birth_date": staff.birth_date}


def _personal_denied() -> str:
    from django.utils.translation import gettext

    return gettext("Personal data of staff outside your scope is shown masked only.")


def counts_by_region(actor: Actor) -> dict[int, dict[str, int]]:
    """Visible institutions and staff per region id, rolled up the region tree (two GROUP BYs)."""
    from xietong.regions.models import Region

    inst_rows = institutions_for(actor).order_by().values("region_id").annotate(n=Count("pk"))
    staff_rows = (
        staff_for(actor).order_by().values("institution__region_id").annotate(n=Count("pk"))
    )
    direct: dict[int, dict[str, int]] = {}
    for row in inst_rows:
        direct.setdefault(row["region_id"], {"institutions": 0, "staff": 0})["institutions"] = row[
            "n"
        ]
    for row in staff_rows:
        direct.setdefault(row["institution__region_id"], {"institutions": 0, "staff": 0})[
            "staff"
        ] = row["n"]
    regions = list(Region.objects.only("id", "parent_id", "path").order_by("-path"))
    totals = {r.id: {"institutions": 0, "staff": 0} for r in regions}
    # Deepest first, so each region's total is complete before it is added to its parent.
    for r in sorted(regions, key=lambda r: -r.path.count("/")):
        own = direct.get(r.id, {"institutions": 0, "staff": 0})
        totals[r.id]["institutions"] += own["institutions"]
        totals[r.id]["staff"] += own["staff"]
        if r.parent_id:
            totals[r.parent_id]["institutions"] += totals[r.id]["institutions"]
            totals[r.parent_id]["staff"] += totals[r.id]["staff"]
    return totals
