"""Compile the .po catalogs to .mo with polib, so set-up needs no GNU gettext tools.

Each language's ``LC_MESSAGES`` folder holds ``django.po`` and any number of topic
catalogs (``notifications.po``, ``jobs.po`` …), one per capability, so that work on two
capabilities never edits the same file. All of them compile into the one ``django.mo``
that Django reads; a message translated in two catalogs is an error.
"""

from __future__ import annotations

from pathlib import Path

import polib  # type: ignore[import-untyped]

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogs(lc_messages: Path) -> list[Path]:
    """``django.po`` first, then the topic catalogs by name."""
    main = lc_messages / "django.po"
    return [main, *sorted(p for p in lc_messages.glob("*.po") if p != main)]


def merged(lc_messages: Path) -> polib.POFile:
    """One catalog of every entry of the folder's catalogs; duplicates raise ``ValueError``."""
    paths = catalogs(lc_messages)
    out = polib.pofile(str(paths[0]))
    seen = {(e.msgctxt, e.msgid): paths[0] for e in out}
    for path in paths[1:]:
        for entry in polib.pofile(str(path)):
            key = (entry.msgctxt, entry.msgid)
            if key in seen:
                raise ValueError(f"{entry.msgid!r} is in both {seen[key].name} and {path.name}")
            seen[key] = path
            out.append(entry)
    return out


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    written = []
    for lc_messages in sorted(locale_dir.glob("*/LC_MESSAGES")):
        mo_path = lc_messages / "django.mo"
        newest = max(p.stat().st_mtime for p in catalogs(lc_messages))
        if mo_path.exists() and mo_path.stat().st_mtime >= newest:
            continue
        merged(lc_messages).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_all():
        print(f"compiled {path.relative_to(LOCALE_DIR.parent.parent)}")
