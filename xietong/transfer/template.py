"""The template of a roster: the sheet to fill, an instructions sheet and a codes sheet.

The first sheet has the roster's Chinese headers (required ones marked ``*``), two example
rows and drop-down lists on the single-valued coded columns; the instructions sheet says
what each column takes; the codes sheet lists the values of every coded column (for the
multi-valued ones, which a drop-down cannot offer, and the institutions of the scope).
Examples are marked 示例 in the name so they are never imported by mistake: a row whose
name starts with 示例 is skipped by the importer.
"""

from __future__ import annotations

import datetime as dt
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xietong.accounts.access import Actor
from xietong.core import tables
from xietong.core.tables import column_letter
from xietong.transfer.rosters import Roster

EXAMPLE_MARK = "示例"
CODES_SHEET = "代码表"
HOW_TO_FILL = gettext_noop(
    "Fill in one row per person from row 2 of the first sheet; replace the example row "
    "(its name starts with 示例 and is never imported). Columns marked * must be filled "
    "in. Keep the header row as it is; columns may be in any order, and columns the "
    "importer does not know are reported and ignored."
)


def header(field_required: bool, text: str) -> str:
    return f"{text}*" if field_required else text


def write_template(actor: Actor, roster: Roster, out: IO[bytes]) -> None:
    fields = list(roster.fields)
    columns = [
        tables.Column(
            header(f.column.required, f.column.header),
            "date" if f.column.kind == "date" else "text",
            width=14 if f.column.kind != "text" else 18,
        )
        for f in fields
    ]
    lists: list[tuple[str, list[str]]] = []
    choices: dict[int, str] = {}
    for i, f in enumerate(fields):
        source = f.choices or f.listed
        if source is None:
            continue
        values = list(source(actor))
        if not values:
            continue
        lists.append((f.column.header, values))
        if f.choices is not None:
            letter = column_letter(len(lists) - 1)
            choices[i] = f"'{CODES_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    example = [_example(f.example, f.column.key) for f in fields]
    longest = max((len(v) for _h, v in lists), default=0)
    code_rows = [
        [values[r] if r < len(values) else "" for _h, values in lists] for r in range(longest)
    ]
    instructions = [
        [
            header(f.column.required, f.column.header),
            "是" if f.column.required else "否",
            str(f.help),
        ]
        for f in fields
    ]
    tables.write_workbook(
        [
            tables.Sheet(str(roster.label), columns, [example], choices=choices),
            tables.Sheet(
                _("Instructions"),
                [
                    tables.Column("列", width=16),
                    tables.Column("必填", width=8),
                    tables.Column("说明", width=90),
                ],
                [
                    *instructions,
                    ["", "", ""],
                    [
                        "",
                        "",
                        _(HOW_TO_FILL),
                    ],
                    ["", "", _("Save as .xlsx (or .xls, or CSV in UTF-8 or GBK) and upload it.")],
                ],
            ),
            tables.Sheet(
                CODES_SHEET,
                [tables.Column(h, width=24) for h, _v in lists],
                code_rows,
            ),
        ],
        out,
    )


def _example(value: object, key: str) -> object:
    if key == "name" and isinstance(value, str) and value:
        return f"{EXAMPLE_MARK}{value}"
    if isinstance(value, dt.date):
        return value
    return value
