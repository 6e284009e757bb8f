"""Audit events in words: rendered when read, in the reader's language, naming objects
(looked up in bulk, a bounded number of queries) — one sentence per action, a neutral
sentence for an action nobody describes, and every action the platform records described."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

from xietong.access.rules import _policies
from xietong.accounts import audit, audit_reading
from xietong.accounts import services as accounts
from xietong.accounts.models import AuditEvent
from xietong.exchanges import services as exchanges
from xietong.exchanges.tests.conftest import approve, ex  # noqa: F401 — the exchanges fixture
from xietong.institutions import selectors as registry
from xietong.institutions import services as institutions

ROOT = Path(__file__).resolve().parents[2]


def _read(*actions: str) -> list[AuditEvent]:
    events = list(AuditEvent.objects.filter(action__in=actions).order_by("id"))
    return list(audit_reading.render(events))


def _approved(ex):  # noqa: F811
    app = exchanges.create_application(
        ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk], submit=True
    )
    approve(ex, app.pk)
    return app


def test_it_says_who_approved_whose_application_to_which_program_in_either_language(
    ex,  # noqa: F811
):
    _approved(ex)
    with translation.override("en"):
        (event,) = _read("exchanges.application.approved")
        assert event.text == "sanhe approved 李三河's application to 三河—副中心跟岗研修"
        assert event.action_label == "Application approved"
        assert event.type_label == "exchange application"
    with translation.override("zh-hans"):
        (event,) = _read("exchanges.application.approved")
        assert event.text == "sanhe 批准了 李三河 对“三河—副中心跟岗研修”的申请"
        assert event.action_label == "批准申请"


def test_it_names_the_objects_an_event_refers_to_by_id(ex):  # noqa: F811
    with translation.override("en"):
        (offer,) = _read("exchanges.offer.create")
        assert offer.text == "tongzhou offered 2 places at Tongzhou No. 1 in 三河—副中心跟岗研修"
        accounts.assign_role(
            ex.actor("secadmin"),
            ex.cast.users["nobody"].pk,
            "authority_viewer",
            region_code="131082",
        )
        (granted,) = _read("role.assign")
        assert granted.text == "secadmin granted nobody the role “Authority viewer” over 三河市"


def test_it_lists_the_fields_an_update_changed_by_their_names(cast):
    institutions.update_institution(
        cast.actor("sanhe"),
        cast.sanhe_school.pk,
        {"address": "燕郊", "name_en": "Sanhe Experimental School"},
    )
    with translation.override("en"):
        (event,) = _read("institution.update")
    assert event.text == "sanhe changed English name, address of Sanhe Experimental"
    with translation.override("zh-hans"):
        (event,) = _read("institution.update")
    assert event.text == "sanhe 修改了 Sanhe Experimental 的英文名称、地址"


def test_it_keeps_the_label_of_an_object_deleted_since(cast):
    registry.reveal_personal_data(cast.actor("sanhe"), cast.sanhe_teacher.pk)
    event = AuditEvent.objects.get(action="personal_data.read")
    event.object_id = "999999"  # as if the record had been removed since
    with translation.override("en"):
        audit_reading.render([event])
    assert event.text == "sanhe revealed the ID number, phone and birth date of 李三河"
    assert event.object_name == "李三河"


def test_it_writes_an_action_nobody_describes_as_a_neutral_sentence_with_its_code(cast):
    audit.record(cast.actor("sanhe"), "plugin.frobnicate", target=cast.sanhe_school)
    audit.record(None, "plugin.tick")
    with translation.override("en"):
        frob, tick = _read("plugin.frobnicate", "plugin.tick")
    assert frob.text == "sanhe: plugin.frobnicate on institution Sanhe Experimental"
    assert tick.text == "the system: plugin.tick"
    assert frob.action_label == "plugin.frobnicate"


def test_it_falls_back_to_the_neutral_sentence_when_a_stored_event_does_not_fit(cast):
    audit.record(cast.actor("secadmin"), "role.assign", target=cast.users["nobody"], after="odd")
    with translation.override("en"):
        (event,) = _read("role.assign")
    assert "nobody" in event.text and "—" in event.text  # a gap, not an error


def test_it_names_a_page_of_events_with_one_query_per_object_type(
    ex,  # noqa: F811
    django_assert_max_num_queries,
):
    for _i in range(3):
        app = _approved(ex)
        exchanges.withdraw_application(ex.actor("teacher"), app.pk)
    events = list(AuditEvent.objects.order_by("id"))
    types = {e.object_type for e in events if e.object_type} | {
        r.model
        for e in events
        if (spec := audit_reading.described(e.action))
        for r in spec.refs.values()
    }
    with django_assert_max_num_queries(len(types)):
        audit_reading.render(events)
    few = events[:5]
    with django_assert_max_num_queries(len(types)):
        audit_reading.render(few)


def _recorded_actions() -> set[str]:
    """Every action code written as a literal where the platform records an event."""
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if {"tests", "migrations", "api_tests", "tests_browser"} & set(path.parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            t.id: n.value.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
            for t in n.targets
            if isinstance(t, ast.Name) and isinstance(n.value.value, str)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "record"):
                continue
            if len(node.args) >= 2:
                arg = node.args[1]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
                elif isinstance(arg, ast.Name) and arg.id in constants:
                    found.add(constants[arg.id])
                elif isinstance(arg, ast.IfExp):  # "user.activate" if active else …
                    found |= {
                        a.value for a in (arg.body, arg.orelse) if isinstance(a, ast.Constant)
                    }
    return found


def _transition_actions() -> set[str]:
    found = set()
    for policy in _policies.values():
        if not policy.audit_prefix:
            continue
        for rule in policy.rules:
            if rule.to is not None:
                found.add(
                    f"{policy.audit_prefix}.{rule.to if policy.event_by_state else rule.verb}"
                )
        for targets in policy.system_moves.values():
            if policy.event_by_state:
                found |= {f"{policy.audit_prefix}.{t}" for t in targets}
    return found


def test_it_describes_every_action_the_platform_records():
    recorded = _recorded_actions() | _transition_actions()
    recorded |= {"audit.export", "exchanges.coverage.export", "jobs.result_download"}
    assert {"auth.sign_in", "exchanges.application.approved", "security.alert"} <= recorded
    assert not sorted(a for a in recorded if audit_reading.described(a) is None)


def test_it_offers_the_known_actions_and_object_types_as_filter_choices():
    with translation.override("en"):
        groups = {str(g): items for g, items in audit_reading.action_choices()}
        types = dict(audit_reading.object_type_choices())
    assert (
        "exchanges.application.approved",
        "Application approved · exchanges.application.approved",
    ) in groups["Exchanges"]
    assert types["institutions.staff"] == "staff member"
    assert "regions.region_code" not in types  # a lookup only


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_it_renders_the_security_alerts_of_the_security_admins_page_in_words(
    client, cast, lang, settings
):
    from xietong.accounts import alerts

    alerts.raise_alert(cast.actor("sanhe"), "duplicate_id_numbers", {"attempts": 5})
    client.force_login(cast.users["secadmin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    page = client.get("/accounts/users/").content.decode()
    expected = {
        "en": "sanhe entered 5 ID numbers registered elsewhere within a day",
        "zh-hans": "sanhe 在一天内",
    }[lang]
    assert expected in page
