"""Every message the platform writes itself has a Chinese translation.

The messages are found the way ``makemessages`` finds them — gettext calls in the Python
source and translate tags in the templates (through Django's own ``templatize``) — but
without GNU gettext, so the test runs wherever the suite does. A message added without a
translation fails here, naming the file it came from.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils.translation.template import templatize

from xietong.core.compile_messages import LOCALE_DIR, merged

ROOT = Path(__file__).resolve().parents[2]  # the xietong package
CJK = re.compile(r"[\u4e00-\u9fff]")
SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop"}
CONTEXTUAL = {"pgettext", "pgettext_lazy"}
PLURAL = {"ngettext", "ngettext_lazy"}
CONTEXTUAL_PLURAL = {"npgettext", "npgettext_lazy"}
# templatize quotes a message with an apostrophe in double quotes (u"the holder's name").
QUOTED = r"'(?:[^'\\]|\\.)*'" + "|" + r'"(?:[^"\\]|\\.)*"'
TEMPLATE_CALL = re.compile(
    rf"\b(gettext|pgettext|ngettext|npgettext)\(((?:\s*u?(?:{QUOTED})\s*,?)+)"
)
LITERAL = re.compile(rf"u?({QUOTED})")

READ_THE_SAME = {"%(name)s at %(host)s"}  # "王老师 · 北京四中": a symbol, not a word
Message = tuple[str | None, str, str]  # context, msgid, where


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def python_messages(path: Path) -> Iterator[Message]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        args = [_literal(a) for a in node.args]
        where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
        if name in SINGULAR and args and args[0] is not None:
            yield None, args[0], where
        elif name in CONTEXTUAL and len(args) >= 2 and args[1] is not None:
            yield args[0], args[1], where
        elif name in PLURAL and args and args[0] is not None:
            yield None, args[0], where
        elif name in CONTEXTUAL_PLURAL and len(args) >= 2 and args[1] is not None:
            yield args[0], args[1], where


def template_messages(path: Path) -> Iterator[Message]:
    source = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    where = str(path.relative_to(ROOT.parent))
    for call, raw_args in TEMPLATE_CALL.findall(source):
        args = [ast.literal_eval(s) for s in LITERAL.findall(raw_args)]
        if call in ("pgettext", "npgettext"):
            yield args[0], args[1], where
        else:
            yield None, args[0], where


def all_messages() -> list[Message]:
    found: list[Message] = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {"tests", "migrations", "api_tests", "tests_browser"}:
            continue
        found.extend(python_messages(path))
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        found.extend(template_messages(path))
    return found


def needs_translation(msgid: str) -> bool:
    """Messages made only of placeholders, digits and punctuation read the same in Chinese."""
    return bool(re.search(r"[A-Za-z]", re.sub(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", "", msgid)))


def test_it_finds_the_messages_of_both_python_and_templates():
    messages = all_messages()
    wheres = {where.split(":")[0] for _, _, where in messages}
    assert any(w.endswith(".py") for w in wheres)
    assert any(w.endswith(".html") for w in wheres)
    assert (None, "Nothing found", "xietong/templates/partials/pagination.html") in messages


def test_it_translates_every_message_the_platform_writes_into_chinese():
    catalog = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0, "")
        for e in merged(LOCALE_DIR / "zh_Hans/LC_MESSAGES")
    }
    missing = sorted(
        {
            f"{where}: {msgid!r}" + (f" (context {ctx!r})" if ctx else "")
            for ctx, msgid, where in all_messages()
            if needs_translation(msgid) and not catalog.get((ctx, msgid))
        }
    )
    assert not missing, f"{len(missing)} messages have no Chinese translation:\n" + "\n".join(
        missing
    )


def test_it_translates_into_chinese_characters_not_copies_of_the_english():
    catalog = merged(LOCALE_DIR / "zh_Hans/LC_MESSAGES")
    copies = [
        e.msgid
        for e in catalog
        if (text := e.msgstr or e.msgstr_plural.get(0, ""))
        and needs_translation(e.msgid)
        and not CJK.search(text)
        and e.msgid not in READ_THE_SAME
    ]
    assert not copies, copies


@pytest.mark.parametrize("msgid", ["%(n)s–%(m)s", "%s / %s", "{}", "12:00"])
def test_it_lets_messages_without_words_stand_untranslated(msgid):
    assert not needs_translation(msgid)


def test_it_asks_a_translation_of_a_message_with_words():
    assert needs_translation("Delete %(name)s")


def test_it_addresses_the_reader_as_nin_throughout():
    informal = [e.msgid for e in merged(LOCALE_DIR / "zh_Hans" / "LC_MESSAGES") if "你" in e.msgstr]
    assert informal == []


def test_it_words_the_length_and_range_checks_of_forms_in_plain_chinese():
    from django import forms
    from django.utils import translation

    from xietong.core.compile_messages import compile_all

    compile_all()
    with translation.override("zh-hans"):
        with pytest.raises(forms.ValidationError) as too_long:
            forms.CharField(max_length=3).clean("三河市实验小学")
        with pytest.raises(forms.ValidationError) as too_big:
            forms.IntegerField(max_value=99).clean("100")
    assert too_long.value.messages == ["最多填写 3 个字（现在 7 个），请删减。"]
    assert too_big.value.messages == ["请填写不大于 99 的数。"]
