"""The staff export: exactly the staff list's rows for its filters, masked unless asked.

Whoever reads staff lists exports them (capability ``staff.export``): the rows come from the
list's own scoped selector and filters dataclass, in its order, so a file holds what the
list shows across all its pages. ID numbers and phones are the stored masks; with
``personal_data`` an authority or institution admin (``staff.export_personal``) gets them in
clear for the records whose personal data it may reveal — the audited reveal's rule — after
a recent re-authentication, and the export's audit event says so. Past
``XIETONG_EXPORT_SYNC_ROWS`` rows the export is a job (see ``xietong.jobs.exports``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.access import Actor
from xietong.core.codes import HONOURS, STAGES, SUBJECTS, CodeTable
from xietong.core.delimited import unpack
from xietong.core.errors import InvalidInput, NotFound, PermissionDenied
from xietong.core.tables import Column
from xietong.institutions import selectors
from xietong.institutions.choices import Gender, Kind, Position, Title
from xietong.institutions.selectors import InstitutionFilters, StaffFilters
from xietong.jobs.exports import ExportKind, Params, filter_params, filters_from, flag, register

STAFF = "staff"
INSTITUTIONS = "institutions"
PERSONAL = "personal_data"  # the parameter that asks for ID numbers and phones in clear


def _staff_filters(p: Params) -> StaffFilters:
    return filters_from(StaffFilters, p)  # type: ignore[no-any-return]


def check_staff(actor: Actor, raw: Mapping[str, Any]) -> Params:
    """The list's filters, checked by its own form; ``personal_data`` only where the actor
    may reveal some of the rows (else refused, said plainly)."""
    params = filter_params(StaffFilters, actor, raw)
    filters = _staff_filters(params)
    try:
        selectors.staff_for(actor, filters)  # resolves the area once
    except NotFound as e:
        raise InvalidInput(fields={"area": [str(e.message)]}) from None
    if flag(raw, PERSONAL):
        if not selectors.may_unmask_staff(actor, filters):
            raise PermissionDenied(
                _("Your roles do not reveal personal data of these staff: export them masked.")
            )
        params[PERSONAL] = True
    return params


def count_staff(actor: Actor, p: Params) -> int:
    return selectors.staff_total(actor, _staff_filters(p)).n


def staff_columns(p: Params) -> Sequence[Column]:
    return [
        Column(_("Full name"), "text", 12),
        Column(_("Gender"), "text", 6),
        Column(_("Institution"), "text", 30),
        Column(_("Region"), "text", 12),
        Column(_("Position"), "text", 10),
        Column(_("Title"), "text", 8),
        Column(_("Stages"), "text", 14),
        Column(_("Subjects"), "text", 18),
        Column(_("Honours"), "text", 18),
        Column(_("ID number"), "text", 20),
        Column(_("Phone"), "text", 14),
        Column(_("At this institution since"), "date", 12),
    ]


def _labeller(choices: Sequence[tuple[str, Any]]) -> Callable[[str], str]:
    labels = {k: str(v) for k, v in choices}
    return lambda code: labels.get(code, code)


def _lister(table: CodeTable) -> Callable[[str], str]:
    """Stored codes (``"13,14"``) to their names joined as the list joins them; memoised
    per export, since a few hundred combinations make up a registry."""
    seen: dict[str, str] = {}

    def names(stored: str) -> str:
        if stored not in seen:
            seen[stored] = "、".join(table.labels(unpack(stored)))
        return seen[stored]

    return names


def staff_rows(actor: Actor, p: Params) -> Iterator[list[Any]]:
    gender = _labeller(Gender.choices)
    position = _labeller(Position.choices)
    title = _labeller(Title.choices)
    stages, subjects, honours = _lister(STAGES), _lister(SUBJECTS), _lister(HONOURS)
    rows = selectors.staff_export_rows(actor, _staff_filters(p), unmasked=bool(p.get(PERSONAL)))
    for name, g, inst, region, pos, t, st, su, ho, id_number, phone, joined in rows:
        yield [
            name,
            gender(g),
            inst,
            region,
            position(pos),
            title(t) if t else "",
            stages(st),
            subjects(su),
            honours(ho),
            id_number,
            phone,
            joined,
        ]


def staff_filename(p: Params) -> str:
    return f"{_('staff')}_{timezone.localdate().isoformat()}"


register(
    ExportKind(
        name=STAFF,
        label=gettext_lazy("Staff export"),
        capability="staff.export",
        denied=gettext_lazy("Your roles do not include the staff directory."),
        check=check_staff,
        count=count_staff,
        columns=staff_columns,
        rows=staff_rows,
        filename=staff_filename,
        sheet=lambda p: _("Staff"),
        personal_data=lambda p: bool(p.get(PERSONAL)),
    )
)


# --- institutions ------------------------------------------------------------------------


def _institution_filters(p: Params) -> InstitutionFilters:
    return filters_from(InstitutionFilters, p)  # type: ignore[no-any-return]


def _institutions(actor: Actor, p: Params) -> Any:
    return selectors.institutions_for(actor, _institution_filters(p)).order_by(
        "region_path", "name", "id"
    )


def check_institutions(actor: Actor, raw: Mapping[str, Any]) -> Params:
    """The institution list's filters, checked by its own form."""
    params = filter_params(InstitutionFilters, actor, raw)
    try:
        selectors.institutions_for(actor, _institution_filters(params))
    except NotFound as e:
        raise InvalidInput(fields={"area": [str(e.message)]}) from None
    return params


def institution_columns(p: Params) -> Sequence[Column]:
    return [
        Column(_("Name"), "text", 34),
        Column(_("English name"), "text", 34),
        Column(_("Kind"), "text", 14),
        Column(_("Stages"), "text", 16),
        Column(_("Region"), "text", 12),
        Column(_("School identifier"), "text", 12),
        Column(_("Parent institution"), "text", 30),
        Column(_("Address"), "text", 40),
    ]


def institution_rows(actor: Actor, p: Params) -> Iterator[list[Any]]:
    kind, stages = _labeller(Kind.choices), _lister(STAGES)
    fields = (
        "name", "name_en", "kind", "stages", "region__name", "school_code", "parent__name",
        "address",
    )  # fmt: skip
    rows = _institutions(actor, p).values_list(*fields).iterator(chunk_size=2000)
    for name, name_en, k, st, region, code, parent, address in rows:
        yield [name, name_en, kind(k), stages(st), region, code or "", parent or "", address]


register(
    ExportKind(
        name=INSTITUTIONS,
        label=gettext_lazy("Institutions export"),
        capability="institutions.export",
        denied=gettext_lazy("Your roles do not include exporting the institution directory."),
        check=check_institutions,
        count=lambda actor, p: _institutions(actor, p).count(),
        columns=institution_columns,
        rows=institution_rows,
        filename=lambda p: f"{_('institutions')}_{timezone.localdate().isoformat()}",
        sheet=lambda p: _("Institutions"),
    )
)
