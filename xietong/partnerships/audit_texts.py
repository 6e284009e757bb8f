"""The audit log's sentences for partnerships: partnerships, members, yearly terms and the
people dispatched (see ``accounts.audit_reading``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import (
    Events,
    Facts,
    Ref,
    by_pk,
    describe_all,
    field_names,
    object_type,
)
from xietong.partnerships.models import Dispatch, Member, Partnership, PartnershipTerm

GROUP = gettext_lazy("Partnerships")


def _partnerships(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(Partnership.objects.only("name"), lambda p: {"name": p.name}, keys)


def _members(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = Member.objects.select_related("institution", "partnership").only(
        "institution__name", "partnership__name"
    )
    return by_pk(
        qs,
        lambda m: {
            "name": f"{m.institution.name} · {m.partnership.name}",
            "institution": m.institution.name,
            "partnership": m.partnership.name,
        },
        keys,
    )


def _terms(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = PartnershipTerm.objects.select_related("partnership").only(
        "school_year", "partnership__name"
    )
    return by_pk(
        qs,
        lambda t: {
            "name": f"{t.partnership.name} {t.school_year}–{t.school_year + 1}",
            "partnership": t.partnership.name,
            "year": f"{t.school_year}–{t.school_year + 1}",
        },
        keys,
    )


def _dispatches(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = Dispatch.objects.select_related("staff", "host", "partnership").only(
        "post", "staff__name", "host__name", "partnership__name"
    )
    return by_pk(
        qs,
        lambda d: {
            "name": f"{d.staff.name} → {d.host.name}",
            "person": d.staff.name,
            "host": d.host.name,
            "post": d.post,
            "partnership": d.partnership.name,
        },
        keys,
    )


object_type("partnerships.partnership", gettext_lazy("partnership"), _partnerships)
object_type("partnerships.member", gettext_lazy("partnership member"), _members)
object_type("partnerships.partnershipterm", gettext_lazy("yearly term"), _terms)
object_type("partnerships.dispatch", gettext_lazy("dispatched person"), _dispatches)


def _changed(f: Facts) -> str:
    before, after = f.value("before", {}) or {}, f.value("after", {}) or {}
    keys = [k for k in after if k != "updated_at" and before.get(k) != after.get(k)]
    if not keys:
        return _("%(actor)s changed the members of the partnership %(object)s") % f
    return _("%(actor)s changed %(fields)s of the partnership %(object)s") % {
        **f,
        "fields": field_names(Partnership, keys),
    }


def _year(f: Facts) -> str:
    year = f.value("after.school_year") or f.value("before.school_year")
    return f"{year}–{int(year) + 1}" if isinstance(year, int) else "—"


EVENTS: Events = [
    (
        "partnerships.partnership.create",
        gettext_lazy("Partnership registered"),
        lambda f: _("%(actor)s registered the partnership %(object)s") % f,
        {},
    ),
    ("partnerships.partnership.update", gettext_lazy("Partnership changed"), _changed, {}),
    (
        "partnerships.partnership.activate",
        gettext_lazy("Partnership activated"),
        lambda f: _("%(actor)s activated the partnership %(object)s") % f,
        {},
    ),
    (
        "partnerships.partnership.end",
        gettext_lazy("Partnership ended"),
        lambda f: _("%(actor)s ended the partnership %(object)s") % f,
        {},
    ),
    (
        "partnerships.partnership.delete",
        gettext_lazy("Partnership deleted"),
        lambda f: _("%(actor)s deleted the draft partnership %(object)s") % f,
        {},
    ),
    (
        "partnerships.member.add",
        gettext_lazy("Partnership member added"),
        lambda f: _("%(actor)s added %(institution)s to the partnership %(partnership)s") % f,
        {
            "institution": Ref("institutions.institution", "after.institution"),
            "partnership": Ref("partnerships.partnership", "after.partnership"),
        },
    ),
    (
        "partnerships.member.remove",
        gettext_lazy("Partnership member removed"),
        lambda f: _("%(actor)s removed %(institution)s from the partnership %(partnership)s") % f,
        {
            "institution": Ref("institutions.institution", "before.institution"),
            "partnership": Ref("partnerships.partnership", "before.partnership"),
        },
    ),
    (
        "partnerships.term.set",
        gettext_lazy("Yearly term set"),
        lambda f: (
            _("%(actor)s set the terms of %(year)s of the partnership %(partnership)s")
            % {**f, "year": _year(f)}
        ),
        {"partnership": Ref("partnerships.partnership", "after.partnership")},
    ),
    (
        "partnerships.term.delete",
        gettext_lazy("Yearly term removed"),
        lambda f: (
            _("%(actor)s removed the terms of %(year)s of the partnership %(partnership)s")
            % {**f, "year": _year(f)}
        ),
        {"partnership": Ref("partnerships.partnership", "before.partnership")},
    ),
    (
        "partnerships.dispatch.add",
        gettext_lazy("Person dispatched"),
        lambda f: (
            _("%(actor)s recorded %(person)s as dispatched to %(host)s as %(post)s")
            % {**f, "post": f.value("after.post", "—")}
        ),
        {
            "person": Ref("institutions.staff", "after.staff"),
            "host": Ref("institutions.institution", "after.host"),
        },
    ),
    (
        "partnerships.dispatch.delete",
        gettext_lazy("Dispatched person removed"),
        lambda f: _("%(actor)s removed %(person)s from the people dispatched to %(host)s") % f,
        {
            "person": Ref("institutions.staff", "before.staff"),
            "host": Ref("institutions.institution", "before.host"),
        },
    ),
]

describe_all(GROUP, EVENTS)
from xietong.partnerships.agreements import audit_texts as _agreements  # noqa: E402,F401
