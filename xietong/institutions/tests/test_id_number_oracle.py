"""A duplicate ID number tells an outsider nothing: refused without saying where, audited,
rate-limited, and the security admin alerted — so a masked number cannot be recovered by
trying its candidates through "register a staff member"."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import translation

from xietong.accounts import alerts
from xietong.accounts.models import AuditEvent
from xietong.conftest import id_number_of, make_id_number
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.institutions import services
from xietong.institutions.models import Staff

ELSEWHERE = "This ID number cannot be registered here."


def registration(cast, id_number: str) -> dict:
    return {
        "name": "张新",
        "id_number": id_number,
        "institution": cast.tongzhou_school.pk,
        "position": "teacher",
        "joined_on": "2020-09-01",
    }


def refusal(cast, actor: str, id_number: str) -> Exception:
    with translation.override("en"), pytest.raises((InvalidInput, PermissionDenied)) as err:
        services.create_staff(cast.actor(actor), registration(cast, id_number))
    return err.value


def test_an_outsider_gets_a_refusal_that_does_not_say_where_and_it_is_audited(cast):
    # 三河市's teacher, registered by the 通州区 authority into its own school.
    err = refusal(cast, "tongzhou", id_number_of(cast.sanhe_teacher))
    [message] = err.fields["id_number"]
    assert message.startswith(ELSEWHERE)
    assert "Sanhe" not in message and "李三河" not in message
    assert not Staff.objects.filter(name="张新").exists()
    [event] = AuditEvent.objects.filter(action=services.DUPLICATE_REFUSED)
    assert event.actor_id == cast.users["tongzhou"].pk
    assert id_number_of(cast.sanhe_teacher) not in str(event.detail) + str(event.after)


def test_it_alerts_at_the_limit_and_then_pauses_every_id_number_of_the_actor(cast, settings):
    settings.XIETONG_DUPLICATE_ID_LIMIT = 3
    taken = [id_number_of(cast.sanhe_teacher), id_number_of(cast.xiongan_teacher)]
    for id_number in [*taken, id_number_of(cast.branch_teacher)]:
        assert isinstance(refusal(cast, "tongzhou", id_number), InvalidInput)
    [alert] = alerts.recent_alerts(cast.actor("secadmin"))
    assert alert.actor_id == cast.users["tongzhou"].pk
    assert alert.detail["kind"] == "duplicate_id_numbers"
    # Paused now, even for a number nobody has: the oracle answers nothing more.
    fresh = make_id_number("110112", cast.sanhe_teacher.birth_date, 77)
    paused = refusal(cast, "tongzhou", fresh)
    assert isinstance(paused, PermissionDenied)
    assert "paused" in str(paused.message)
    assert not Staff.objects.filter(name="张新").exists()
    assert alerts.recent_alerts(cast.actor("secadmin")).count() == 1
    # Others are not paused.
    cast.tongzhou_school.refresh_from_db()
    staff = services.create_staff(
        cast.actor("beijing"),
        registration(cast, make_id_number("110112", cast.sanhe_teacher.birth_date, 78)),
    )
    assert staff.pk


@override_settings(XIETONG_DUPLICATE_ID_LIMIT=5)
def test_the_oracle_script_gets_nothing_but_refusals_and_an_alert(cast):
    """Candidates for the masked number of 三河市's teacher, tried through create.

    Every candidate is one the mask leaves open; the ones that exist are refused without
    saying where, and after the limit every further try is refused alike.
    """
    target = cast.sanhe_teacher
    candidates = [id_number_of(target)] * 4 + [id_number_of(cast.branch_teacher)]
    answers = [refusal(cast, "tongzhou", c) for c in candidates]
    assert all(
        "registered here" in " ".join(getattr(a, "fields", {}).get("id_number", []))
        for a in answers
    )
    fresh = make_id_number("110112", target.birth_date, 91)
    assert isinstance(refusal(cast, "tongzhou", fresh), PermissionDenied)
    assert alerts.recent_alerts(cast.actor("secadmin")).count() == 1


def test_a_teacher_editing_an_id_number_meets_the_same_rule(cast):
    # The admin of Sanhe Experimental changes its own teacher's number (and gender) to
    # the Beijing teacher's: refused without saying where.
    with translation.override("en"), pytest.raises(InvalidInput) as err:
        services.update_staff(
            cast.actor("school_admin"),
            cast.sanhe_teacher.pk,
            {"id_number": id_number_of(cast.beijing_teacher), "gender": "M"},
        )
    assert err.value.fields["id_number"][0].startswith(ELSEWHERE)
    cast.sanhe_teacher.refresh_from_db()
    assert id_number_of(cast.sanhe_teacher) != id_number_of(cast.beijing_teacher)
    assert AuditEvent.objects.filter(action=services.DUPLICATE_REFUSED).count() == 1


def test_only_the_security_admin_reads_the_alerts(cast):
    with pytest.raises(PermissionDenied):
        alerts.recent_alerts(cast.actor("auditor"))


def test_it_stops_registering_one_by_one_past_the_hourly_limit(cast, settings):
    settings.XIETONG_STAFF_CREATES_PER_HOUR = 2
    birth = cast.sanhe_teacher.birth_date
    for serial in (60, 61):
        services.create_staff(
            cast.actor("tongzhou"), registration(cast, make_id_number("110112", birth, serial))
        )
    err = refusal(cast, "tongzhou", make_id_number("110112", birth, 62))
    assert isinstance(err, PermissionDenied) and "import" in str(err.message)
    assert Staff.objects.filter(name="张新").count() == 2


def test_the_security_admin_sees_the_alert_on_the_accounts_page(cast, settings, client):
    settings.XIETONG_DUPLICATE_ID_LIMIT = 1
    refusal(cast, "tongzhou", id_number_of(cast.sanhe_teacher))
    client.force_login(cast.users["secadmin"])
    html = client.get("/accounts/users/").content.decode()
    assert 'data-testid="security-alerts"' in html and "已暂停" in html
