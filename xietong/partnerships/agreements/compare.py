"""Two versions of an agreement side by side: field by field, clause by clause.

:func:`compare_versions` is pure (no database): it reads the fields of two versions (model
rows or anything with the same attributes) and returns one :class:`Row` per field and per
clause, each side marked up with ``<del>`` (left: what the right no longer has) and
``<ins>`` (right: what it added), every piece of text escaped.

Text is compared as a sequence of tokens (:func:`tokens`): a word of letters or digits, a
single CJK character (Chinese has no spaces between words, so a character is the unit), a
run of whitespace, or one punctuation mark — the ``difflib.SequenceMatcher`` of Ratcliff
and Obershelp over those, quadratic in the worst case and near-linear on similar texts.
Clauses are paired by their headings (the same matcher over the list of headings): an
equal or renamed clause is one row, an added or removed clause a one-sided row.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_TOKEN = re.compile(
    rf"[{_CJK}]"  # one CJK character or mark
    rf"|[^\W_{_CJK}]+"  # a word of letters or digits (not CJK ones)
    r"|\s+"
    r"|.",
    re.S,
)

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"


def tokens(text: str) -> list[str]:
    """``"共同教研 two days"`` → ``["共", "同", "教", "研", " ", "two", " ", "days"]``."""
    return _TOKEN.findall(text or "")


def inline_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """Both texts escaped, the left with ``<del>`` for what the right dropped, the right with
    ``<ins>`` for what it added."""
    a, b = tokens(old), tokens(new)
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        was, now = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(was)
            right.append(now)
            continue
        if was:
            left.append(f"<del>{was}</del>")
        if now:
            right.append(f"<ins>{now}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))


@dataclass(frozen=True)
class Row:
    """One line of the comparison: a field or a clause, its two sides as text and markup."""

    kind: str  # "field" or "clause"
    key: str  # the field's name, or "clause:<n>" (n from 1, on the right if it is there)
    label: str
    left: str | None  # None: the left version has no such clause
    right: str | None
    left_html: SafeString
    right_html: SafeString
    status: str  # same · changed · added · removed

    @property
    def changed(self) -> bool:
        return self.status != SAME

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "label": self.label,
            "left": self.left,
            "right": self.right,
            "left_html": str(self.left_html),
            "right_html": str(self.right_html),
            "status": self.status,
        }


def _text_row(kind: str, key: str, label: str, old: str | None, new: str | None) -> Row:
    if old is None:
        return Row(kind, key, label, None, new, mark_safe(""), _whole("ins", new), ADDED)
    if new is None:
        return Row(kind, key, label, old, None, _whole("del", old), mark_safe(""), REMOVED)
    left, right = inline_diff(old, new)
    return Row(kind, key, label, old, new, left, right, SAME if old == new else CHANGED)


def _whole(tag: str, text: str | None) -> SafeString:
    return mark_safe(f"<{tag}>{escape(text or '')}</{tag}>" if text else "")


def _date(d: dt.date | None) -> str:
    return d.isoformat() if d else "—"


def _clause_text(c: dict[str, str]) -> str:
    return f"{c.get('heading', '')}\n{c.get('text', '')}".strip()


def _clause_rows(old: Sequence[dict[str, str]], new: Sequence[dict[str, str]]) -> list[Row]:
    heads_a = [c.get("heading", "") for c in old]
    heads_b = [c.get("heading", "") for c in new]
    rows: list[Row] = []

    def row(i: int | None, j: int | None) -> Row:
        c = new[j] if j is not None else old[i]  # type: ignore[index]
        n = (j if j is not None else i) + 1  # type: ignore[operator]
        label = c.get("heading") or _("Clause %(n)s") % {"n": n}
        side = "" if j is not None else "-"
        return _text_row(
            "clause",
            f"clause:{side}{n}",
            label,
            _clause_text(old[i]) if i is not None else None,
            _clause_text(new[j]) if j is not None else None,
        )

    matcher = difflib.SequenceMatcher(None, heads_a, heads_b, autojunk=False)
    for _op, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = min(i2 - i1, j2 - j1)
        for k in range(pairs):
            rows.append(row(i1 + k, j1 + k))
        for i in range(i1 + pairs, i2):
            rows.append(row(i, None))
        for j in range(j1 + pairs, j2):
            rows.append(row(None, j))
    return rows


def compare_versions(a: Any, b: Any) -> list[Row]:
    """The rows comparing version ``a`` (left, usually the older) with ``b`` (right).

    Fields first — title, in force from, in force until, what changed — then one row per
    clause. Every row is returned, the unchanged too (``row.changed`` tells them apart).

    >>> from types import SimpleNamespace as V
    >>> import datetime as dt
    >>> a = V(title="协议", starts_on=dt.date(2024, 9, 1), ends_on=None, note="",
    ...       clauses=[{"heading": "目标", "text": "每学期互访一次"}])
    >>> b = V(title="协议", starts_on=dt.date(2024, 9, 1), ends_on=None, note="改为两次",
    ...       clauses=[{"heading": "目标", "text": "每学期互访两次"}])
    >>> [r.status for r in compare_versions(a, b)]
    ['same', 'same', 'same', 'changed', 'changed']
    >>> str(compare_versions(a, b)[-1].right_html)
    '目标\\n每学期互访<ins>两</ins>次'
    """
    fields = [
        ("title", _("title"), a.title, b.title),
        ("starts_on", _("in force from"), _date(a.starts_on), _date(b.starts_on)),
        ("ends_on", _("in force until"), _date(a.ends_on), _date(b.ends_on)),
        ("note", _("what changed"), a.note or "", b.note or ""),
    ]
    rows = [_text_row("field", key, capfirst(label), old, new) for key, label, old, new in fields]
    return rows + _clause_rows(list(a.clauses or []), list(b.clauses or []))
