"""Every read of institutions and staff: takes the actor, returns only what it may see.

The rules are declared once in :mod:`xietong.institutions.access`; this module filters
with them (``read_q``, ``verb_q``) and marks each row with the actor's relations, so
``access.actions(actor, row)`` answers without a query per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from xietong import access
from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.core.codefields import CodeField
from xietong.core.codes import SUBJECTS
from xietong.core.counting import RowCount, estimated_count
from xietong.core.delimited import needle
from xietong.core.errors import NotFound
from xietong.core.filters import option
from xietong.core.paging import KeysetPage, keyset_paginate
from xietong.core.prefix import starts_with_q
from xietong.institutions import access as _declarations  # noqa: F401  (declares the rules)
from xietong.institutions import personal_data
from xietong.institutions.access import TALLIED_STAFF_RELATIONS
from xietong.institutions.choices import Honour, Kind, Position, Stage, Title
from xietong.institutions.models import Institution, Lab, RegionTally, Staff, StaffTally
from xietong.regions.selectors import path_prefixes_for, under_paths_q


def administered_institutions_q(actor: Actor, prefix: str = "") -> Q:
    """Institutions the actor keeps: in its authority region, or its own (with branches)."""
    return access.relation_q(actor, Institution, ("authority", "school"), prefix)


def institution_write_q(actor: Actor) -> Q:
    """Institutions the actor may change (the system admin keeps the whole registry)."""
    return access.verb_q(actor, Institution, "edit")


def staff_owning_q(actor: Actor, *, rowwise: bool = False) -> Q:
    """Staff whose personal data the actor may reveal: their keepers, and oneself
    (``rowwise``: as a flag on rows already read, see ``access.verb_q``)."""
    return access.verb_q(actor, Staff, "reveal", rowwise=rowwise)


def region_write_q(actor: Actor) -> Q:
    """Regions in which the actor may register institutions."""
    return access.verb_q(actor, _region_model(), "register_institution")


def _region_model() -> Any:
    from xietong.regions.models import Region

    return Region


def writable_regions(actor: Actor) -> QuerySet[Any]:
    """Regions in which the actor may register institutions (the choices of the form)."""
    return _region_model().objects.filter(region_write_q(actor))


def staff_read_q(actor: Actor) -> Q:
    return access.read_q(actor, Staff)


def _flag(q: Q) -> Case:
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def _tally_scope(
    actor: Actor, *, owning: bool, by_institution: bool = False
) -> tuple[QuerySet[Any], QuerySet[Staff]]:
    """``staff_read_q`` (or ``staff_owning_q``) on the tallies: the tally rows whose staff
    count, and the records the actor reads or owns beyond them, counted row by row — its
    own record, the people a task shows it (an applicant to its program; decision 0001).

    The region tallies serve when the scope is made of regions only (an authority), the
    institution tallies when it names institutions or ``by_institution`` is asked for. Both
    carry ``region_path``, so the same ``Q`` builders apply to them.
    """
    if owning:
        tallied: tuple[str, ...] = ("authority", "school")
        counted_apart: tuple[str, ...] = ("self",)
    else:
        tallied = TALLIED_STAFF_RELATIONS
        counted_apart = tuple(n for n in access.policy_for(Staff).read if n not in tallied)
    beyond = Staff.objects.filter(access.relation_q(actor, Staff, counted_apart)).exclude(
        access.relation_q(actor, Staff, tallied)
    )
    if not owning and access.can(actor, "staff.directory"):
        rows = StaffTally.objects.all() if by_institution else RegionTally.objects.all()
        return rows, beyond.none()
    institutions = access.relation_q(actor, Institution, tallied, "institution__")
    if by_institution or access.can(actor, "staff.school"):
        return StaffTally.objects.filter(institutions), beyond
    # Without institution grants the rule is one of region paths, which region rows answer.
    return RegionTally.objects.filter(access.relation_q(actor, Institution, tallied)), beyond


# --- institutions ---------------------------------------------------------------


def area_choices() -> list[tuple[Any, Any]]:
    """The area filter's choices: region groups, then divisions (reference data, two queries)."""
    from xietong.regions.choices import group_choices, region_choices
    from xietong.regions.models import Region, RegionGroup

    return [
        (_("Region groups"), group_choices(RegionGroup.objects.all())),
        (_("Divisions"), region_choices(Region.objects.only("code", "name", "path"))),
    ]


def _area() -> Any:
    return option(
        "",
        label=_("Area"),
        choices=area_choices,
        empty=_("All areas"),
        max_length=20,
    )


def _stage() -> Any:
    return option("", label=_("Stage"), choices=Stage.choices, empty=_("All stages"))


def _subject_field(**kwargs: Any) -> CodeField:
    return CodeField(SUBJECTS, blank_label=_("All subjects"), **kwargs)


@dataclass(frozen=True)
class InstitutionFilters:
    """The institution list's filters (page and API alike)."""

    q: str = option(
        "", label=_("Search"), max_length=100, placeholder=_("Name or school identifier")
    )
    area: str = _area()  # a region code or a region-group key
    kind: str = option("", label=_("Kind"), choices=Kind.choices, empty=_("All kinds"))
    stage: str = _stage()
    mine: bool = option(False, label=_("Only those I manage"))  # those the actor may change
    parent_id: int | None = option(
        None, label=_("Branch of"), param="parent", picker="institutions", empty=_("Any")
    )


def institutions_for(
    actor: Actor, filters: InstitutionFilters | None = None
) -> QuerySet[Institution]:
    """Institutions the actor may see, filtered; each row knows whether the actor may edit it."""
    f = filters or InstitutionFilters()
    qs = Institution.objects.filter(access.read_q(actor, Institution)).select_related(
        "region", "parent"
    )
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
    return access.annotate(actor, qs.annotate(can_edit=_flag(write_q)))


def institution_detail(actor: Actor, pk: int) -> Institution:
    inst = institutions_for(actor).filter(pk=pk).first()
    if inst is None:
        raise NotFound()
    return inst


def institutions_to_name(actor: Actor, q: str = "") -> QuerySet[Institution]:
    """Institutions by name or school identifier, for granting an institution's role:
    the security admin sees their names, codes and regions for that purpose only."""
    if not access.can(actor, "institutions.name_for_grants"):
        return Institution.objects.none()
    qs = Institution.objects.select_related("region").only(
        "id", "name", "school_code", "region__name", "region__path"
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(school_code__startswith=q))
    return qs.order_by("name", "id")


def can_edit_institution(actor: Actor, inst: Institution) -> bool:
    return Institution.objects.filter(institution_write_q(actor), pk=inst.pk).exists()


def labs_of(actor: Actor, inst: Institution) -> QuerySet[Lab]:
    institution_detail(actor, inst.pk)
    return inst.labs.all()


def branches_of(actor: Actor, inst: Institution) -> QuerySet[Institution]:
    return institutions_for(actor, InstitutionFilters(parent_id=inst.pk))


def institution_counts(actor: Actor) -> dict[str, int]:
    """Institutions and staff visible to the actor and, of those, the ones it may change.

    Staff are summed from the tallies (two small aggregates), not counted row by row.
    """
    inst = institutions_for(actor).aggregate(
        total=Count("pk"), mine=Count("pk", filter=institution_write_q(actor))
    )
    staff = {"total": 0, "mine": 0}
    if access.can(actor, "staff.read"):
        for key, owning in (("total", False), ("mine", True)):
            rows, beyond = _tally_scope(actor, owning=owning)
            staff[key] = _summed(rows) + beyond.count()
    return {
        "institutions": inst["total"],
        "my_institutions": inst["mine"],
        "staff": staff["total"],
        "my_staff": staff["mine"],
    }


def _summed(rows: QuerySet[Any]) -> int:
    return rows.aggregate(n=Sum("staff"))["n"] or 0


# --- staff -------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffFilters:
    """The staff list's filters (page and API alike); the list pages by (name, id)."""

    q: str = option(
        "",
        label=_("Full name"),
        max_length=50,
        placeholder=_("Surname, or 3+ characters"),
        help=_("One or two characters: names that start with them; three or more: anywhere."),
    )
    area: str = _area()
    institution_id: int | None = option(
        None,
        label=_("Institution"),
        param="institution",
        picker="institutions",
        empty=_("All institutions"),
    )
    position: str = option(
        "", label=_("Position"), choices=Position.choices, empty=_("All positions")
    )
    title: str = option("", label=_("Title"), choices=Title.choices, empty=_("All titles"))
    honour: str = option("", label=_("Honour"), choices=Honour.choices, empty=_("All honours"))
    stage: str = _stage()
    subject: str = option(  # a code of the subject table; its name is understood too
        "", label=_("Subject"), field=_subject_field, max_length=40
    )
    mine: bool = option(False, label=_("Only records I keep"))


STAFF_KEYSET = ("name", "id")  # the staff list's order: indexed, stable under inserts
# A name search this long or longer matches anywhere in the name (the trigram index serves
# it); a shorter one matches the start of the name, a surname (decision 0012).
NAME_ANYWHERE_FROM = 3


def staff_name_q(text: str) -> Q:
    """The staff list's name search: by surname under three characters, else anywhere.

    One or two characters anywhere in the name would match a tenth of the registry (王 in
    116,000 names at scale 1.0), which no index narrows (trigrams need three); as a prefix
    they are a range of the (name, id) index, read in the list's order.
    """
    if len(text) >= NAME_ANYWHERE_FROM:
        return Q(name__icontains=text)
    return starts_with_q("name", text)


def staff_for(actor: Actor, filters: StaffFilters | None = None) -> QuerySet[Staff]:
    """Staff the actor may see; ``owned`` says whether the actor may change and unmask the row."""
    f = filters or StaffFilters()
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
        qs = qs.filter(staff_name_q(f.q))
    if f.mine:
        qs = qs.filter(staff_owning_q(actor))
    owned = _flag(staff_owning_q(actor, rowwise=True))  # the rows are read_q's already
    return access.annotate(actor, qs.annotate(owned=owned), read=True)


def staff_acted_for(actor: Actor) -> QuerySet[Staff]:
    """Staff the actor may act for (apply on their behalf): itself, or its school's staff."""
    return staff_for(actor).filter(access.verb_q(actor, Staff, "act_for"))


def staff_total(actor: Actor, filters: StaffFilters | None = None) -> RowCount:
    """How many staff ``staff_for(actor, filters)`` holds, without counting 1.4 M rows.

    Filters on the institution (area, institution, position, mine) are answered exactly
    from the tallies; filters on the person (title, honour, stage, subject, name) by the
    database's estimate (exact on SQLite).
    """
    f = filters or StaffFilters()
    if not access.can(actor, "staff.read"):
        return RowCount(0, exact=True)
    if f.title or f.honour or f.stage or f.subject or f.q:
        return estimated_count(staff_for(actor, f))
    tally, beyond = _tally_scope(actor, owning=f.mine, by_institution=f.institution_id is not None)
    if f.area:
        tally = tally.filter(under_paths_q(path_prefixes_for(f.area), "region_path"))
    if f.institution_id is not None:
        tally = tally.filter(institution_id=f.institution_id)
    if f.position:
        tally = tally.filter(position=f.position)
    n = _summed(tally)
    n += staff_for(actor, f).filter(pk__in=beyond.values("pk")).count()
    return RowCount(n, exact=True)


def staff_page(actor: Actor, filters: StaffFilters, cursor: str, size: Any) -> KeysetPage:
    """A keyset page of the staff list in (name, id) order; no count (1.4 M rows at scale)."""
    return keyset_paginate(staff_for(actor, filters), cursor, size, STAFF_KEYSET)


def staff_detail(actor: Actor, pk: int) -> Staff:
    staff = staff_for(actor).filter(pk=pk).first()
    if staff is None:
        raise NotFound()
    return staff


def reveal_personal_data(
    actor: Actor, pk: int, *, reauthenticated_at: Any = None
) -> dict[str, Any]:
    """The unmasked ID number, phone and birth date of a staff member the actor owns;
    audited, and only shortly after the actor re-authenticated (decision 0005).

    The one place sealed personal data is opened for someone to see (decision 0002).
    """
    from xietong.accounts import second_factor

    staff = staff_detail(actor, pk)
    access.require(actor, "reveal", staff)
    second_factor.require_recent(reauthenticated_at)
    clear = personal_data.unsealed(staff)
    audit.record(
        actor,
        "personal_data.read",
        target=staff,
        detail={"fields": ["id_number", "phone", "birth_date"]},
    )
    return {"id_number": clear.id_number, "phone": clear.phone, "birth_date": staff.birth_date}


# The columns of a staff export, read as tuples (no model per row), in the list's order.
STAFF_EXPORT_COLUMNS = (
    "name",
    "gender",
    "institution__name",
    "institution__region__name",
    "position",
    "title",
    "stages",
    "subjects",
    "honours",
    "masked_id_number",
    "masked_phone",
    "joined_on",
)
EXPORT_CHUNK = 2000  # rows fetched at a time by an export


def may_unmask_staff(actor: Actor, filters: StaffFilters) -> bool:
    """Whether an export of this filter may carry personal data in clear: the rows the
    actor may reveal (the audited reveal's own rule, verb ``reveal``) among them."""
    if not access.can(actor, "staff.export_personal"):
        return False
    return staff_for(actor, filters).filter(staff_owning_q(actor)).exists()


def staff_export_rows(
    actor: Actor, filters: StaffFilters, *, unmasked: bool = False
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``staff_for(actor, filters)`` as tuples of :data:`STAFF_EXPORT_COLUMNS`,
    in the list's (name, id) order, fetched :data:`EXPORT_CHUNK` at a time.

    ``unmasked``: the ID number and phone in clear where the actor may reveal them (the
    ``owned`` flag, the reveal's rule); elsewhere the masks. The caller checks the right
    (:func:`may_unmask_staff`) and the export's audit event records it.
    """
    qs = staff_for(actor, filters).order_by(*STAFF_KEYSET)
    if not unmasked:
        yield from qs.values_list(*STAFF_EXPORT_COLUMNS).iterator(chunk_size=EXPORT_CHUNK)
        return
    fields = (*STAFF_EXPORT_COLUMNS, "owned", "id_number_sealed", "phone_sealed")
    for row in qs.values_list(*fields).iterator(chunk_size=EXPORT_CHUNK):
        *values, owned, id_sealed, phone_sealed = row
        if owned:
            clear = personal_data.unsealed_values(id_sealed, phone_sealed)
            values[9], values[10] = clear.id_number, clear.phone
        yield tuple(values)


def counts_by_region(actor: Actor) -> dict[int, dict[str, int]]:
    """Visible institutions and staff per region id, rolled up the region tree (two GROUP BYs)."""
    from xietong.regions.models import Region

    inst_rows = institutions_for(actor).order_by().values("region_id").annotate(n=Count("pk"))
    staff_rows: list[dict[str, Any]] = []
    if access.can(actor, "staff.read"):
        rows, beyond = _tally_scope(actor, owning=False)
        staff_rows = list(rows.order_by().values("region").annotate(n=Sum("staff")))
        staff_rows += list(
            beyond.order_by().values(region=F("institution__region_id")).annotate(n=Count("pk"))
        )
    direct: dict[int, dict[str, int]] = {}
    for row in inst_rows:
        direct.setdefault(row["region_id"], {"institutions": 0, "staff": 0})["institutions"] = row[
            "n"
        ]
    for row in staff_rows:
        direct.setdefault(row["region"], {"institutions": 0, "staff": 0})["staff"] += row["n"]
    regions = list(Region.objects.only("id", "parent_id", "path").order_by("-path"))
    totals = {r.id: {"institutions": 0, "staff": 0} for r in regions}
    # Deepest first, so each region's total is complete before it is added to its parent.
    for r in sorted(regions, key=lambda r: -r.path.count("/")):
        here = direct.get(r.id, {"institutions": 0, "staff": 0})
        totals[r.id]["institutions"] += here["institutions"]
        totals[r.id]["staff"] += here["staff"]
        if r.parent_id:
            totals[r.parent_id]["institutions"] += totals[r.id]["institutions"]
            totals[r.parent_id]["staff"] += totals[r.id]["staff"]
    return totals


def region_counts(actor: Actor) -> dict[str, int]:
    """Institutions and staff in the actor's own authority regions — not the whole
    directory it reads: one count and one sum over the region roll-ups."""
    mine = access.relation_q(actor, Institution, ("viewer",))
    return {
        "institutions": Institution.objects.filter(mine).count(),
        "staff": _summed(RegionTally.objects.filter(mine)),
    }
