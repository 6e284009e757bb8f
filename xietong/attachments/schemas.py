from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class AttachmentOut(Schema):
    id: int
    owner_type: str = Field(description="the owner's type, e.g. exchanges.placementreport")
    owner_id: int
    name: str = Field(description="the cleaned original file name")
    content_type: str = Field(description="the type detected from the content")
    size: int
    sha256: str
    kind: str
    label: str
    uploaded_by: str | None
    uploaded_at: dt.datetime
    download_url: str
    can_remove: bool = Field(description="whether the caller may remove this file")
