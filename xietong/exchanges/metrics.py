"""The exchanges' metrics for the plan's indicators (registered from the app's ready()).

One definition each, shared with the coverage page (:mod:`xietong.exchanges.selectors`)
and the national rule (:mod:`xietong.exchanges.rule`):

* ``exchanges.placements_completed`` — placements completed whose last day falls in the
  span, with the home or the host institution in the scope;
* ``exchanges.teachers_exchanged`` / ``exchanges.eligible_teachers`` — the coverage share's
  parts: eligible staff (teaching positions) of the scope who completed an exchange in the
  school terms under way during the span, over the eligible staff of the scope. Staff are
  read as the registry holds them now (it keeps no past rolls);
* ``exchanges.rotation_schools_meeting`` / ``exchanges.rotation_schools`` — schools with
  eligible teachers, and of them those meeting the national rotation rule (gap 0 in
  :func:`xietong.exchanges.rule.shortfall`) in the school year under way on the span's
  last day.
"""

from __future__ import annotations

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from xietong.core.delimited import needle
from xietong.core.terms import SchoolTerm, TermSpan
from xietong.exchanges import rule as rotation_rule
from xietong.exchanges import selectors
from xietong.exchanges.choices import PlacementStatus
from xietong.exchanges.models import Application, Placement
from xietong.institutions.models import Institution, RegionTally, Staff
from xietong.plan.metrics import Metric, Params, Scope, Span, register, scope_paths
from xietong.regions.selectors import under_paths_q


def terms_of(span: Span) -> TermSpan:
    """The school terms under way during the span (a quarter: one or two)."""
    return TermSpan(SchoolTerm.containing(span.starts_on), SchoolTerm.containing(span.ends_on))


def school_year_of(span: Span) -> TermSpan:
    """The school year under way on the span's last day (the rotation rule is per year)."""
    return TermSpan.school_year(SchoolTerm.containing(span.ends_on).start_year)


def _rule(scope: Scope) -> selectors._Eligibility:
    rule = selectors.area_rule(scope_paths(scope))
    if scope.stage:
        rule = selectors._Eligibility(rule.positions, rule.paths, (scope.stage,))
    return rule


def placements_completed(scope: Scope, span: Span, params: Params) -> QuerySet[Placement]:
    qs = Placement.objects.filter(
        status=PlacementStatus.COMPLETED, ends_on__range=(span.starts_on, span.ends_on)
    )
    paths = scope_paths(scope)
    if paths is not None:
        qs = qs.filter(
            under_paths_q(paths, "home__region_path") | under_paths_q(paths, "host__region_path")
        )
    if scope.stage:
        qs = qs.filter(slot__stage=scope.stage)
    return qs


def _rotated(scope: Scope, terms: TermSpan) -> QuerySet[Application]:
    return selectors.rotated_applications(
        selectors.eligible_rule_q(_rule(scope), "applicant__"), terms
    )


def teachers_exchanged(scope: Scope, span: Span, params: Params) -> QuerySet[Staff]:
    done = _rotated(scope, terms_of(span)).filter(selectors.completed_q())
    return Staff.objects.filter(pk__in=done.values("applicant_id"))


def eligible_teachers(scope: Scope, span: Span, params: Params) -> QuerySet[Staff]:
    return Staff.objects.filter(selectors.eligible_rule_q(_rule(scope)))


def eligible_teachers_count(scope: Scope, span: Span, params: Params) -> int:
    """The count of :func:`eligible_teachers` from the region tallies (no staff scan)."""
    rule = _rule(scope)
    if not rule.by_position_only:
        return eligible_teachers(scope, span, params).count()
    tally = RegionTally.objects.filter(position__in=rule.positions)
    if rule.paths is not None:
        tally = tally.filter(under_paths_q(list(rule.paths)))
    return int(tally.aggregate(n=Sum("staff"))["n"] or 0)


def rotation_schools(scope: Scope, span: Span, params: Params) -> QuerySet[Institution]:
    qs = Institution.objects.filter(teaching_staff__gt=0)
    paths = scope_paths(scope)
    if paths is not None:
        qs = qs.filter(under_paths_q(paths))
    if scope.stage:
        qs = qs.filter(stages__contains=needle(scope.stage))
    return qs


def rotation_schools_meeting(scope: Scope, span: Span, params: Params) -> QuerySet[Institution]:
    """Of :func:`rotation_schools`, those whose gap to the national rule is 0 (only a school
    that sent someone can meet it, so the year's applications name the candidates)."""
    schools = rotation_schools(scope, span, params)
    whole = Scope(scope.region_path, scope.group)  # the rule counts all a school's teachers
    rows = selectors.exchanged_rows(_rotated(whole, school_year_of(span)))
    sent = {r["inst"]: r for r in rows}
    eligible = dict(schools.filter(pk__in=list(sent)).values_list("pk", "teaching_staff"))
    met = [
        pk
        for pk, n in eligible.items()
        if rotation_rule.shortfall(n, sent[pk]["rotated"], sent[pk]["backbone_rotated"]) == 0
    ]
    return Institution.objects.filter(pk__in=met)


def register_all() -> None:
    everywhere = frozenset({"region", "group", "stage"})
    register(
        Metric(
            key="exchanges.placements_completed",
            label=_("Exchange placements completed"),
            description=_(
                "Placements completed whose last day falls in the period, sent from or "
                "hosted in the area."
            ),
            records=placements_completed,
            model=Placement,
            breakdowns=everywhere,
        )
    )
    register(
        Metric(
            key="exchanges.teachers_exchanged",
            label=_("Eligible teachers who completed an exchange"),
            description=_(
                "Teachers, principals and vice-principals of the area who completed an "
                "exchange in the school terms under way during the period."
            ),
            records=teachers_exchanged,
            model=Staff,
            breakdowns=everywhere,
        )
    )
    register(
        Metric(
            key="exchanges.eligible_teachers",
            label=_("Eligible teachers"),
            description=_("Teachers, principals and vice-principals of the area."),
            records=eligible_teachers,
            value=eligible_teachers_count,
            model=Staff,
            breakdowns=everywhere,
        )
    )
    register(
        Metric(
            key="exchanges.rotation_schools",
            label=_("Schools with eligible teachers"),
            description=_("Schools of the area with teachers, principals or vice-principals."),
            records=rotation_schools,
            model=Institution,
            breakdowns=everywhere,
        )
    )
    register(
        Metric(
            key="exchanges.rotation_schools_meeting",
            label=_("Schools meeting the national rotation rule"),
            description=_(
                "Schools at which, in the school year under way, at least 10% of eligible "
                "teachers rotated and at least 20% of those were backbone teachers."
            ),
            records=rotation_schools_meeting,
            model=Institution,
            breakdowns=everywhere,
        )
    )
