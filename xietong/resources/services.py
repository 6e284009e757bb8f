"""Writes of shared resources: keep the catalogue, review it, record use, rate.

Every write checks the actor through the access rules (``access.require`` or the
transition helper), validates the input with a specific message per field, runs in one
transaction and records an audit event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong import access
from xietong.access import reach as r
from xietong.access.actor import Actor
from xietong.access.transitions import Notify, transition
from xietong.accounts import audit
from xietong.accounts.models import User
from xietong.core.codes import STAGES, SUBJECTS, packed, single
from xietong.core.delimited import pack, unpack
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.core.errors import field_error as _invalid
from xietong.core.numbers import whole_number_or_none
from xietong.core.terms import SchoolTerm, TermError
from xietong.institutions.models import Institution, Staff
from xietong.regions.models import Region, RegionGroup
from xietong.resources import recipients, search
from xietong.resources.access import own_institution_ids
from xietong.resources.choices import (
    PLACES,
    Edition,
    Licence,
    ResourceKind,
    UseKind,
    Verdict,
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

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_REASON = 2000
MAX_FEEDBACK = 2000
MAX_AUTHORS = 20
MAX_AUDIENCE = 200
# Kinds whose content is digital: a link or an attached file before review.
DIGITAL = frozenset(ResourceKind) - PLACES - {ResourceKind.STUDIO}


@dataclass
class ResourceIn:
    """A resource's metadata as a form, the API or the demo gives it (codes or names)."""

    kind: str = ""
    title: str = ""
    description: str = ""
    stages: Any = ""
    grade: str = ""
    subjects: Any = ""
    edition: str = ""
    licence: str = Licence.REGION
    link: str = ""
    duration_minutes: int | None = None
    address: str = ""
    capacity: int | None = None
    open_terms: Any = ""
    visibility: str = Visibility.REGION
    visible_group: str = ""  # a region group's key
    audience: list[int] = field(default_factory=list)  # institution ids
    authors: list[int] = field(default_factory=list)  # staff ids
    provider_id: int | None = None


def _choice(value: Any, choices: Any, field_name: str, message: str, *, blank: bool) -> str:
    text = str(value or "").strip()
    if not text and blank:
        return ""
    if text not in choices.values:
        raise _invalid(field_name, message)
    return text


def _terms(value: Any) -> str:
    items = value if isinstance(value, list | tuple) else str(value or "").replace("，", ",")
    if isinstance(items, str):
        items = [i for i in items.replace("、", ",").split(",") if i.strip()]
    keys: list[str] = []
    for item in items:
        try:
            keys.append(str(SchoolTerm.parse(str(item).strip()).key))
        except TermError as e:
            raise _invalid("open_terms", str(e)) from e
    return pack(sorted(set(keys)))


def _clean(data: ResourceIn) -> dict[str, Any]:
    kind = _choice(data.kind, ResourceKind, "kind", _("Choose the kind of resource."), blank=False)
    title = str(data.title or "").strip()
    if not title:
        raise _invalid("title", _("Give the resource a title."))
    if len(title) > MAX_TITLE:
        raise _invalid("title", _("Keep the title within %(n)s characters.") % {"n": MAX_TITLE})
    description = str(data.description or "").strip()
    if len(description) > MAX_TEXT:
        raise _invalid(
            "description", _("Keep the description within %(n)s characters.") % {"n": MAX_TEXT}
        )
    link = str(data.link or "").strip()
    if link and not (link.startswith("https://") or link.startswith("http://")):
        raise _invalid("link", _("A link must start with http:// or https://."))
    if len(link) > 400:
        raise _invalid("link", _("Keep the link within 400 characters."))
    visibility = _choice(
        data.visibility or Visibility.REGION,
        Visibility,
        "visibility",
        _("Choose who may see the resource."),
        blank=False,
    )
    out: dict[str, Any] = {
        "kind": kind,
        "title": title,
        "description": description,
        "stages": packed(STAGES, data.stages, "stages"),
        "grade": str(data.grade or "").strip()[:20],
        "subjects": packed(SUBJECTS, data.subjects, "subjects"),
        "edition": _choice(
            data.edition,
            Edition,
            "edition",
            _("Choose a textbook edition from the list."),
            blank=True,
        ),
        "licence": _choice(
            data.licence or Licence.REGION, Licence, "licence", _("Choose a licence."), blank=False
        ),
        "link": link,
        "duration_minutes": whole_number_or_none(
            data.duration_minutes, "duration_minutes", _("The duration"), 1, 100000
        ),
        "visibility": visibility,
        "visible_group": None,
    }
    if kind in PLACES:
        out["address"] = str(data.address or "").strip()[:200]
        out["capacity"] = whole_number_or_none(
            data.capacity, "capacity", _("The capacity"), 1, 100000
        )
        out["open_terms"] = _terms(data.open_terms)
    else:
        out["address"], out["capacity"], out["open_terms"] = "", None, ""
    if visibility == Visibility.GROUP:
        key = str(data.visible_group or "").strip()
        group = RegionGroup.objects.filter(key=key).first() if key else None
        if group is None:
            raise _invalid("visible_group", _("Choose the region group that may see the resource."))
        out["visible_group"] = group
    return out


def _provider(actor: Actor, provider_id: int | None) -> Institution:
    """The institution the actor keeps resources for: the one given, or its only one."""
    mine = Institution.objects.filter(r.school()(actor, ""))
    if provider_id is not None:
        found = mine.filter(pk=provider_id).first()
    else:
        found = mine.first() if mine.count() == 1 else None
    if found is None:
        if provider_id is None and mine.exists():
            raise _invalid("provider_id", _("Choose the institution that provides the resource."))
        raise PermissionDenied(_("Only an admin of the provider institution keeps its resources."))
    return found


def _authors(provider: Institution, ids: list[int]) -> list[int]:
    ids = list(dict.fromkeys(int(i) for i in ids or []))
    if len(ids) > MAX_AUTHORS:
        raise _invalid("authors", _("Name at most %(n)s authors.") % {"n": MAX_AUTHORS})
    found = set(
        Staff.objects.filter(pk__in=ids)
        .filter(
            institution__in=[provider.pk, *([provider.parent_id] if provider.parent_id else [])]
        )
        .values_list("pk", flat=True)
    )
    if missing := [i for i in ids if i not in found]:
        raise _invalid(
            "authors",
            _("The authors must be staff of the provider institution (not: %(ids)s).")
            % {"ids": ", ".join(map(str, missing))},
        )
    return ids


def _audience(visibility: str, ids: list[int]) -> list[int]:
    if visibility != Visibility.NAMED:
        return []
    ids = list(dict.fromkeys(int(i) for i in ids or []))
    if not ids:
        raise _invalid("audience", _("Name the institutions that may see the resource."))
    if len(ids) > MAX_AUDIENCE:
        raise _invalid("audience", _("Name at most %(n)s institutions.") % {"n": MAX_AUDIENCE})
    found = set(Institution.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if missing := [i for i in ids if i not in found]:
        raise _invalid(
            "audience",
            _("No such institution: %(ids)s.") % {"ids": ", ".join(map(str, missing))},
        )
    return ids


def _set_people(resource: Resource, authors: list[int], audience: list[int]) -> None:
    ResourceAuthor.objects.filter(resource=resource).delete()
    ResourceAuthor.objects.bulk_create(
        ResourceAuthor(resource=resource, staff_id=s, order=i) for i, s in enumerate(authors)
    )
    ResourceAudience.objects.filter(resource=resource).delete()
    ResourceAudience.objects.bulk_create(
        ResourceAudience(resource=resource, institution_id=i) for i in audience
    )


def _summary(resource: Resource) -> dict[str, Any]:
    return {
        "kind": resource.kind,
        "title": resource.title,
        "visibility": resource.visibility,
        "subjects": unpack(resource.subjects),
    }


def create_resource(actor: Actor, data: ResourceIn) -> Resource:
    provider = _provider(actor, data.provider_id)
    values = _clean(data)
    authors = _authors(provider, data.authors)
    audience = _audience(values["visibility"], data.audience)
    with transaction.atomic():
        resource = Resource.objects.create(
            provider=provider,
            provider_path=provider.region_path,
            created_by_id=actor.user_id,
            **values,
        )
        _set_people(resource, authors, audience)
        search.index(resource)
        audit.record(actor, "resources.resource.create", target=resource, after=_summary(resource))
    return resource


def load(actor: Actor, pk: int) -> Resource:
    """The resource if the actor reads it; NotFound otherwise (hidden and missing alike)."""
    resource = Resource.objects.select_related("provider", "visible_group").filter(pk=pk).first()
    if resource is None or not access.can_read(actor, resource):
        raise NotFound()
    return resource


def edit_resource(actor: Actor, pk: int, data: ResourceIn) -> Resource:
    resource = load(actor, pk)
    access.require(actor, "edit", resource)
    values = _clean(data)
    authors = _authors(resource.provider, data.authors)
    audience = _audience(values["visibility"], data.audience)
    before = _summary(resource)
    with transaction.atomic():
        for name, value in values.items():
            setattr(resource, name, value)
        resource.save()
        _set_people(resource, authors, audience)
        search.index(resource)
        audit.record(
            actor,
            "resources.resource.edit",
            target=resource,
            before=before,
            after=_summary(resource),
        )
    return resource


def delete_resource(actor: Actor, pk: int) -> None:
    resource = load(actor, pk)
    access.require(actor, "delete", resource)
    with transaction.atomic():
        audit.record(actor, "resources.resource.delete", target=resource, before=_summary(resource))
        resource.delete()


def _params(resource: Resource, **extra: Any) -> dict[str, Any]:
    return {"title": resource.title, "provider": resource.provider.name, **extra}


def missing_for_review(resource: Resource) -> dict[str, str]:
    """What a resource lacks before it can be reviewed, by field (empty when complete)."""
    from django.contrib.contenttypes.models import ContentType

    from xietong.attachments.models import Attachment

    out: dict[str, str] = {}
    if not resource.subjects:
        out["subjects"] = _("Name at least one subject: reviewers are appointed per subject.")
    if not resource.stages:
        out["stages"] = _("Name at least one stage.")
    if not resource.description:
        out["description"] = _("Describe the resource.")
    if resource.kind in DIGITAL and not resource.link:
        has_file = Attachment.objects.filter(
            owner_type=ContentType.objects.get_for_model(Resource), owner_id=resource.pk
        ).exists()
        if not has_file:
            out["link"] = _("Attach a file or give a link to the resource.")
    if resource.kind in PLACES and not (resource.address and resource.capacity):
        out["address"] = _("Give the address and the capacity of the place.")
    return out


def submit_resource(actor: Actor, pk: int) -> Resource:
    resource = load(actor, pk)
    access.require(actor, "submit", resource)
    if missing := missing_for_review(resource):
        raise InvalidInput(" ".join(missing.values()), fields={k: [v] for k, v in missing.items()})
    with transaction.atomic():
        return transition(
            actor,
            "submit",
            resource,
            notify=Notify(
                recipients.reviewers(resource),
                "resources.submitted",
                target=resource,
                params=_params(resource),
            ),
        )


@dataclass(frozen=True)
class ReviewIn:
    verdict: str = ""
    accuracy: Any = None
    pedagogy: Any = None
    presentation: Any = None
    comment: str = ""


def review_resource(actor: Actor, pk: int, data: ReviewIn) -> Review:
    """Publish or return a submitted resource with the rubric's scores (1–5 each)."""
    resource = load(actor, pk)
    verdict = _choice(data.verdict, Verdict, "verdict", _("Choose publish or return."), blank=False)
    verb = "publish" if verdict == Verdict.PUBLISH else "return"
    access.require(actor, verb, resource)
    scores: dict[str, int] = {}
    labels = {
        "accuracy": _("accuracy of content"),
        "pedagogy": _("teaching design"),
        "presentation": _("presentation quality"),
    }
    for name, label in labels.items():
        value = whole_number_or_none(getattr(data, name), name, label, 1, 5)
        if value is None:
            raise _invalid(name, _("Score the %(label)s from 1 to 5.") % {"label": label})
        scores[name] = value
    comment = str(data.comment or "").strip()
    if len(comment) > MAX_TEXT:
        raise _invalid("comment", _("Keep the comment within %(n)s characters.") % {"n": MAX_TEXT})
    if verdict == Verdict.RETURN and not comment:
        raise _invalid("comment", _("Say what should change: a returned resource needs a comment."))
    with transaction.atomic():
        review = Review.objects.create(
            resource=resource, reviewer_id=actor.user_id, verdict=verdict, comment=comment, **scores
        )
        resource.return_comment = comment if verdict == Verdict.RETURN else ""
        transition(
            actor,
            verb,
            resource,
            fields=["return_comment"],
            detail={**scores, "comment": comment},
            notify=Notify(
                recipients.keepers(resource),
                "resources.published" if verb == "publish" else "resources.returned",
                target=resource,
                params=_params(resource, comment=comment),
            ),
        )
    return review


def withdraw_resource(actor: Actor, pk: int, reason: str) -> Resource:
    resource = load(actor, pk)
    access.require(actor, "withdraw", resource)
    text = str(reason or "").strip()
    if not text:
        raise _invalid("reason", _("Say why the resource is withdrawn."))
    if len(text) > MAX_REASON:
        raise _invalid("reason", _("Keep the reason within %(n)s characters.") % {"n": MAX_REASON})
    with transaction.atomic():
        resource.withdraw_reason = text
        transition(
            actor,
            "withdraw",
            resource,
            fields=["withdraw_reason"],
            detail={"reason": text},
            notify=Notify(
                recipients.keepers(resource) - {actor.user_id},
                "resources.withdrawn",
                target=resource,
                params=_params(resource, reason=text),
            ),
        )
    return resource


# --- use and ratings ----------------------------------------------------------------------


@dataclass(frozen=True)
class UseIn:
    kind: str = UseKind.LESSON
    used_on: Any = None  # a date or "YYYY-MM-DD"; today when blank
    class_name: str = ""
    feedback: str = ""


def _day(value: Any) -> dt.date:
    today = timezone.localdate()
    if value in (None, ""):
        return today
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise _invalid("used_on", _("Give the date as YYYY-MM-DD.")) from None
    if day > today:
        raise _invalid("used_on", _("A use cannot be recorded for a day still to come."))
    if day < today - dt.timedelta(days=366):
        raise _invalid("used_on", _("Record uses within a year of the day."))
    return day


def _user_institution(actor: Actor) -> Institution | None:
    """The institution a use counts for: the teacher's school, else the admin's own."""
    if actor.own_staff_id is not None:
        staff = Staff.objects.select_related("institution").filter(pk=actor.own_staff_id).first()
        if staff is not None:
            return staff.institution
    ids = own_institution_ids(actor)
    return Institution.objects.filter(pk=ids[0]).first() if ids else None


def record_use(actor: Actor, pk: int, data: UseIn) -> Use:
    """Record that the actor viewed, downloaded or taught with the resource, or gave
    feedback; a lesson needs the class, feedback its text."""
    resource = load(actor, pk)
    access.require(actor, "use", resource)
    kind = _choice(data.kind, UseKind, "kind", _("Choose what kind of use to record."), blank=False)
    day = _day(data.used_on)
    class_name = str(data.class_name or "").strip()
    feedback = str(data.feedback or "").strip()
    if kind == UseKind.LESSON and not class_name:
        raise _invalid("class_name", _("Name the class the lesson was taught to (初二（3）班)."))
    if len(class_name) > 40:
        raise _invalid("class_name", _("Keep the class within 40 characters."))
    if kind == UseKind.FEEDBACK and not feedback:
        raise _invalid("feedback", _("Write the feedback."))
    if len(feedback) > MAX_FEEDBACK:
        raise _invalid(
            "feedback", _("Keep the feedback within %(n)s characters.") % {"n": MAX_FEEDBACK}
        )
    where = _user_institution(actor)
    with transaction.atomic():
        use = Use.objects.create(
            resource=resource,
            kind=kind,
            account_id=actor.user_id,
            staff_id=actor.own_staff_id,
            institution=where,
            region_path=where.region_path if where else "",
            provider_id=resource.provider_id,
            used_on=day,
            term=SchoolTerm.containing(day).key,
            class_name=class_name if kind == UseKind.LESSON else "",
            feedback=feedback,
        )
        Resource.objects.filter(pk=resource.pk).update(
            uses=F("uses") + 1,
            lesson_uses=F("lesson_uses") + (1 if kind == UseKind.LESSON else 0),
        )
        if kind in (UseKind.LESSON, UseKind.FEEDBACK):
            audit.record(
                actor,
                "resources.use.record",
                target=resource,
                after={"kind": kind, "used_on": day.isoformat(), "class": use.class_name},
            )
    return use


# Uses that let someone rate: they took the resource away or taught with it.
RATING_USES = (UseKind.LESSON, UseKind.DOWNLOAD, UseKind.FEEDBACK)


def rate_resource(actor: Actor, pk: int, stars: Any, comment: str = "") -> Rating:
    resource = load(actor, pk)
    access.require(actor, "use", resource)
    value = whole_number_or_none(stars, "stars", _("The rating"), 1, 5)
    if value is None:
        raise _invalid("stars", _("Give from 1 to 5 stars."))
    text = str(comment or "").strip()
    if len(text) > MAX_FEEDBACK:
        raise _invalid(
            "comment", _("Keep the comment within %(n)s characters.") % {"n": MAX_FEEDBACK}
        )
    used = Use.objects.filter(resource=resource, account_id=actor.user_id, kind__in=RATING_USES)
    if actor.user_id is None or not used.exists():
        raise Conflict(_("Rate a resource once you have used it: record its use first."))
    with transaction.atomic():
        old = (
            Rating.objects.select_for_update()
            .filter(resource=resource, account_id=actor.user_id)
            .first()
        )
        if old is None:
            rating = Rating.objects.create(
                resource=resource, account_id=actor.user_id, stars=value, comment=text
            )
            Resource.objects.filter(pk=resource.pk).update(
                rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + value
            )
        else:
            Resource.objects.filter(pk=resource.pk).update(
                rating_sum=F("rating_sum") + value - old.stars
            )
            old.stars, old.comment = value, text
            old.save()
            rating = old
        audit.record(actor, "resources.rating.give", target=resource, after={"stars": value})
    return rating


# --- reviewers ----------------------------------------------------------------------------


def appoint_reviewer(actor: Actor, username: str, subject: Any, region_code: str) -> Reviewer:
    """An authority admin appoints a user reviewer of one subject over a region of its own."""
    code = single(SUBJECTS, subject, "subject")
    if not code:
        raise _invalid("subject", _("Choose the subject the reviewer reviews."))
    region = Region.objects.filter(code=str(region_code or "").strip()).first()
    if region is None:
        raise _invalid("region", _("Choose the region the reviewer reviews for."))
    if not Region.objects.filter(r.region()(actor, ""), pk=region.pk).exists():
        raise PermissionDenied(
            _("Only an authority administrator over %(region)s appoints its reviewers.")
            % {"region": region.name}
        )
    user = User.objects.filter(username=str(username or "").strip(), is_active=True).first()
    if user is None:
        raise _invalid("username", _("No active account has this username."))
    try:
        with transaction.atomic():
            row = Reviewer.objects.create(
                account=user,
                subject=code,
                region=region,
                region_path=region.path,
                appointed_by_id=actor.user_id,
            )
            audit.record(
                actor,
                "resources.reviewer.appoint",
                target=row,
                after={"user": user.username, "subject": code, "region": region.code},
            )
            from xietong.notifications.services import notify

            notify(
                [user.pk],
                "resources.appointed",
                target=row,
                params={"subject": code, "region": region.name},
            )
    except IntegrityError:
        raise _invalid(
            "username", _("%(user)s already reviews this subject there.") % {"user": user.username}
        ) from None
    return row


def end_reviewer(actor: Actor, pk: int) -> Reviewer:
    row = Reviewer.objects.filter(pk=pk, ended_at__isnull=True).first()
    if row is None or not access.can_read(actor, row):
        raise NotFound()
    access.require(actor, "end", row)
    with transaction.atomic():
        row.ended_at = timezone.now()
        row.save(update_fields=["ended_at"])
        audit.record(actor, "resources.reviewer.end", target=row)
    return row
