"""The checks of a staff record's values that need no database: used by the services on
every write and by the importer on every row (so a roster row is refused for exactly the
reasons a form is)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.institutions.validators import validate_id_number, validate_phone

# The Labour Law (art. 15) forbids employing anyone under 16.
MIN_WORKING_AGE = 16


def personal_data_errors(clear: Mapping[str, str]) -> dict[str, list[str]]:
    """The errors of the ID number and phone given (normalised), by field."""
    errors: dict[str, list[str]] = {}
    checks = (("id_number", validate_id_number), ("phone", validate_phone))
    for name, validate in checks:
        if name not in clear:
            continue
        if not clear[name]:
            if name == "id_number":
                errors[name] = [_("This field is required.")]
            continue
        try:
            validate(clear[name])
        except ValidationError as e:
            errors[name] = [str(m) for m in e.messages]
    return errors


def birthday(born: dt.date, age: int) -> dt.date:
    """The day ``born`` turns ``age`` (a 29 February birthday falls on 1 March)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return dt.date(born.year + age, 3, 1)


def joined_on_errors(
    joined_on: object, birth_date: object, today: dt.date | None = None
) -> list[str]:
    """A start at the institution must lie in the past, after the person turned 16
    (``today`` defaults to the platform's date; the importer gives it once per file)."""
    if isinstance(joined_on, dt.date) and joined_on > (today or timezone.localdate()):
        return [_("This date lies in the future.")]
    if isinstance(joined_on, dt.date) and isinstance(birth_date, dt.date):
        sixteen = birthday(birth_date, MIN_WORKING_AGE)
        if joined_on < sixteen:
            return [
                _("This date is before the person turned %(age)d (on %(date)s).")
                % {"age": MIN_WORKING_AGE, "date": sixteen.isoformat()}
            ]
    return []


def derived_errors(
    birth_date: object, gender: str, derived: tuple[dt.date, str]
) -> dict[str, list[str]]:
    """Birth date and gender given beside an ID number must say what the number says."""
    derived_birth, derived_gender = derived
    errors: dict[str, list[str]] = {}
    if isinstance(birth_date, dt.date) and birth_date != derived_birth:
        errors["birth_date"] = [_("The birth date does not match the ID number.")]
    if gender and gender != derived_gender:
        errors["gender"] = [_("The gender does not match the ID number.")]
    return errors
