"""What a roster is to the importer: its columns, template, checks and writes.

An app declares its roster once (``register(Roster(...))`` in its ``rosters`` module) and
the importer does the rest for every roster alike: the template, reading the file, the
dry run, the write in one transaction, the error report, the job and its progress.

A roster's :attr:`Roster.plan` takes the actor and the file's rows and yields
:class:`Outcome` batches — each row classified as to create, to update, unchanged, or
failed with its problems — reading the database once per batch; :attr:`Roster.write`
writes a batch's creates and updates (through ``core.bulk``) and returns the ids of the
institutions it touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils import translation
from django.utils.functional import Promise

from xietong.accounts.access import Actor
from xietong.core.codes import CodeTable
from xietong.transfer.reading import Column, Row

Action = Literal["create", "update", "unchanged", "failed"]
ACTIONS: tuple[Action, ...] = ("create", "update", "unchanged", "failed")


@dataclass(frozen=True)
class Field:
    """A column of a roster's template: the reader's spec plus what the template says."""

    column: Column
    help: str | Promise  # one line on the instructions sheet
    example: Any = ""
    # The values of a drop-down (single-valued coded columns), for this actor.
    choices: Callable[[Actor], Sequence[str]] | None = None
    # The values listed on the codes sheet (also for multi-valued columns).
    listed: Callable[[Actor], Sequence[str]] | None = None


@dataclass
class Planned:
    """One row's fate; ``values`` are what will be written (for creates and updates)."""

    row: Row
    action: Action
    problems: list[tuple[str, str]] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    pk: int | None = None


@dataclass
class Outcome:
    """A batch of planned rows, in file order."""

    rows: list[Planned]


@dataclass(frozen=True)
class Roster:
    name: str  # "staff": the CLI's and the API's word
    label: str | Promise
    capability: str  # who may import it (the access mechanism decides)
    denied: str | Promise
    fields: Sequence[Field]
    plan: Callable[[Actor, Iterator[Row]], Iterable[Outcome]]
    write: Callable[[Actor, Outcome], set[int]]
    after_write: Callable[[Actor, set[int]], None] = lambda actor, touched: None
    audit_action: str = ""  # "staff.import"

    @property
    def columns(self) -> list[Column]:
        return [f.column for f in self.fields]

    def header_of(self, key: str) -> str:
        for f in self.fields:
            if f.column.key == key:
                return f.column.header
        return key


def choice_lookup(choices: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """A choice's code by its code and by its label in Chinese and English (case-folded):
    a cell may hold any of them."""
    out: dict[str, str] = {}
    for code, label in choices:
        out[str(code).casefold()] = str(code)
        for language in ("zh-hans", "en"):
            with translation.override(language):
                out[str(label).casefold()] = str(code)
    return out


def in_chinese(values: Iterable[Any]) -> list[str]:
    """Labels as a template's drop-down offers them (the Chinese ones)."""
    with translation.override("zh-hans"):
        return [str(v) for v in values]


def code_names(table: CodeTable) -> list[str]:
    with translation.override("zh-hans"):
        return [e.label() for e in table.entries]


_rosters: dict[str, Roster] = {}


def register(roster: Roster) -> Roster:
    _rosters[roster.name] = roster
    return roster


def roster_named(name: str) -> Roster | None:
    return _rosters.get(name)


def rosters() -> list[Roster]:
    return list(_rosters.values())
