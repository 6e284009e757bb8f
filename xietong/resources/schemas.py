"""API schemas of shared resources. Unknown fields are refused, not ignored."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field

from xietong.core.paging import PageOut

MAX_ID = 2**63 - 1


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class Error(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class Ref(Schema):
    id: int
    name: str


class Code(Schema):
    code: str
    label: str


class ResourceIn(Strict):
    kind: str = Field(max_length=16, description="course, lesson_video, courseware, …")
    title: str = Field(max_length=200)
    description: str = Field("", max_length=4000)
    stages: list[str] = Field(default_factory=list, max_length=20, description="codes or names")
    grade: str = Field("", max_length=20)
    subjects: list[str] = Field(default_factory=list, max_length=50, description="codes or names")
    edition: str = Field("", max_length=12)
    licence: str = Field("region-share", max_length=24)
    link: str = Field("", max_length=400)
    duration_minutes: int | None = Field(None, ge=1, le=100000)
    address: str = Field("", max_length=200, description="practice bases and labs")
    capacity: int | None = Field(None, ge=1, le=100000, description="practice bases and labs")
    open_terms: list[str] = Field(
        default_factory=list, max_length=20, description="terms such as 2025-2026-1"
    )
    visibility: str = Field("region", max_length=10, description="region, partners, group, named")
    visible_group: str = Field("", max_length=30, description="a region group's key")
    audience: list[int] = Field(default_factory=list, max_length=200, description="institution ids")
    authors: list[int] = Field(default_factory=list, max_length=20, description="staff ids")
    provider: int | None = Field(None, ge=1, le=MAX_ID, description="default: your institution")


class ReviewIn(Strict):
    verdict: str = Field(max_length=8, description="publish or return")
    accuracy: int = Field(ge=1, le=5)
    pedagogy: int = Field(ge=1, le=5)
    presentation: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=4000)


class WithdrawIn(Strict):
    reason: str = Field(max_length=2000)


class UseIn(Strict):
    kind: str = Field("lesson", max_length=10, description="view, download, lesson or feedback")
    used_on: dt.date | None = Field(None, description="default: today")
    class_name: str = Field("", max_length=40, description="the class of a lesson")
    feedback: str = Field("", max_length=2000)


class RatingIn(Strict):
    stars: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=2000)


class AppointIn(Strict):
    username: str = Field(max_length=150)
    subject: str = Field(max_length=40, description="a subject's code or name")
    region: str = Field(max_length=6, description="GB/T 2260 code")


class ResourceOut(Schema):
    id: int
    kind: str
    title: str
    provider: Ref
    provider_region: str
    stages: list[Code]
    subjects: list[Code]
    edition: str
    visibility: str
    status: str
    published_at: dt.datetime | None
    uses: int
    lesson_uses: int
    rating: float | None
    rating_count: int
    actions: list[str]


class ReviewOut(Schema):
    verdict: str
    accuracy: int
    pedagogy: int
    presentation: int
    comment: str
    created_at: dt.datetime


class RatingOut(Schema):
    stars: int
    comment: str
    updated_at: dt.datetime


class FileOut(Schema):
    id: int
    name: str
    size: int
    content_type: str


class ResourceDetailOut(ResourceOut):
    description: str
    grade: str
    licence: str
    link: str
    duration_minutes: int | None
    address: str
    capacity: int | None
    open_terms: list[str]
    visible_group: str
    audience: list[Ref]
    authors: list[Ref]
    files: list[FileOut]
    reviews: list[ReviewOut] | None
    ratings: list[RatingOut]
    return_comment: str
    withdraw_reason: str
    may_rate: bool


class FacetValue(Schema):
    value: str
    label: str
    count: int


class FacetOut(Schema):
    name: str
    label: str
    values: list[FacetValue]


class ResourcePage(PageOut[ResourceOut]):
    facets: list[FacetOut]


class ReviewQueuePage(PageOut[ResourceOut]):
    pass


class UseOut(Schema):
    id: int
    kind: str
    used_on: dt.date
    term: int
    class_name: str
    institution: Ref | None


class ReviewerOut(Schema):
    id: int
    username: str
    subject: Code
    region: Ref
    region_code: str
    appointed_at: dt.datetime
    actions: list[str]
