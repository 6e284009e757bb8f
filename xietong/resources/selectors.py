"""Every read of shared resources: the catalogue with its facet counts, one resource with
what the actor may see of it, the keeper's and the reviewer's lists, the reviewers.

The catalogue is ``access.read_q`` filtered by :class:`Filters`; its facets are counted in
SQL on the filtered set — one grouped query for kind, edition and provider region, one
query of filtered counts for the packed stages and subjects — so a page costs the same
number of queries for ten resources or a million.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong import access
from xietong.accounts.access import Actor
from xietong.core.codes import STAGES, SUBJECTS
from xietong.core.delimited import needle
from xietong.core.errors import NotFound
from xietong.core.filters import option
from xietong.institutions.models import Institution
from xietong.regions.models import Region, RegionGroup
from xietong.resources import access as _declarations  # noqa: F401  (declares the rules)
from xietong.resources import search
from xietong.resources.choices import (
    Edition,
    ResourceKind,
    ResourceStatus,
    UseKind,
    Visibility,
)
from xietong.resources.models import (
    Rating,
    Resource,
    ResourceAudience,
    ResourceAuthor,
    Review,
    Reviewer,
    Use,
)
from xietong.resources.services import RATING_USES

# The states a keeper may list besides the catalogue's published resources.
KEPT_STATES = [
    (ResourceStatus.DRAFT, ResourceStatus.DRAFT.label),
    (ResourceStatus.SUBMITTED, ResourceStatus.SUBMITTED.label),
    (ResourceStatus.RETURNED, ResourceStatus.RETURNED.label),
    (ResourceStatus.WITHDRAWN, ResourceStatus.WITHDRAWN.label),
    ("all", _("Every state")),
]
SORTS = [
    ("", _("Best match")),
    ("newest", _("Newest first")),
    ("uses", _("Most used")),
    ("rating", _("Best rated")),
]
# Relations that see a resource's reviews: its keepers, reviewers and the authorities over it.
SEES_REVIEWS = frozenset({"keeper", "reviewer", "manager", "over_provider"})


@dataclass(frozen=True)
class Filters:
    """The catalogue's filters (the page, the API and the export alike)."""

    q: str = option(
        "",
        label=pgettext_lazy("resources", "Search"),
        max_length=100,
        placeholder=_("Title, description, pinyin…"),
    )
    kind: str = option("", label=_("Kind"), choices=ResourceKind.choices, empty=_("All kinds"))
    stage: str = option("", label=_("Stage"), choices=STAGES.choices, empty=_("All stages"))
    subject: str = option("", label=_("Subject"), choices=SUBJECTS.choices, empty=_("All subjects"))
    edition: str = option(
        "", label=_("Textbook edition"), choices=Edition.choices, empty=_("All editions")
    )
    region_id: int | None = option(
        None,
        label=_("Provider region"),
        param="region",
        picker="regions",
        empty=_("All regions"),
    )
    provider_id: int | None = option(
        None,
        label=_("Provider"),
        param="provider",
        picker="resource_providers",
        empty=_("Any provider"),
    )
    visibility: str = option(
        "", label=_("Visibility"), choices=Visibility.choices, empty=_("Any visibility")
    )
    status: str = option(
        "",
        label=pgettext_lazy("resources", "State"),
        choices=KEPT_STATES,
        empty=pgettext_lazy("resources", "Published"),
        help=_("Other states list the resources you keep or oversee."),
    )
    sort: str = option("", label=_("Order"), choices=SORTS, empty=SORTS[0][1])


def _matching(qs: QuerySet[Resource], text: str) -> QuerySet[Resource]:
    """Resources matching the search text (Chinese words, pinyin, initials: see
    :mod:`xietong.resources.search`), annotated with ``relevance`` (higher first); the
    ordering is left to the caller, so that facets can group the same rows."""
    return search.search(qs, text).order_by().annotate(relevance=F("search_rank"))


def _region_path(f: Filters) -> str | None:
    """The chosen provider region's path ("" for an unknown region, None for none)."""
    if f.region_id is None:
        return None
    region = Region.objects.filter(pk=f.region_id).only("path").first()
    return region.path if region else ""


def readable_q(actor: Actor) -> Q:
    """The resources the actor reads, as a ``Q`` worked out once (it takes a few queries)
    and handed to :func:`catalogue` and :func:`facets` of the same page."""
    return access.read_q(actor, Resource)


def _filtered(
    actor: Actor, f: Filters, path: str | None = None, read: Q | None = None
) -> QuerySet[Resource]:
    qs = Resource.objects.filter(readable_q(actor) if read is None else read)
    if f.status == "all":
        pass
    elif f.status:
        qs = qs.filter(status=f.status)
    else:
        qs = qs.filter(status=ResourceStatus.PUBLISHED)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.stage:
        qs = qs.filter(stages__contains=needle(f.stage))
    if f.subject:
        qs = qs.filter(subjects__contains=needle(f.subject))
    if f.edition:
        qs = qs.filter(edition=f.edition)
    if f.visibility:
        qs = qs.filter(visibility=f.visibility)
    if f.provider_id is not None:
        qs = qs.filter(provider_id=f.provider_id)
    if f.region_id is not None:
        path = _region_path(f) if path is None else path
        qs = qs.filter(provider_path__startswith=path) if path else qs.none()
    if f.q:
        qs = _matching(qs, f.q)
    return qs


def _ordered(qs: QuerySet[Resource], f: Filters) -> QuerySet[Resource]:
    if f.sort == "newest":
        return qs.order_by("-published_at", "-created_at", "-id")
    if f.sort == "uses":
        return qs.order_by("-uses", "-id")
    if f.sort == "rating":
        return qs.order_by("-rating_count", "-rating_sum", "-id")
    if f.q:
        return qs.order_by("-relevance", *search.USE_ORDER)
    return qs.order_by("-uses", "-published_at", "-id")


def catalogue(
    actor: Actor, filters: Filters | None = None, *, read: Q | None = None
) -> QuerySet[Resource]:
    """The resources the actor reads, filtered and ordered, with their provider, each
    marked with the actor's acting relations (``access.actions`` needs no query per row)."""
    f = filters or Filters()
    qs = _ordered(_filtered(actor, f, read=read), f).select_related("provider", "provider__region")
    return access.annotate(actor, qs, read=True)


def catalogue_pages(
    actor: Actor, filters: Filters | None = None, *, read: Q | None = None
) -> QuerySet[Resource] | search.Ranked:
    """What the catalogue's page and API paginate: :func:`catalogue`, or, for a search in
    relevance order, the same rows read page by page the fast way (``search.Ranked``)."""
    f = filters or Filters()
    if not f.q or f.sort:
        return catalogue(actor, f, read=read)
    plain = catalogue(actor, replace(f, q=""), read=read).order_by()
    facets = {"kind": f.kind, "stage": f.stage, "subject": f.subject, "edition": f.edition}
    return search.Ranked(plain, f.q, facets=facets)


# --- facets -------------------------------------------------------------------------------


@dataclass
class Facet:
    """One facet: its filter's name, label and the values with their counts (largest first)."""

    name: str
    label: Any
    values: list[tuple[str, str, int]] = field(default_factory=list)  # (value, label, n)


def _grouped(qs: QuerySet[Resource], column: str) -> dict[str, int]:
    rows = qs.order_by().values(column).annotate(n=Count("id")).values_list(column, "n")
    return {str(k): n for k, n in rows if k not in (None, "")}


def _packed_counts(qs: QuerySet[Resource], column: str, codes: list[str]) -> dict[str, int]:
    """Counts per code of a packed column, one query of filtered counts."""
    counts = qs.order_by().aggregate(
        **{
            f"c{i}": Count("id", filter=Q(**{f"{column}__contains": needle(code)}))
            for i, code in enumerate(codes)
        }
    )
    return {code: counts[f"c{i}"] for i, code in enumerate(codes) if counts[f"c{i}"]}


def _region_counts(qs: QuerySet[Resource], path: str | None) -> list[tuple[str, str, int]]:
    """Providers' regions one level below the chosen region (provinces when none)."""
    depth = min(3, path.count("/") + 1) if path else 1
    width = 7 * depth  # "130000/" per level
    rows = (
        qs.order_by()
        .annotate(area=Substr("provider_path", 1, width))
        .values("area")
        .annotate(n=Count("id"))
        .values_list("area", "n")
    )
    found = {area: n for area, n in rows if area and len(area) == width}
    regions = Region.objects.filter(path__in=list(found)).only("pk", "name", "path")
    return sorted(
        ((str(r.pk), r.name, found[r.path]) for r in regions), key=lambda v: (-v[2], v[1])
    )


def _labelled(counts: dict[str, int], labels: dict[str, str]) -> list[tuple[str, str, int]]:
    return sorted(
        ((k, labels.get(k, k), n) for k, n in counts.items()), key=lambda v: (-v[2], v[1])
    )


def facets(actor: Actor, filters: Filters | None = None, *, read: Q | None = None) -> list[Facet]:
    """Counts of the filtered catalogue by kind, stage, subject, edition and provider region
    (each over every other filter: a facet's own filter narrows the others, not itself)."""
    from dataclasses import replace

    f = filters or Filters()
    path = _region_path(f)
    read = readable_q(actor) if read is None else read

    def base(**cleared: Any) -> QuerySet[Resource]:
        return _filtered(actor, replace(f, **cleared), path, read)

    kinds = {k: str(v) for k, v in ResourceKind.choices}
    editions = {k: str(v) for k, v in Edition.choices}
    stages = _packed_counts(base(stage=""), "stages", STAGES.codes())
    subjects = _packed_counts(base(subject=""), "subjects", SUBJECTS.codes())
    return [
        Facet("kind", _("Kind"), _labelled(_grouped(base(kind=""), "kind"), kinds)),
        Facet("stage", _("Stage"), _labelled(stages, dict(STAGES.choices()))),
        Facet("subject", _("Subject"), _labelled(subjects, dict(SUBJECTS.choices()))),
        Facet(
            "edition",
            _("Textbook edition"),
            _labelled(_grouped(base(edition=""), "edition"), editions),
        ),
        Facet("region", _("Provider region"), _region_counts(base(), path)),
    ]


# --- one resource -------------------------------------------------------------------------


@dataclass
class Detail:
    resource: Resource
    actions: frozenset[str]
    authors: list[Any]
    audience: list[Institution]
    reviews: list[Review] | None  # None: not the actor's to read
    ratings: list[Rating]
    my_rating: Rating | None
    may_rate: bool
    last_class: str
    my_uses: list[Use]
    relations: frozenset[str]


def detail(actor: Actor, pk: int) -> Detail:
    """One resource the actor reads (NotFound otherwise), with its authors, audience,
    ratings, the reviews if the actor keeps, reviews or oversees it, and the actor's own
    uses and rating."""
    resource = (
        Resource.objects.filter(access.read_q(actor, Resource), pk=pk)
        .select_related("provider", "provider__region", "visible_group")
        .prefetch_related(
            Prefetch(
                "author_rows",
                queryset=ResourceAuthor.objects.select_related("staff", "staff__institution"),
            ),
            Prefetch(
                "audience_rows",
                queryset=ResourceAudience.objects.select_related("institution").order_by(
                    "institution__name"
                ),
            ),
        )
        .first()
    )
    if resource is None:
        raise NotFound()
    relations = access.relations_of(actor, resource)
    actions = access.actions(actor, resource)
    reviews = None
    if relations & SEES_REVIEWS:
        reviews = list(resource.reviews.select_related("reviewer").order_by("-created_at", "-id"))
    ratings = list(
        resource.ratings.select_related("account").exclude(comment="").order_by("-updated_at")[:20]
    )
    mine = (
        Use.objects.filter(resource=resource, account_id=actor.user_id) if actor.user_id else None
    )
    my_uses = list(mine.order_by("-used_on", "-id")[:5]) if mine is not None else []
    may_rate = "use" in actions and mine is not None and mine.filter(kind__in=RATING_USES).exists()
    my_rating = (
        Rating.objects.filter(resource=resource, account_id=actor.user_id).first()
        if actor.user_id
        else None
    )
    return Detail(
        resource=resource,
        actions=actions,
        authors=[row.staff for row in resource.author_rows.all()],
        audience=[row.institution for row in resource.audience_rows.all()],
        reviews=reviews,
        ratings=ratings,
        my_rating=my_rating,
        may_rate=may_rate,
        last_class=last_class(actor),
        my_uses=my_uses,
        relations=relations,
    )


def last_class(actor: Actor) -> str:
    """The class of the actor's latest lesson use (to prefill the next one)."""
    if actor.user_id is None:
        return ""
    row = (
        Use.objects.filter(account_id=actor.user_id, kind=UseKind.LESSON)
        .exclude(class_name="")
        .order_by("-used_on", "-id")
        .values_list("class_name", flat=True)
        .first()
    )
    return row or ""


# --- the keeper's, the reviewer's and the authority's lists -------------------------------


def my_resources(actor: Actor) -> QuerySet[Resource]:
    """The resources the actor keeps (admins of their provider), every state, newest first."""
    return (
        Resource.objects.filter(access.verb_q(actor, Resource, "edit", now=False))
        .select_related("provider")
        .order_by("-updated_at", "-id")
    )


def returned_to(actor: Actor) -> QuerySet[Resource]:
    """Resources returned for changes that the actor keeps, oldest return first (one
    query: the keeper's relation alone, which reads every state)."""
    return (
        Resource.objects.filter(
            access.relation_q(actor, Resource, ["keeper"]), status=ResourceStatus.RETURNED
        )
        .select_related("provider")
        .order_by("returned_at", "id")
    )


def review_queue(actor: Actor) -> QuerySet[Resource]:
    """Submitted resources the actor reviews (a subject it is appointed for, a provider in
    its region), the longest waiting first. The reviewer's relation alone: it reads them."""
    return (
        Resource.objects.filter(
            access.relation_q(actor, Resource, ["reviewer"]), status=ResourceStatus.SUBMITTED
        )
        .select_related("provider", "provider__region")
        .order_by("submitted_at", "id")
    )


def is_reviewer(actor: Actor) -> bool:
    """Whether the actor holds a current reviewer appointment."""
    if actor.user_id is None:
        return False
    return Reviewer.objects.filter(account_id=actor.user_id, ended_at__isnull=True).exists()


def reviewers(actor: Actor) -> QuerySet[Reviewer]:
    """Current reviewer appointments the actor reads (over its region, or its own)."""
    return (
        Reviewer.objects.filter(access.read_q(actor, Reviewer), ended_at__isnull=True)
        .select_related("account", "region", "appointed_by")
        .order_by("region_path", "subject", "account__username", "id")
    )


def appointment_regions(actor: Actor) -> QuerySet[Region]:
    """The regions an authority admin may appoint reviewers over (its own and beneath)."""
    return Region.objects.filter(access.verb_q(actor, Region, "organise")).order_by("path")


# --- what the forms and filters offer -----------------------------------------------------


def providers(actor: Actor, q: str = "") -> QuerySet[Institution]:
    """Institutions providing a published resource the actor reads (the provider filter)."""
    readable = Resource.objects.filter(
        access.read_q(actor, Resource), status=ResourceStatus.PUBLISHED
    )
    qs = Institution.objects.filter(pk__in=readable.values("provider_id")).select_related("region")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q))
    return qs.order_by("name", "id")


def kept_institutions(actor: Actor) -> QuerySet[Institution]:
    """The institutions whose resources the actor keeps (where it creates them)."""
    from xietong.access import reach as r

    return Institution.objects.filter(r.school()(actor, "")).order_by("name", "id")


def region_groups() -> QuerySet[RegionGroup]:
    return RegionGroup.objects.order_by("key")
