"""API schemas of notifications. Unknown fields are refused, not ignored."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field


class Error(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class NotificationOut(Schema):
    id: int
    code: str = Field(description="the kind, e.g. exchanges.application_approved")
    text: str = Field(description="the sentence, in the caller's language")
    link: str = Field(description="the address of the target's page, or empty")
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[NotificationOut]


class NotificationQuery(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(20, description="20, 50 or 100")
    unread: bool = False


class MarkReadIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ids: list[int] | None = Field(None, description="these of your notifications; all if absent")


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int
