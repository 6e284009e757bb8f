"""Bad input when applying: a specific message each time, and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xietong.conftest import make_staff
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied
from xietong.exchanges import services
from xietong.exchanges.choices import AppStatus
from xietong.exchanges.models import Application, HostOffer, OfferSlot, Program
from xietong.exchanges.tests.conftest import approve, program_data


def _second_offer(ex, capacity=1, stage="primary", subject="数学"):
    return services.create_offer(
        ex.actor("tongzhou"),
        ex.program.pk,
        host=ex.cast.tongzhou_school.pk,
        slots=[{"stage": stage, "subject": subject, "capacity": capacity}],
    )


def test_it_refuses_outside_the_application_window(ex):
    Program.objects.filter(pk=ex.program.pk).update(
        closes_at=timezone.now() - dt.timedelta(hours=1),
        opens_at=timezone.now() - dt.timedelta(days=3),
    )
    with pytest.raises(InvalidInput, match="accepted from"):
        services.create_application(ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk])
    assert not Application.objects.exists()


def test_it_names_each_failed_eligibility_rule(ex):
    sanhe = ex.actor("sanhe")
    services.update_program(
        sanhe,
        ex.program.pk,
        {"elig_titles": ["senior"], "min_years": 20, "max_age": 30, "elig_subjects": ["英语"]},
    )
    with pytest.raises(InvalidInput) as e:
        services.create_application(ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk])
    rules = e.value.fields["eligibility"]
    assert len(rules) == 4
    assert any("title" in r for r in rules) and any("Years" in r for r in rules)
    assert any("Age" in r for r in rules) and any("Subject" in r for r in rules)
    assert not Application.objects.exists()


def test_it_refuses_teachers_outside_the_sending_area(ex):
    xavier = make_staff("孙雄安", ex.cast.xiongxian_school, 9)
    problems = services.eligibility_problems(ex.program, xavier)
    assert problems == ["Your institution is outside the program's sending area."]
    assert services.eligibility_problems(ex.program, ex.cast.sanhe_teacher) == []


def test_it_refuses_a_second_application_to_the_same_program(ex):
    teacher = ex.actor("teacher")
    services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk])
    with pytest.raises(Conflict, match="already applied"):
        services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk])
    assert Application.objects.count() == 1


def test_it_refuses_a_full_offer(ex):
    OfferSlot.objects.filter(offer=ex.offer).update(taken=2)
    with pytest.raises(InvalidInput, match="is full"):
        services.create_application(ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk])


def test_it_refuses_more_choices_than_allowed(ex):
    o2, o3 = _second_offer(ex), _second_offer(ex, subject="语文")
    with pytest.raises(InvalidInput, match="At most 2"):
        services.create_application(
            ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk, o2.pk, o3.pk]
        )


def test_it_refuses_a_repeated_choice(ex):
    with pytest.raises(InvalidInput, match="twice"):
        services.create_application(
            ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk, ex.offer.pk]
        )


def test_it_refuses_a_choice_outside_the_program(ex):
    other = services.create_program(ex.actor("sanhe"), program_data(ex.sanhe_bureau, title="另一"))
    foreign = HostOffer.objects.create(program=other, host=ex.cast.tongzhou_school)
    OfferSlot.objects.create(offer=foreign, stage="primary", subject="数学", capacity=1)
    with pytest.raises(InvalidInput, match="not part of this program"):
        services.create_application(ex.actor("teacher"), ex.program.pk, choices=[foreign.pk])
    with pytest.raises(InvalidInput, match="not part of this program"):
        services.create_application(ex.actor("teacher"), ex.program.pk, choices=[999999])


def test_it_lets_an_admin_apply_on_behalf_but_not_for_strangers(ex):
    app = services.create_application(
        ex.actor("school_admin"),
        ex.program.pk,
        choices=[ex.offer.pk],
        applicant=ex.cast.sanhe_teacher.pk,
    )
    assert app.created_by == ex.cast.users["school_admin"]
    with pytest.raises(PermissionDenied):
        services.create_application(
            ex.actor("school_admin"),
            ex.program.pk,
            choices=[ex.offer.pk],
            applicant=ex.cast.beijing_teacher.pk,
        )


def test_it_refuses_an_offer_outside_the_host_scope_or_by_an_outsider(ex):
    with pytest.raises(InvalidInput, match="host scope"):
        services.create_offer(
            ex.actor("sanhe"),
            ex.program.pk,
            host=ex.cast.sanhe_school.pk,
            slots=[{"stage": "primary", "subject": "数学", "capacity": 1}],
        )
    with pytest.raises(PermissionDenied):
        services.create_offer(
            ex.actor("sanhe"),
            ex.program.pk,
            host=ex.cast.tongzhou_school.pk,
            slots=[{"stage": "primary", "subject": "数学", "capacity": 1}],
        )


def test_it_lets_only_authorities_over_the_program_manage_it(ex):
    for outsider in ("tongzhou", "school_admin", "teacher", "hebei_viewer"):
        with pytest.raises(PermissionDenied):
            services.update_program(ex.actor(outsider), ex.program.pk, {"title": "x"})
    services.update_program(ex.actor("sanhe"), ex.program.pk, {"title": "新标题"})


def test_it_validates_a_program_with_specific_messages(ex):
    with pytest.raises(InvalidInput) as e:
        services.create_program(
            ex.actor("sanhe"),
            program_data(ex.sanhe_bureau, school_term="2024-2026-1", ends_on=dt.date(2024, 1, 1)),
        )
    assert set(e.value.fields) == {"school_term", "ends_on"}
    with pytest.raises(InvalidInput, match="authority"):
        services.create_program(ex.actor("sanhe"), program_data(ex.cast.sanhe_school))


def test_it_repeats_a_program_for_the_next_term_with_its_offers(ex):
    copy = services.repeat_program(ex.actor("sanhe"), ex.program.pk)
    assert (copy.school_year, copy.term, copy.status) == ("2024-2025", 2, "draft")
    # Moved in whole weeks into the next term: Monday 2 September 2024 → Monday 24 February.
    assert copy.starts_on == dt.date(2025, 2, 24)
    assert copy.ends_on - copy.starts_on == ex.program.ends_on - ex.program.starts_on
    assert copy.areas.count() == ex.program.areas.count()
    assert OfferSlot.objects.filter(offer__program=copy, taken=0, capacity=2).count() == 1
    again = services.repeat_program(ex.actor("sanhe"), copy.pk)
    assert (again.school_year, again.term) == ("2025-2026", 1)
    assert again.starts_on.isoweekday() == 1 and again.starts_on >= dt.date(2025, 9, 1)
    with pytest.raises(Conflict):
        services.repeat_program(ex.actor("sanhe"), ex.program.pk)


def test_it_refuses_approval_beyond_the_programs_quota(ex):
    Program.objects.filter(pk=ex.program.pk).update(quota=1)
    admin = ex.actor("school_admin")
    apps = [
        services.create_application(
            admin,
            ex.program.pk,
            choices=[ex.offer.pk],
            applicant=make_staff(f"限额{i}", ex.cast.sanhe_school, 60 + i).pk,
            submit=True,
        )
        for i in range(2)
    ]
    approve(ex, apps[0].pk)
    with pytest.raises(Conflict, match="quota of 1"):
        approve(ex, apps[1].pk)
    assert Application.objects.get(pk=apps[1].pk).status == AppStatus.RECOMMENDED
