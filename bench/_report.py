"""What the benchmark scripts share: the text table they print, the machine they ran on and
the JSON file they write."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], *, left: int = 0) -> str:
    """Columns as wide as their widest cell, ``" | "`` between them, a rule under the
    header; the first ``left`` columns flush left, the others flush right. A row shorter
    than the header (an error message) is written as it is, its cells where they fall."""
    widths = [len(h) for h in header]
    for row in rows:
        sized = row if len(row) >= len(header) else row[:-1]  # not a short row's message
        for i, cell in enumerate(sized[: len(header)]):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            if i >= len(widths):
                out.append(cell)
            elif i == len(cells) - 1 and len(cells) < len(header):
                out.append(cell)  # the message of a short row: not padded
            else:
                out.append(cell.ljust(widths[i]) if i < left else cell.rjust(widths[i]))
        return " | ".join(out)

    return "\n".join([line(header), "-+-".join("-" * w for w in widths), *map(line, rows)])


def machine() -> dict[str, Any]:
    """The machine and its load as the run ends (the project's machine is shared)."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor(),
        "cpus": os.cpu_count(),
        "load": os.getloadavg(),
    }


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def write_json(path: str | Path, data: dict[str, Any]) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out
