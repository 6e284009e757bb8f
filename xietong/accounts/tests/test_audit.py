"""The audit log: one event per write, a hash chain that exposes any change, and triggers.

Every service that writes leaves exactly one event naming its actor, action and object with
the state before and/or after; ``audit.verify()`` (and ``xietong audit verify``) recompute
the chain; the database itself refuses UPDATE and DELETE on the log.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from xietong.accounts import audit
from xietong.accounts import services as accounts
from xietong.accounts.models import ApiToken, AuditEvent, RoleAssignment, User
from xietong.conftest import PASSWORD, make_id_number
from xietong.institutions import selectors, services
from xietong.institutions.models import Institution, Lab

# --- one event per write ------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    name: str
    actor: str | None  # the username recorded as actor (None: the system, e.g. a failed sign-in)
    action: str
    shape: str  # which of before/after the event carries: "after", "both", "before", "none"
    run: Callable[[Any, Any], Any]  # (cast, prepared) -> None
    prepare: Callable[[Any], Any] = lambda cast: None

    def __str__(self) -> str:
        return self.name


def _empty_institution(cast: Any) -> Institution:
    return Institution.objects.create(
        name="Empty",
        kind="primary",
        region=cast.sanhe_school.region,
        region_path=cast.sanhe_school.region_path,
    )


def _token(cast: Any) -> ApiToken:
    return ApiToken.objects.create(user=cast.users["sanhe"], name="t", prefix="xt_x", digest="d")


def _fail_sign_in() -> None:
    with pytest.raises(accounts.SignInRefused):
        accounts.authenticate("sanhe", "wrong password")


NEW_STAFF = {
    "name": "新教师",
    "id_number": make_id_number("131082", dt.date(1990, 5, 5), 99),
    "institution": None,
    "joined_on": dt.date(2020, 9, 1),
}

WRITES = [
    Write(
        "create_institution",
        "sanhe",
        "institution.create",
        "after",
        lambda c, p: services.create_institution(
            c.actor("sanhe"), {"name": "New", "kind": "primary", "region": "131082"}
        ),
    ),
    Write(
        "update_institution",
        "sanhe",
        "institution.update",
        "both",
        lambda c, p: services.update_institution(
            c.actor("sanhe"), c.sanhe_school.pk, {"address": "燕郊"}
        ),
    ),
    Write(
        "delete_institution",
        "sanhe",
        "institution.delete",
        "before",
        lambda c, p: services.delete_institution(c.actor("sanhe"), p.pk),
        _empty_institution,
    ),
    Write(
        "add_lab",
        "school_admin",
        "lab.create",
        "after",
        lambda c, p: services.add_lab(c.actor("school_admin"), c.sanhe_school.pk, {"name": "L"}),
    ),
    Write(
        "remove_lab",
        "school_admin",
        "lab.delete",
        "before",
        lambda c, p: services.remove_lab(c.actor("school_admin"), p.pk),
        lambda c: Lab.objects.create(institution=c.sanhe_school, name="L"),
    ),
    Write(
        "create_staff",
        "school_admin",
        "staff.create",
        "after",
        lambda c, p: services.create_staff(
            c.actor("school_admin"), {**NEW_STAFF, "institution": c.sanhe_branch.pk}
        ),
    ),
    Write(
        "update_staff",
        "tongzhou",
        "staff.update",
        "both",
        lambda c, p: services.update_staff(
            c.actor("tongzhou"), c.beijing_teacher.pk, {"title": "professor"}
        ),
    ),
    Write(
        "delete_staff",
        "tongzhou",
        "staff.delete",
        "before",
        lambda c, p: services.delete_staff(c.actor("tongzhou"), c.beijing_teacher.pk),
    ),
    Write(
        "reveal_personal_data",
        "teacher",
        "personal_data.read",
        "none",
        lambda c, p: selectors.reveal_personal_data(c.actor("teacher"), c.sanhe_teacher.pk),
    ),
    Write(
        "create_user",
        "secadmin",
        "user.create",
        "after",
        lambda c, p: accounts.create_user(
            c.actor("secadmin"), username="li", display_name="李", password=PASSWORD
        ),
    ),
    Write(
        "deactivate_user",
        "secadmin",
        "user.deactivate",
        "none",
        lambda c, p: accounts.set_active(c.actor("secadmin"), c.users["nobody"].pk, False),
    ),
    Write(
        "unlock_user",
        "secadmin",
        "user.unlock",
        "none",
        lambda c, p: accounts.unlock_user(c.actor("secadmin"), c.users["nobody"].pk),
    ),
    Write(
        "assign_role",
        "secadmin",
        "role.assign",
        "after",
        lambda c, p: accounts.assign_role(
            c.actor("secadmin"), c.users["nobody"].pk, "authority_viewer", region_code="120000"
        ),
    ),
    Write(
        "revoke_role",
        "secadmin",
        "role.revoke",
        "before",
        lambda c, p: accounts.revoke_role(c.actor("secadmin"), p.pk),
        lambda c: RoleAssignment.objects.get(user=c.users["hebei_viewer"]),
    ),
    Write(
        "link_staff",
        "secadmin",
        "user.link_staff",
        "after",
        lambda c, p: accounts.link_staff(
            c.actor("secadmin"), c.users["nobody"].pk, c.xiongan_teacher.pk
        ),
    ),
    Write(
        "change_password",
        "teacher",
        "user.password_change",
        "none",
        lambda c, p: accounts.change_password(c.actor("teacher"), PASSWORD, "Another-pass-77"),
    ),
    Write(
        "create_token",
        "sanhe",
        "token.create",
        "none",
        lambda c, p: accounts.create_token(c.actor("sanhe"), "laptop"),
    ),
    Write(
        "revoke_token",
        "sanhe",
        "token.revoke",
        "none",
        lambda c, p: accounts.revoke_token(c.actor("sanhe"), p.pk),
        _token,
    ),
    Write(
        "sign_in",
        "sanhe",
        "auth.sign_in",
        "none",
        lambda c, p: accounts.authenticate("sanhe", PASSWORD),
    ),
    Write(
        "failed_sign_in",
        None,
        "auth.failed",
        "none",
        lambda c, p: _fail_sign_in(),
    ),
]


@pytest.mark.parametrize("write", WRITES, ids=str)
def test_it_records_exactly_one_event_per_write(cast, write):
    prepared = write.prepare(cast)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    write.run(cast, prepared)
    new = list(AuditEvent.objects.filter(id__gt=last))
    assert len(new) == 1, [e.action for e in new]
    event = new[0]
    assert event.action == write.action
    expected_actor = cast.users[write.actor] if write.actor else None
    assert event.actor_id == (expected_actor.pk if expected_actor else None)
    assert event.actor_name == (str(expected_actor) if expected_actor else "")
    assert event.object_type and event.object_id and event.object_label
    has = (event.before is not None, event.after is not None)
    assert (
        has
        == {
            "after": (False, True),
            "both": (True, True),
            "before": (True, False),
            "none": (False, False),
        }[write.shape]
    ), (event.before, event.after)
    if write.shape == "both":
        assert event.before.keys() == event.after.keys() and event.before != event.after
    assert audit.verify().ok


def test_it_records_nothing_when_a_write_is_refused(cast):
    with pytest.raises(services.PermissionDenied):
        services.update_institution(cast.actor("sanhe"), cast.tongzhou_school.pk, {"address": "x"})
    with pytest.raises(services.InvalidInput):
        services.update_institution(cast.actor("sanhe"), cast.sanhe_school.pk, {"kind": "castle"})
    assert not AuditEvent.objects.exists()


# --- the chain ------------------------------------------------------------------------------


def make_events(cast: Any, n: int = 5) -> list[AuditEvent]:
    actor = cast.actor("sanhe")
    for i in range(n):
        audit.record(
            actor,
            "test.event",
            object_type="test",
            object_id=i,
            label=f"event {i}",
            after={"i": i, "名": "值"},
        )
    return list(AuditEvent.objects.order_by("id"))


def allow_tampering() -> None:
    """Lift the append-only triggers inside the test's transaction (rolled back after it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE accounts_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_no_update")
            cursor.execute("DROP TRIGGER audit_no_delete")


def test_it_links_each_event_to_the_previous_one(cast):
    events = make_events(cast)
    assert events[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert audit.verify() == audit.VerifyResult(ok=True, checked=5, problems=[])


def test_it_detects_a_changed_event(cast):
    events = make_events(cast)
    allow_tampering()
    AuditEvent.objects.filter(pk=events[2].pk).update(actor_name="someone else")
    result = audit.verify()
    assert not result.ok
    assert result.problems == [f"event {events[2].pk}: content does not match its hash"]


def test_it_detects_changed_json_content(cast):
    events = make_events(cast)
    allow_tampering()
    AuditEvent.objects.filter(pk=events[1].pk).update(after={"i": 99, "名": "值"})
    assert audit.verify().problems == [f"event {events[1].pk}: content does not match its hash"]


def test_it_detects_a_changed_event_whose_hash_was_recomputed(cast):
    events = make_events(cast)
    allow_tampering()
    forged = events[2]
    forged.action = "test.forged"
    forged.hash = audit._digest(forged)
    AuditEvent.objects.filter(pk=forged.pk).update(action=forged.action, hash=forged.hash)
    assert audit.verify().problems == [
        f"event {events[3].pk}: link to the previous event is broken"
    ]


def test_it_detects_a_deleted_event(cast):
    events = make_events(cast)
    allow_tampering()
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    result = audit.verify()
    assert (result.ok, result.checked) == (False, 4)
    assert result.problems == [f"event {events[2].pk}: link to the previous event is broken"]


def test_it_detects_deleted_events_at_the_end(cast):
    events = make_events(cast)
    allow_tampering()
    AuditEvent.objects.filter(pk__in=[events[3].pk, events[4].pk]).delete()
    result = audit.verify()
    assert not result.ok
    assert result.problems == [
        "the chain ends at 3 events but 5 were written: events at the end were removed"
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_auditevent SET action = 'changed'",
        "DELETE FROM accounts_auditevent",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_the_audit_log(cast, statement):
    make_events(cast, 2)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.filter(action="test.event").count() == 2
    assert audit.verify().ok


def test_the_database_refuses_to_change_an_event_through_the_orm(cast):
    event = make_events(cast, 1)[0]
    event.action = "changed"
    with pytest.raises(DatabaseError), transaction.atomic():
        event.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == "test.event"


# --- xietong audit verify ------------------------------------------------------------------


def run_command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_reports_an_intact_chain(cast):
    make_events(cast, 3)
    out, err = run_command("audit", "verify")
    assert out.strip() == "OK: 3 events verified"
    assert err == ""


def test_the_command_reports_an_empty_log_as_intact(db):
    assert run_command("audit", "verify")[0].strip() == "OK: 0 events verified"


def test_the_command_fails_with_exit_code_1_listing_the_problems(cast):
    events = make_events(cast, 3)
    allow_tampering()
    AuditEvent.objects.filter(pk=events[0].pk).update(object_label="rewritten")
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert failed.value.returncode == 1
    assert "1 problem" in str(failed.value)
    assert f"event {events[0].pk}: content does not match its hash" in err.getvalue()


def test_the_command_exits_with_status_1_from_the_command_line(cast, monkeypatch, capsys):
    from xietong.accounts.management.commands.audit import Command

    events = make_events(cast, 2)
    allow_tampering()
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    # run_from_argv closes the connections when done; the test's transaction needs it open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["xietong", "audit", "verify"])
    assert exited.value.code == 1
    assert "events at the end were removed" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "mentions"),
    [(("audit", "frobnicate"), ("frobnicate", "verify")), (("audit",), ("required",))],
)
def test_the_command_refuses_an_unknown_or_missing_subcommand_clearly(db, args, mentions):
    with pytest.raises(CommandError) as refused:
        run_command(*args)
    for mention in mentions:
        assert mention in str(refused.value)


def test_the_users_in_the_log_keep_their_names_after_deletion(cast):
    # The actor's name is part of the hashed content, so removing the account later
    # leaves the chain intact and the event readable.
    user = User.objects.create_user("temp", password=PASSWORD, display_name="临时")
    from xietong.accounts.access import actor_for

    audit.record(actor_for(user), "test.event", object_type="test", object_id=1)
    user.delete()
    assert AuditEvent.objects.get().actor_name == "临时"
    assert audit.verify().ok
