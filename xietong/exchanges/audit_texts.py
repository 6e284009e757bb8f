"""The audit log's sentences for exchanges: programs, offers, applications through their
steps, placements, matching runs and coverage exports (see ``accounts.audit_reading``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import (
    Events,
    Facts,
    Ref,
    by_pk,
    choice_label,
    describe_all,
    field_names,
    object_type,
)
from xietong.core.terms import SchoolTerm, TermError
from xietong.exchanges.choices import DutyKind, ProgramStatus, ReportKind, RunMode
from xietong.exchanges.models import (
    Application,
    HostOffer,
    MatchingRun,
    Placement,
    PlacementLog,
    PlacementReport,
    Program,
    ReturnDuty,
)

GROUP = gettext_lazy("Exchanges")


def _programs(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(Program.objects.only("title"), lambda p: {"name": p.title}, keys)


def _applications(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = Application.objects.select_related("applicant", "program").only(
        "applicant__name", "program__title"
    )
    return by_pk(
        qs,
        lambda a: {
            "name": f"{a.applicant.name} → {a.program.title}",
            "applicant": a.applicant.name,
            "program": a.program.title,
        },
        keys,
    )


def _placement_parts(p: Placement) -> dict[str, str]:
    return {
        "name": f"{p.application.applicant.name} @ {p.host.name}",
        "teacher": p.application.applicant.name,
        "host": p.host.name,
        "program": p.application.program.title,
    }


PLACEMENT_FIELDS = ("application__applicant__name", "application__program__title", "host__name")


def _placements(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = Placement.objects.select_related(
        "application__applicant", "application__program", "host"
    ).only(*PLACEMENT_FIELDS)
    return by_pk(qs, _placement_parts, keys)


def _of_placement(model: Any, extra: Any = None) -> Any:
    """Rows that belong to a placement (logs, reports, duties), named by it."""
    fields = [f"placement__{f}" for f in PLACEMENT_FIELDS]

    def resolve(keys: list[str]) -> dict[str, dict[str, str]]:
        qs = model.objects.select_related(
            "placement__application__applicant",
            "placement__application__program",
            "placement__host",
        ).only(*fields, *(["kind"] if extra else []))
        return by_pk(
            qs, lambda o: {**_placement_parts(o.placement), **(extra(o) if extra else {})}, keys
        )

    return resolve


def _offers(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = HostOffer.objects.select_related("host", "program").only("host__name", "program__title")
    return by_pk(
        qs,
        lambda o: {
            "name": f"{o.host.name} · {o.program.title}",
            "host": o.host.name,
            "program": o.program.title,
        },
        keys,
    )


def _runs(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = MatchingRun.objects.select_related("program").only("program__title")
    return by_pk(qs, lambda r: {"name": r.program.title, "program": r.program.title}, keys)


object_type("exchanges.program", gettext_lazy("exchange program"), _programs)
object_type("exchanges.application", gettext_lazy("exchange application"), _applications)
object_type("exchanges.placement", gettext_lazy("placement"), _placements)
object_type("exchanges.hostoffer", gettext_lazy("host offer"), _offers)
object_type("exchanges.matchingrun", gettext_lazy("matching run"), _runs)
object_type("exchanges.placementlog", gettext_lazy("placement log"), _of_placement(PlacementLog))
object_type(
    "exchanges.placementreport",
    gettext_lazy("placement report"),
    _of_placement(PlacementReport, lambda r: {"kind": choice_label(ReportKind.choices, r.kind)}),
)
object_type(
    "exchanges.returnduty",
    gettext_lazy("return duty"),
    _of_placement(ReturnDuty, lambda d: {"kind": choice_label(DutyKind.choices, d.kind)}),
)


def _program_changed(f: Facts) -> str:
    before, after = f.value("before", {}) or {}, f.value("after", {}) or {}
    keys = [k for k in after if k != "updated_at" and before.get(k) != after.get(k)]
    return _("%(actor)s changed %(fields)s of the program %(object)s") % {
        **f,
        "fields": field_names(Program, keys),
    }


def _term(code: Any) -> str:
    try:
        return SchoolTerm.parse(code).label()
    except TermError:
        return str(code or "—")


def _places(f: Facts) -> str:
    slots = f.value("after.slots", []) or []
    n = sum(int(s[2]) for s in slots if isinstance(s, list) and len(s) == 3 and str(s[2]).isdigit())
    return _("%(actor)s offered %(n)s places at %(host)s in %(program)s") % {**f, "n": n}


def _coverage_export(f: Facts) -> str:
    params: dict[str, Any] = f.value("detail.params", {}) or {}
    year, term = params.get("school_year"), params.get("term")
    if isinstance(year, int) and term in (1, 2):
        terms = _term((year, term))
    elif isinstance(year, int):
        terms = _("the school year %(first)d–%(second)d") % {"first": year, "second": year + 1}
    else:
        terms = "—"
    return _("%(actor)s exported the coverage of %(terms)s (%(n)s schools, %(format)s)") % {
        **f,
        "terms": terms,
        "n": f.value("detail.rows", 0),
        "format": str(f.value("detail.format", "")).upper(),
    }


APP_STEPS = {
    "create": (
        gettext_lazy("Application started"),
        lambda f: _("%(actor)s started %(applicant)s's application to %(program)s") % f,
    ),
    "choices": (
        gettext_lazy("Application choices changed"),
        lambda f: (
            _("%(actor)s changed the choices of %(applicant)s's application to %(program)s") % f
        ),
    ),
    "submitted": (
        gettext_lazy("Application submitted"),
        lambda f: _("%(actor)s submitted %(applicant)s's application to %(program)s") % f,
    ),
    "recommended": (
        gettext_lazy("Application recommended"),
        lambda f: _("%(actor)s recommended %(applicant)s's application to %(program)s") % f,
    ),
    "approved": (
        gettext_lazy("Application approved"),
        lambda f: _("%(actor)s approved %(applicant)s's application to %(program)s") % f,
    ),
    "rejected": (
        gettext_lazy("Application rejected"),
        lambda f: _("%(actor)s rejected %(applicant)s's application to %(program)s") % f,
    ),
    "withdrawn": (
        gettext_lazy("Application withdrawn"),
        lambda f: _("%(actor)s withdrew %(applicant)s's application to %(program)s") % f,
    ),
    "matched": (
        gettext_lazy("Applicant matched"),
        lambda f: _("%(actor)s matched %(applicant)s to a place in %(program)s") % f,
    ),
    "confirmed": (
        gettext_lazy("Place accepted"),
        lambda f: _("%(actor)s accepted %(applicant)s's place in %(program)s") % f,
    ),
    "in_progress": (
        gettext_lazy("Exchange begun"),
        lambda f: _("%(actor)s began %(applicant)s's exchange in %(program)s") % f,
    ),
    "completed": (
        gettext_lazy("Exchange completed"),
        lambda f: _("%(actor)s recorded %(applicant)s's exchange in %(program)s as completed") % f,
    ),
}

EVENTS: Events = [
    (
        "exchanges.program.create",
        gettext_lazy("Program created"),
        lambda f: _("%(actor)s created the program %(object)s") % f,
        {},
    ),
    ("exchanges.program.update", gettext_lazy("Program changed"), _program_changed, {}),
    (
        "exchanges.program.status",
        gettext_lazy("Program status changed"),
        lambda f: (
            _("%(actor)s set the program %(object)s to “%(status)s”")
            % {**f, "status": choice_label(ProgramStatus.choices, f.value("after.status"))}
        ),
        {},
    ),
    (
        "exchanges.program.repeat",
        gettext_lazy("Program repeated"),
        lambda f: (
            _("%(actor)s repeated %(source)s as %(object)s for %(term)s")
            % {**f, "term": _term(f.value("detail.school_term"))}
        ),
        {"source": Ref("exchanges.program", "detail.from")},
    ),
    (
        "exchanges.offer.create",
        gettext_lazy("Host places offered"),
        _places,
        {
            "host": Ref("institutions.institution", "after.host"),
            "program": Ref("exchanges.program", "after.program"),
        },
    ),
    (
        "exchanges.offer.update",
        gettext_lazy("Host offer changed"),
        lambda f: _("%(actor)s changed the offer of %(object)s") % f,
        {},
    ),
    (
        "exchanges.offer.delete",
        gettext_lazy("Host offer withdrawn"),
        lambda f: _("%(actor)s withdrew the offer of %(object)s") % f,
        {},
    ),
    *(
        (f"exchanges.application.{step}", label, text, {})
        for step, (label, text) in APP_STEPS.items()
    ),
    (
        "exchanges.placement.create",
        gettext_lazy("Placement made"),
        lambda f: _("%(actor)s placed %(teacher)s at %(host)s for %(program)s") % f,
        {},
    ),
    (
        "exchanges.placement.start",
        gettext_lazy("Placement started"),
        lambda f: _("%(actor)s started the placement of %(teacher)s at %(host)s") % f,
        {},
    ),
    (
        "exchanges.placement.complete",
        gettext_lazy("Placement completed"),
        lambda f: _("%(actor)s completed the placement of %(teacher)s at %(host)s") % f,
        {},
    ),
    (
        "exchanges.placement.evaluate",
        gettext_lazy("Placement evaluated"),
        lambda f: (
            _("%(actor)s evaluated the placement of %(teacher)s at %(host)s: %(score)s")
            % {**f, "score": f.value("after.score", "—")}
        ),
        {},
    ),
    (
        "exchanges.placement.log",
        gettext_lazy("Weekly log written"),
        lambda f: _("%(actor)s wrote a weekly log of the placement of %(teacher)s at %(host)s") % f,
        {},
    ),
    (
        "exchanges.placement.report",
        gettext_lazy("Placement report written"),
        lambda f: _("%(actor)s wrote the %(kind)s of the placement of %(teacher)s at %(host)s") % f,
        {},
    ),
    (
        "exchanges.duty.create",
        gettext_lazy("Return duty set"),
        lambda f: _("%(actor)s set %(teacher)s the return duty “%(kind)s”") % f,
        {},
    ),
    (
        "exchanges.duty.done",
        gettext_lazy("Return duty done"),
        lambda f: _("%(actor)s recorded the return duty “%(kind)s” of %(teacher)s as done") % f,
        {},
    ),
    (
        "exchanges.run.start",
        gettext_lazy("Matching run started"),
        lambda f: (
            _("%(actor)s started a matching run for %(program)s (%(mode)s)")
            % {**f, "mode": choice_label(RunMode.choices, f.value("after.mode"))}
        ),
        {},
    ),
    (
        "exchanges.run.publish",
        gettext_lazy("Matching results published"),
        lambda f: _("%(actor)s published the matching results of %(program)s") % f,
        {},
    ),
    ("exchanges.coverage.export", gettext_lazy("Coverage exported"), _coverage_export, {}),
]

describe_all(GROUP, EVENTS)
