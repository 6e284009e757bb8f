"""Beyond its own region an authority sees a person only where an exchange needs it.

Decision 0001 (minimum necessary, PIPL art. 6): 通州 (Beijing) does not read the staff of
三河 (Hebei) — until 李三河 is placed at its school; then its admins read her record, masked,
and the counts of its pages include her. Personal data stays with her own keepers.
"""

from __future__ import annotations

import pytest

from xietong.conftest import make_institution
from xietong.core.errors import NotFound
from xietong.exchanges import services
from xietong.exchanges.choices import ProgramStatus
from xietong.exchanges.tests.conftest import approve, program_data
from xietong.institutions import selectors as registry


def _visible(ex, username: str) -> set[str]:
    return {s.name for s in registry.staff_for(ex.actor(username))}


def _place(ex) -> int:
    teacher = ex.actor("teacher")
    app = services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk], submit=True)
    approve(ex, app.pk)
    services.assign_place(ex.actor("sanhe"), app.pk, ex.offer.slots.get().pk)
    return app.pk


def test_a_host_authority_does_not_read_a_teacher_from_another_province_before_the_exchange(ex):
    sanhe_t = ex.cast.sanhe_teacher
    assert sanhe_t.name not in _visible(ex, "tongzhou")
    with pytest.raises(NotFound):
        registry.staff_detail(ex.actor("tongzhou"), sanhe_t.pk)


def test_a_submitted_application_alone_does_not_show_the_applicant_to_the_host(ex):
    services.create_application(
        ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk], submit=True
    )
    assert ex.cast.sanhe_teacher.name not in _visible(ex, "tongzhou")


def test_the_host_authority_reads_the_teacher_placed_at_its_school_masked(ex):
    _place(ex)
    sanhe_t = ex.cast.sanhe_teacher
    tongzhou = ex.actor("tongzhou")
    assert sanhe_t.name in _visible(ex, "tongzhou")
    record = registry.staff_detail(tongzhou, sanhe_t.pk)
    assert record.owned is False
    assert "reveal" not in registry.access.actions(tongzhou, record)
    # The counts of its pages agree with what its lists show.
    assert registry.institution_counts(tongzhou)["staff"] == len(_visible(ex, "tongzhou"))
    assert registry.staff_total(tongzhou).n == len(_visible(ex, "tongzhou"))


def test_the_manager_of_a_program_reads_its_applicants_once_they_have_submitted(ex):
    beijing = ex.actor("beijing")
    bureau = make_institution("北京市教育委员会", "110000", kind="authority", stages="")
    program = services.create_program(beijing, program_data(bureau, region="110000"))
    services.set_program_status(beijing, program.pk, ProgramStatus.OPEN)
    offer = services.create_offer(
        ex.actor("tongzhou"),
        program.pk,
        host=ex.cast.tongzhou_school.pk,
        slots=[{"stage": "primary", "subject": "数学", "capacity": 1}],
    )
    sanhe_t = ex.cast.sanhe_teacher
    app = services.create_application(ex.actor("teacher"), program.pk, choices=[offer.pk])
    assert sanhe_t.name not in _visible(ex, "beijing")  # a draft is hers alone
    services.submit_application(ex.actor("teacher"), app.pk)
    assert sanhe_t.name in _visible(ex, "beijing")
    assert registry.staff_total(beijing).n == len(_visible(ex, "beijing"))
    # Other Hebei teachers stay out of sight.
    assert ex.cast.xiongan_teacher.name not in _visible(ex, "beijing")
