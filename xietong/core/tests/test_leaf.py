"""``core`` is a leaf: shared helpers that every app may import and that import no app."""

from __future__ import annotations

import ast
from pathlib import Path

import xietong.core

CORE = Path(xietong.core.__file__).parent


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # "from xietong import accounts" names the app in the imported names.
            if node.module == "xietong":
                found += [(node.lineno, f"xietong.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found.append((node.lineno, "." * node.level + (node.module or "")))
    return found


def _outside_core(module: str) -> bool:
    if module.startswith("."):
        return module.startswith("..")  # a relative import above core
    parts = module.split(".")
    return parts[0] == "xietong" and len(parts) > 1 and parts[1] != "core"


def test_it_imports_no_other_xietong_app_from_any_core_module():
    offenders = [
        f"{path.relative_to(CORE)}:{line} imports {module}"
        for path in sorted(CORE.rglob("*.py"))
        if "tests" not in path.relative_to(CORE).parts  # tests may build app fixtures
        for line, module in _imported_modules(path)
        if _outside_core(module)
    ]
    assert offenders == []


def test_it_would_notice_an_app_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from xietong.institutions.selectors import x\nfrom xietong import accounts\n"
        "import xietong.core.errors\nfrom ..regions import y\n",
        encoding="utf-8",
    )
    found = [m for _, m in _imported_modules(sample) if _outside_core(m)]
    assert found == ["xietong.institutions.selectors", "xietong.accounts", "..regions"]
