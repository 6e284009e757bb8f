from xietong.institutions.selectors import institutions_for, staff_for


def test_it_gives_the_sanhe_authority_its_own_school_to_edit(cast):
    sanhe = cast.actor("sanhe")
    mine = institutions_for(sanhe).filter(can_edit=True)
    assert list(mine) == [cast.sanhe_school]
    owned = staff_for(sanhe).filter(owned=True)
    assert list(owned) == [cast.sanhe_teacher]
