"""``xietong plan load``: the shipped plans load; bad files are said plainly, exit code 2."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from xietong.plan import cli
from xietong.plan.models import Plan, Task
from xietong.plan.tests.test_loader import read


def run(*args: str) -> str:
    out = StringIO()
    call_command("plan", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_loads_the_shipped_plans_oldest_first(named):
    out = run("load", "--shipped")
    assert "jjj-2023-2025" in out and "22 tasks" in out
    assert Plan.objects.get(key="jjj-2023-2025").predecessor.key == "jjj-2018-2020"


def test_it_lists_every_problem_of_a_refused_file_and_loads_none_of_it(named, tmp_path: Path):
    run("load", "--shipped")
    data = read("jjj-2023-2025.json")
    data["key"] = "jjj-broken"
    data["tasks"][0]["deadline"] = "2030-01-01"
    data["tasks"][1]["bodies"] = ["没有这个单位"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError) as e:
        run("--lang", "en", "load", str(path))
    assert e.value.returncode == 2
    text = str(e.value)
    assert "2 problems" in text and "2030-01-01" in text and "没有这个单位" in text
    assert not Plan.objects.filter(key="jjj-broken").exists()
    assert Task.objects.filter(plan__key="jjj-broken").count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("load", "/nonexistent/plan.json"), "No such file"),
        (("load",), "Name the plan files"),
        (("--lang", "fr", "load", "--shipped"), "Unknown language"),
    ],
)
def test_it_answers_bad_input_with_a_clear_message(db: Any, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_it_refuses_a_file_that_is_not_json(db: Any, tmp_path: Path):
    path = tmp_path / "plan.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="is not a JSON file"):
        run("load", str(path))


def test_it_dispatches_to_the_subcommands_the_parts_register(db: Any):
    seen: list[str] = []
    cli.register_subcommand(
        cli.Subcommand(
            "test-echo",
            "echo",
            lambda p: p.add_argument("--word"),
            lambda command, opts: seen.append(opts["word"]),
        )
    )
    try:
        run("test-echo", "--word", "协同")
    finally:
        cli._subcommands.pop("test-echo")
    assert seen == ["协同"]
