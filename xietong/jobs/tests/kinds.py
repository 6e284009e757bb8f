"""Job kinds used by the tests (imported by the test modules and by worker subprocesses)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_noop

from xietong.jobs.models import Job
from xietong.jobs.registry import JobFailed, register
from xietong.jobs.runner import Reporter

COUNT, BOOM, FLAKY, GATE, STOP_SELF, EXPORT, DAILY = (
    "tests.count",
    "tests.boom",
    "tests.flaky",
    "tests.gate",
    "tests.stop_self",
    "tests.export",
    "tests.daily",
)


@register(COUNT, label="Counting")
def count(job: Job, report: Reporter) -> dict[str, Any]:
    n = int(job.parameters.get("n", 3))
    for i in range(n + 1):
        report(i, n, gettext_noop("Counting"))
    return {"counted": n}


@register(BOOM, label="Boom")
def boom(job: Job, report: Reporter) -> None:
    report(1, 2)
    raise RuntimeError("connection string postgres://secret@db leaked in a traceback")


@register(FLAKY, label="Flaky")
def flaky(job: Job, report: Reporter) -> dict[str, int]:
    """Fails on its first attempt, succeeds on the next."""
    if job.attempts == 1:
        raise JobFailed(gettext_noop("Row %(row)s could not be read."), row=7)
    report(1, 1)
    return {"attempt": job.attempts}


@register(GATE, label="Gate")
def gate(job: Job, report: Reporter) -> dict[str, bool]:
    """Starts, then beats until the file ``gate`` exists (a worker to be killed meanwhile)."""
    report(1, 3, gettext_noop("Waiting at the gate"))
    path = Path(job.parameters["gate"])
    while not path.exists():
        report.beat()
        time.sleep(0.05)
    report(3, 3)
    return {"passed": True}


@register(STOP_SELF, label="Stop")
def stop_self(job: Job, report: Reporter) -> None:
    """Gets cancelled while running (as by another request) and reports once more."""
    report(1, 4, gettext_noop("Counting"))
    Job.objects.filter(pk=job.pk).update(status="cancelled")
    report(2, 4, gettext_noop("Waiting at the gate"))
    raise AssertionError("a cancelled job must stop at its next report")


@register(EXPORT, label="Export")
def export(job: Job, report: Reporter) -> dict[str, int]:
    report.save_file("staff.csv", "姓名,学科\n李三河,数学\n".encode())
    return {"rows": 1}


@register(DAILY, label="Daily", every="daily")
def daily(job: Job, report: Reporter) -> dict[str, str]:
    """A scheduled kind: one job per day (see test_schedule)."""
    report(1, 1)
    return {"day": job.period}


# --- an export kind (xietong.jobs.exports) over generated rows -------------------------------

from xietong.access.capabilities import capability  # noqa: E402
from xietong.accounts.models import Role  # noqa: E402
from xietong.core.errors import InvalidInput  # noqa: E402
from xietong.core.tables import Column  # noqa: E402
from xietong.jobs import exports  # noqa: E402

capability("tests.export", Role.AUTHORITY_ADMIN)


def _check(actor: Any, raw: Any) -> dict[str, Any]:
    text = str(raw.get("n", ""))
    if not text.isdigit() or int(text) > 100_000:
        raise InvalidInput(fields={"n": ["Give a number of rows up to 100000."]})
    return {"n": int(text)}


def _rows(actor: Any, p: dict[str, Any]) -> Any:
    for i in range(p["n"]):
        yield [f"=row {i}", i, actor.name]


for name, reauth in (("tests.rows", False), ("tests.private_rows", True)):
    exports.register(
        exports.ExportKind(
            name=name,
            label="Rows",
            capability="tests.export",
            denied="Only authority admins export rows.",
            check=_check,
            count=lambda actor, p: p["n"],
            columns=lambda p: [Column("Name"), Column("Number", "int"), Column("By")],
            rows=_rows,
            filename=lambda p: f"rows-{p['n']}",
            reauthenticate=reauth,
        )
    )
