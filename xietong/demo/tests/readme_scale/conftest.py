"""The README's demo (``xietong demo`` at its default scale), loaded once for every module
of this package and rolled back after its last test: each test runs in a savepoint
inside that transaction, so what one test changes the next does not see."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="package")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", "--scale", "0.02", stdout=StringIO(), stderr=StringIO())
        yield
        transaction.set_rollback(True)
