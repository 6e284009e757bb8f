"""The audit log's sentences for imports (see ``accounts.audit_reading``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import Facts, by_pk, describe, object_type
from xietong.transfer.models import Import

GROUP = gettext_lazy("Imports")


def _imports(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(Import.objects.only("file_name"), lambda i: {"name": i.file_name}, keys)


object_type("transfer.import", gettext_lazy("import"), _imports)


def _checked(f: Facts) -> str:
    return _(
        "%(actor)s checked %(object)s: %(rows)s rows, %(failed)s with errors (SHA-256 %(sha)s)"
    ) % {
        **f,
        "rows": f.value("detail.rows", 0),
        "failed": f.value("detail.failed", 0),
        "sha": str(f.value("detail.sha256", ""))[:12],
    }


def _written(f: Facts) -> str:
    return _(
        "%(actor)s imported %(object)s: %(created)s created, %(updated)s updated, "
        "%(unchanged)s unchanged, %(failed)s rows with errors left out (SHA-256 %(sha)s)"
    ) % {
        **f,
        "created": f.value("detail.created", 0),
        "updated": f.value("detail.updated", 0),
        "unchanged": f.value("detail.unchanged", 0),
        "failed": f.value("detail.failed", 0),
        "sha": str(f.value("detail.sha256", ""))[:12],
    }


EVENTS: list[tuple[str, Any, Any]] = [
    ("staff.import_check", gettext_lazy("Staff roster checked"), _checked),
    ("staff.import", gettext_lazy("Staff roster imported"), _written),
    ("institution.import_check", gettext_lazy("Institutions roster checked"), _checked),
    ("institution.import", gettext_lazy("Institutions roster imported"), _written),
    (
        "transfer.error_report",
        gettext_lazy("Rows with errors downloaded"),
        lambda f: _("%(actor)s downloaded the rows with errors of %(object)s") % f,
    ),
]

for action, label, text in EVENTS:
    describe(GROUP, action, label, text)
