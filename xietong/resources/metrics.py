"""The shared resources' metrics for the plan's indicators (registered from the app's ready()).

Each counts :class:`~.models.Use` rows dated (``used_on``) within the span, of users with
an institution; a scope narrows the user side (the use's ``region_path``, kept on the row)
and a stage the using institution's stages. The partnership test is the flows' own
(:func:`xietong.resources.flows.along_partnership`), never a copy:

* ``resources.uses`` — uses of shared resources (``use_kind`` optional: view, download,
  lesson, feedback; not ``kind``, which the dashboard passes as a kind of partnership);
* ``resources.lesson_uses`` — uses in a lesson;
* ``resources.partnership_uses`` — uses along a partnership (the using institution and the
  provider members of one active partnership on the day);
* ``resources.partnership_share`` — those as a percentage of ``resources.uses`` (one
  decimal; 0 without uses);
* ``resources.hebei_schools_using_bjtj`` — Hebei institutions that used a resource of a
  Beijing or Tianjin provider; a scope narrows the side that lies in it (a Hebei region:
  the users there; a Beijing or Tianjin region: the providers there), as the
  partnerships' cooperating schools do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xietong.core.delimited import needle
from xietong.institutions.models import Institution
from xietong.plan.metrics import (
    Metric,
    Params,
    Scope,
    Span,
    count_by_area,
    register,
    scope_paths,
)
from xietong.regions.selectors import under_paths_q
from xietong.resources.choices import UseKind
from xietong.resources.flows import BJTJ, HEBEI, along_partnership
from xietong.resources.models import Use

KINDS = tuple(k.value for k in UseKind)
AREAS = frozenset({"region", "group", "stage"})


def _in_span(span: Span, params: Params, stage: str) -> QuerySet[Use]:
    qs = Use.objects.filter(
        used_on__range=(span.starts_on, span.ends_on), institution__isnull=False
    )
    if params.get("use_kind"):
        qs = qs.filter(kind=params["use_kind"])
    if stage:
        qs = qs.filter(institution__stages__contains=needle(stage))
    return qs


def uses(scope: Scope, span: Span, params: Params) -> QuerySet[Use]:
    qs = _in_span(span, params, scope.stage)
    paths = scope_paths(scope)
    return qs if paths is None else qs.filter(under_paths_q(paths, "region_path"))


def uses_by_area(
    stage: str, span: Span, params: Params, areas: Mapping[int, Sequence[str]]
) -> dict[int, int]:
    return count_by_area(_in_span(span, params, stage), areas, "pk")


def lesson_uses(scope: Scope, span: Span, params: Params) -> QuerySet[Use]:
    return uses(scope, span, {**params, "use_kind": UseKind.LESSON})


def lesson_uses_by_area(
    stage: str, span: Span, params: Params, areas: Mapping[int, Sequence[str]]
) -> dict[int, int]:
    return uses_by_area(stage, span, {**params, "use_kind": UseKind.LESSON}, areas)


def partnership_uses(scope: Scope, span: Span, params: Params) -> QuerySet[Use]:
    return uses(scope, span, params).filter(along_partnership())


def partnership_uses_by_area(
    stage: str, span: Span, params: Params, areas: Mapping[int, Sequence[str]]
) -> dict[int, int]:
    qs = _in_span(span, params, stage).filter(along_partnership())
    return count_by_area(qs, areas, "pk")


def partnership_share(scope: Scope, span: Span, params: Params) -> Decimal:
    """Uses along a partnership per 100 uses, to one decimal (one query)."""
    row = uses(scope, span, params).aggregate(
        n=Count("pk"), along=Count("pk", filter=Q(along_partnership()))
    )
    if not row["n"]:
        return Decimal(0)
    return (Decimal(100) * row["along"] / row["n"]).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _bjtj_to_hebei(span: Span, params: Params, stage: str) -> QuerySet[Use]:
    return _in_span(span, params, stage).filter(
        under_paths_q(list(BJTJ), "provider__region_path"), region_path__startswith=HEBEI
    )


def hebei_schools_using_bjtj(scope: Scope, span: Span, params: Params) -> QuerySet[Institution]:
    qs = _bjtj_to_hebei(span, params, scope.stage)
    paths = scope_paths(scope)
    if paths is not None:
        hebei = [p for p in paths if p.startswith(HEBEI)]
        bjtj = [p for p in paths if p.startswith(BJTJ)]
        if not hebei and not bjtj:
            return Institution.objects.none()
        if hebei:
            qs = qs.filter(under_paths_q(hebei, "region_path"))
        if bjtj:
            qs = qs.filter(under_paths_q(bjtj, "provider__region_path"))
    return Institution.objects.filter(pk__in=qs.values("institution_id"))


def hebei_schools_by_area(
    stage: str, span: Span, params: Params, areas: Mapping[int, Sequence[str]]
) -> dict[int, int]:
    """Areas wholly in Hebei count their users, areas wholly in Beijing or Tianjin the
    Hebei users of their providers; an area on both sides is left to ``compute``."""
    qs = _bjtj_to_hebei(span, params, stage)
    hebei = {i: list(p) for i, p in areas.items() if all(x.startswith(HEBEI) for x in p)}
    bjtj = {i: list(p) for i, p in areas.items() if all(x.startswith(BJTJ) for x in p)}
    return {
        **count_by_area(qs, hebei, "institution_id"),
        **count_by_area(qs, bjtj, "institution_id", "provider__region_path"),
    }


def register_all() -> None:
    kind: dict[str, Any] = {"use_kind": KINDS}
    register(
        Metric(
            key="resources.uses",
            label=_("Uses of shared resources"),
            description=_(
                "Records of use (viewed, downloaded, used in a lesson, feedback) of shared "
                "resources within the period, by people of institutions in the area."
            ),
            records=uses,
            by_area=uses_by_area,
            split_by={"use_kind": "kind"},
            model=Use,
            breakdowns=AREAS,
            params=kind,
        )
    )
    register(
        Metric(
            key="resources.lesson_uses",
            label=_("Lesson uses of shared resources"),
            description=_(
                "Lessons taught with a shared resource within the period, by teachers of "
                "institutions in the area."
            ),
            records=lesson_uses,
            by_area=lesson_uses_by_area,
            model=Use,
            breakdowns=AREAS,
        )
    )
    register(
        Metric(
            key="resources.partnership_uses",
            label=_("Uses of shared resources along a partnership"),
            description=_(
                "Uses within the period whose user institution and provider were members of "
                "one active partnership on the day of use."
            ),
            records=partnership_uses,
            by_area=partnership_uses_by_area,
            model=Use,
            breakdowns=AREAS,
            params=kind,
        )
    )
    register(
        Metric(
            key="resources.partnership_share",
            label=_("Share of uses along a partnership (%)"),
            description=_(
                "Uses along a partnership per 100 uses of shared resources within the period, "
                "in the area."
            ),
            records=partnership_uses,
            value=partnership_share,
            model=Use,
            breakdowns=AREAS,
            params=kind,
        )
    )
    register(
        Metric(
            key="resources.hebei_schools_using_bjtj",
            label=_("Hebei schools using Beijing/Tianjin resources"),
            description=_(
                "Hebei institutions with at least one use, within the period, of a shared "
                "resource provided by a Beijing or Tianjin institution."
            ),
            records=hebei_schools_using_bjtj,
            by_area=hebei_schools_by_area,
            model=Institution,
            breakdowns=AREAS,
            params=kind,
        )
    )
