"""The auditor's export of the audit log: the events of a range of days, in words.

Only the auditor may export (capability ``audit.export``); the events may name people and
carry masked personal data, so the export asks for a recent re-authentication, as revealing
personal data does. A range is at most ``XIETONG_AUDIT_EXPORT_MAX_DAYS`` days; past
``XIETONG_EXPORT_SYNC_ROWS`` events the export is a job (see ``xietong.jobs.exports``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts import audit_reading, selectors
from xietong.accounts.access import Actor
from xietong.core.errors import InvalidInput
from xietong.core.filters import fields_of, filter_form
from xietong.core.tables import Column
from xietong.jobs.exports import ExportKind, Params, filter_params, filters_from, register

NAME = "audit"


def _filters(p: Params) -> selectors.AuditFilters:
    return selectors.AuditFilters(
        start=p["start"],
        end=p["end"],
        actor_id=p.get("actor"),
        action=p.get("action", ""),
        object_type=p.get("object_type", ""),
        object_id=p.get("object_id", ""),
    )


def check(actor: Actor, raw: Mapping[str, Any]) -> Params:
    """The export's range and filters, checked by the log's own filter form; both days are
    needed, the last not before the first, at most the allowed span apart."""
    form = filter_form(selectors.AuditFilters, paging=None)(
        {k: "" if v is None else str(v) for k, v in raw.items()}, actor=actor
    )
    if not form.is_valid():
        raise InvalidInput(fields={k: [str(m) for m in v] for k, v in form.errors.items()})
    f: selectors.AuditFilters = form.filters()
    missing: dict[str, list[str]] = {}
    if not f.start:
        missing["start"] = [_("Give the first day of the events to export.")]
    if not f.end:
        missing["end"] = [_("Give the last day of the events to export.")]
    if missing:
        raise InvalidInput(fields=missing)
    selectors.audit_period(f)  # the last day before the first: refused with its message
    days = (dt.date.fromisoformat(f.end) - dt.date.fromisoformat(f.start)).days + 1
    limit = settings.XIETONG_AUDIT_EXPORT_MAX_DAYS
    if days > limit:
        raise InvalidInput(
            fields={
                "end": [
                    _("Export at most %(limit)d days at a time; this range has %(days)d.")
                    % {"limit": limit, "days": days}
                ]
            }
        )
    values = {ff.param: getattr(f, ff.attr) for ff in fields_of(selectors.AuditFilters)}
    return {k: v for k, v in values.items() if v not in ("", None)}


def count(actor: Actor, p: Params) -> int:
    return selectors.audit_events_for(actor, _filters(p)).count()


def columns(p: Params) -> Sequence[Column]:
    return [
        Column(_("Event no."), "int", 10),
        Column(_("Time"), "datetime", 20),
        Column(_("Actor"), "text", 20),
        Column(_("Event"), "text", 70),
        Column(_("Action"), "text", 22),
        Column(_("Action code"), "text", 30),
        Column(_("Object type"), "text", 16),
        Column(_("Object id"), "text", 10),
        Column(_("Object"), "text", 30),
        Column(_("Before"), "text", 30),
        Column(_("After"), "text", 30),
        Column(_("Detail"), "text", 30),
        Column(_("Hash"), "text", 20),
    ]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value is not None else ""


def rows(actor: Actor, p: Params) -> Iterator[list[Any]]:
    """The range's events oldest first, each in words (names looked up per 1,000 events)."""
    qs = selectors.audit_events_for(actor, _filters(p)).order_by("id")
    for e in audit_reading.render_in_chunks(qs.iterator(chunk_size=1000)):
        yield [
            e.pk,
            e.at,
            e.actor_name or audit_reading.system_name(),
            e.text,  # type: ignore[attr-defined]
            e.action_label,  # type: ignore[attr-defined]
            e.action,
            e.type_label if e.object_type else "",  # type: ignore[attr-defined]
            e.object_id,
            e.object_name if (e.object_type or e.object_id) else "",  # type: ignore[attr-defined]
            _json(e.before),
            _json(e.after),
            _json(e.detail),
            e.hash,
        ]


def filename(p: Params) -> str:
    return f"{_('audit-log')}_{p['start']}_{p['end']}"


register(
    ExportKind(
        name=NAME,
        label=gettext_lazy("Audit log export"),
        capability="audit.export",
        denied=gettext_lazy("Only the auditor exports the audit log."),
        check=check,
        count=count,
        columns=columns,
        rows=rows,
        filename=filename,
        sheet=lambda p: _("Audit log"),
        reauthenticate=True,
    )
)


# --- the account list ------------------------------------------------------------------------

USERS = "accounts.users"


def _users(actor: Actor, p: Params) -> Any:
    f = filters_from(selectors.UserFilters, p)
    return selectors.users_for(actor, f.q, f.state)  # in the list's order


def check_users(actor: Actor, raw: Mapping[str, Any]) -> Params:
    """The account list's search and state, checked as its form checks them."""
    return filter_params(selectors.UserFilters, actor, raw)


def user_columns(p: Params) -> Sequence[Column]:
    return [
        Column(_("User name"), "text", 16),
        Column(_("Display name"), "text", 16),
        Column(_("Roles"), "text", 50),
        Column(_("Status"), "text", 10),
        Column(_("Last sign-in"), "datetime", 18),
    ]


def user_rows(actor: Actor, p: Params) -> Iterator[list[Any]]:
    """The accounts, 500 at a time with their roles (one prefetch a chunk)."""
    for u in _users(actor, p).iterator(chunk_size=500):
        roles = "；".join(
            f"{r.get_role_display()} {r.scope_label()}".strip() for r in u.roles.all()
        )
        if not u.is_active:
            state = _("Deactivated")
        elif u.is_locked:
            state = _("Locked")
        else:
            state = _("Enabled")
        yield [u.username, u.display_name, roles, state, u.last_login]


register(
    ExportKind(
        name=USERS,
        label=gettext_lazy("Accounts export"),
        capability="accounts.export",
        denied=gettext_lazy("Only the security administrator manages accounts."),
        check=check_users,
        count=lambda actor, p: _users(actor, p).count(),
        columns=user_columns,
        rows=user_rows,
        filename=lambda p: f"{_('accounts')}_{timezone.localdate().isoformat()}",
        sheet=lambda p: _("Accounts"),
    )
)
