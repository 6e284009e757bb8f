from ninja import Schema


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    institutions: int | None = None
    staff: int | None = None


class RegionGroupOut(Schema):
    key: str
    name: str
    name_en: str
    note: str
    member_codes: list[str]
