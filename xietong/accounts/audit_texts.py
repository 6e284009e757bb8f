"""The audit log's sentences for accounts: sign-in, the second factor, users, roles, tokens,
sessions, security alerts and the audit log itself (see ``accounts.audit_reading``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from xietong.accounts.audit_reading import (
    Events,
    Facts,
    Ref,
    by_pk,
    choice_label,
    describe_all,
    object_type,
)
from xietong.accounts.models import ApiToken, Role, User

GROUP = gettext_lazy("Accounts")


def _users(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(User.objects.only("username", "display_name"), lambda u: {"name": str(u)}, keys)


def _tokens(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(
        ApiToken.objects.select_related("user"),
        lambda t: {"name": t.name, "owner": str(t.user)},
        keys,
    )


object_type("accounts.user", gettext_lazy("account"), _users)
object_type("accounts.apitoken", gettext_lazy("API token"), _tokens)


def _role_text(f: Facts, side: str) -> str:
    role = choice_label(Role.choices, f.value(f"{side}.role"))
    scope = f["region"] if f.value(f"{side}.region") else ""
    scope = scope or (f["institution"] if f.value(f"{side}.institution") else "")
    values = {**f, "role": role, "scope": scope}
    if side == "after":
        if scope:
            return _("%(actor)s granted %(object)s the role “%(role)s” over %(scope)s") % values
        return _("%(actor)s granted %(object)s the role “%(role)s”") % values
    if scope:
        return _("%(actor)s revoked the role “%(role)s” over %(scope)s from %(object)s") % values
    return _("%(actor)s revoked the role “%(role)s” from %(object)s") % values


def _alert(f: Facts) -> str:
    if f.value("detail.kind") == "duplicate_id_numbers":
        return _(
            "%(name)s entered %(n)s ID numbers registered elsewhere within a day; entering ID "
            "numbers is paused for this account."
        ) % {"name": f["actor"], "n": f.value("detail.attempts", "—")}
    return _("Security alert about %(actor)s: %(kind)s") % {
        **f,
        "kind": f.value("detail.kind", "—"),
    }


def _archive(f: Facts) -> str:
    return _("%(actor)s archived %(n)s audit events from before %(date)s") % {
        **f,
        "n": f.value("detail.events", 0),
        "date": f.value("detail.before", "—"),
    }


def _export(f: Facts) -> str:
    params: dict[str, Any] = f.value("detail.params", {}) or {}
    values = {
        **f,
        "start": params.get("start", "—"),
        "end": params.get("end", "—"),
        "n": f.value("detail.rows", 0),
        "format": str(f.value("detail.format", "")).upper(),
    }
    if f.value("detail.delivery") == "job":
        return (
            _(
                "%(actor)s exported the audit log from %(start)s to %(end)s "
                "(%(n)s events, %(format)s, as a background job)"
            )
            % values
        )
    return (
        _("%(actor)s exported the audit log from %(start)s to %(end)s (%(n)s events, %(format)s)")
        % values
    )


def _batch(f: Facts) -> str:
    values = {
        **f,
        "n": f.value("detail.counts.rows", 0),
        "batch": f.value("detail.counts.batch", "—"),
    }
    source = f.value("detail.source")
    if source:
        return _("%(actor)s loaded %(n)s rows of %(type)s from “%(source)s” (batch %(batch)s)") % {
            **values,
            "source": source,
        }
    return _("%(actor)s loaded %(n)s rows of %(type)s (batch %(batch)s)") % values


def _sessions_ended(f: Facts) -> str:
    return _("%(n)s older sessions of %(object)s were signed out: too many at once") % {
        **f,
        "n": f.value("detail.ended", 0),
    }


def _locked(f: Facts) -> str:
    if f.value("detail.by") == "second_factor":
        return _("%(object)s was locked after too many wrong codes") % f
    return _("%(object)s was locked after too many wrong passwords") % f


EVENTS: Events = [
    (
        "auth.sign_in",
        pgettext_lazy("audit action", "Signed in"),
        lambda f: _("%(actor)s signed in") % f,
        {},
    ),
    (
        "auth.failed",
        gettext_lazy("Sign-in failed"),
        lambda f: _("A sign-in as %(object)s failed: wrong password") % f,
        {},
    ),
    ("auth.locked", gettext_lazy("Account locked"), _locked, {}),
    (
        "auth.refused_locked",
        gettext_lazy("Sign-in refused (locked)"),
        lambda f: _("A sign-in as %(object)s was refused: the account is locked") % f,
        {},
    ),
    (
        "auth.second_factor_enrolled",
        gettext_lazy("Authenticator app set up"),
        lambda f: _("%(object)s set up an authenticator app") % f,
        {},
    ),
    (
        "auth.second_factor_failed",
        gettext_lazy("Wrong code"),
        lambda f: _("A wrong code was given for %(object)s") % f,
        {},
    ),
    (
        "auth.recovery_code_used",
        gettext_lazy("Recovery code used"),
        lambda f: _("%(object)s signed in with a recovery code") % f,
        {},
    ),
    (
        "auth.recovery_codes_renewed",
        gettext_lazy("Recovery codes renewed"),
        lambda f: _("%(object)s made new recovery codes") % f,
        {},
    ),
    (
        "auth.reauth_failed",
        gettext_lazy("Confirmation failed"),
        lambda f: _("%(object)s gave a wrong password when asked to confirm it was them") % f,
        {},
    ),
    (
        "auth.reauthenticated",
        gettext_lazy("Identity confirmed"),
        lambda f: _("%(object)s confirmed it was them (password again)") % f,
        {},
    ),
    (
        "user.create",
        gettext_lazy("Account created"),
        lambda f: _("%(actor)s created the account %(object)s") % f,
        {},
    ),
    (
        "user.activate",
        gettext_lazy("Account activated"),
        lambda f: _("%(actor)s activated the account %(object)s") % f,
        {},
    ),
    (
        "user.deactivate",
        gettext_lazy("Account deactivated"),
        lambda f: _("%(actor)s deactivated the account %(object)s") % f,
        {},
    ),
    (
        "user.unlock",
        gettext_lazy("Account unlocked"),
        lambda f: _("%(actor)s unlocked the account %(object)s") % f,
        {},
    ),
    (
        "user.second_factor_reset",
        gettext_lazy("Second factor reset"),
        lambda f: _("%(actor)s reset the second factor of %(object)s") % f,
        {},
    ),
    (
        "user.link_staff",
        gettext_lazy("Account linked to a staff record"),
        lambda f: _("%(actor)s linked the account %(object)s to the staff record of %(staff)s") % f,
        {"staff": Ref("institutions.staff", "after.staff")},
    ),
    (
        "user.password_change",
        gettext_lazy("Password changed"),
        lambda f: _("%(actor)s changed their password") % f,
        {},
    ),
    (
        "user.password_reset",
        gettext_lazy("Password reset"),
        lambda f: _("%(actor)s reset the password of %(object)s") % f,
        {},
    ),
    (
        "role.assign",
        gettext_lazy("Role granted"),
        lambda f: _role_text(f, "after"),
        {
            "region": Ref("regions.region_code", "after.region"),
            "institution": Ref("institutions.institution", "after.institution"),
        },
    ),
    (
        "role.revoke",
        gettext_lazy("Role revoked"),
        lambda f: _role_text(f, "before"),
        {
            "region": Ref("regions.region", "before.region"),
            "institution": Ref("institutions.institution", "before.institution"),
        },
    ),
    (
        "token.create",
        gettext_lazy("API token created"),
        lambda f: _("%(actor)s created the API token “%(object)s”") % f,
        {},
    ),
    (
        "token.revoke",
        gettext_lazy("API token revoked"),
        lambda f: _("%(actor)s revoked the API token “%(object)s”") % f,
        {},
    ),
    (
        "session.end",
        gettext_lazy("Session signed out"),
        lambda f: _("%(actor)s signed out a session of %(object)s") % f,
        {},
    ),
    ("session.end_oldest", gettext_lazy("Oldest sessions signed out"), _sessions_ended, {}),
    ("security.alert", gettext_lazy("Security alert"), _alert, {}),
    ("audit.archive", gettext_lazy("Audit events archived"), _archive, {}),
    ("bulk.insert", gettext_lazy("Rows loaded in bulk"), _batch, {}),
    ("audit.export", gettext_lazy("Audit log exported"), _export, {}),
    (
        "audit.verify",
        gettext_lazy("Audit chain verified"),
        lambda f: _("%(actor)s had the audit chain verified") % f,
        {},
    ),
]

describe_all(GROUP, EVENTS)
