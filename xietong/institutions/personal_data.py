"""Staff ID numbers and phones at rest: sealed (SM4-GCM), found by a blind index (HMAC-SM3).

A staff row keeps, for each of the two, the sealed value and the masked form
(:mod:`xietong.core.masking`, computed when the value is written), and for the ID number a
blind index whose unique constraint finds duplicates; ``key_version`` is the version of
the personal-data keyring (:data:`xietong.core.sealing.PERSONAL`) all three were made
under. Lists, details, forms, the API and audit snapshots show the stored masks: they
never open a sealed value.

:func:`unsealed` is the one function that opens one. Its callers: the audited reveal
(``selectors.reveal_personal_data``), which shows the values to someone; and, inside this
module, the comparison that tells whether a phone changed (:func:`holds_phone`) and the
key rotation (:func:`rotate`), which let nothing out. ``test_sealed_at_rest`` holds that
list.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.core import bulk, crypto, keys, sealing
from xietong.core.errors import ServiceError
from xietong.core.masking import mask_id_number, mask_phone
from xietong.institutions.models import Staff

ID_FIELD = "staff.id_number"  # what each sealed value is bound to (authenticated with it)
PHONE_FIELD = "staff.phone"
SEALED_COLUMNS = (
    "id_number_sealed",
    "id_number_index",
    "masked_id_number",
    "phone_sealed",
    "masked_phone",
    "key_version",
)
ROTATED_COLUMNS = ("id_number_sealed", "id_number_index", "phone_sealed", "key_version")
ROTATE_ACTION = "personal_data.rotate"


def keyring() -> sealing.Keyring:
    return sealing.PERSONAL


class Unreadable(ServiceError):
    """A sealed value does not open with the configured keys (the start-up check failed
    or a key was changed since): said plainly, never a server error."""

    code = "personal_data_unreadable"
    status = 503

    def default_message(self) -> object:
        return _(
            "The personal data of this record cannot be read with the keys configured; "
            "the system administrator must restore the personal-data key."
        )


# --- writing ---------------------------------------------------------------------------


def sealed_columns(
    id_number: str, phone: str = "", *, version: int | None = None
) -> tuple[object, ...]:
    """The values of :data:`SEALED_COLUMNS` for a (normalised) ID number and a phone.

    Bulk writers (the demo loader, benchmarks) put these in the row; the services use
    :func:`seal`.
    """
    ring = keyring()
    v = version or ring.current_version()
    return (
        ring.seal(id_number, ID_FIELD, version=v),
        ring.index(id_number, version=v),
        mask_id_number(id_number),
        ring.seal(phone, PHONE_FIELD, version=v) if phone else None,
        mask_phone(phone),
        v,
    )


def sealed_fields(id_number: str, phone: str = "") -> dict[str, object]:
    """:func:`sealed_columns` as keyword arguments of ``Staff(...)``."""
    return dict(zip(SEALED_COLUMNS, sealed_columns(id_number, phone), strict=True))


def seal(staff: Staff, *, id_number: str | None = None, phone: str | None = None) -> None:
    """Put new values into ``staff`` (not saved); what is not given stays as it is.

    A new row is sealed under the current key version; a stored row keeps its version, so
    its values always share one (a rotation moves the row as a whole).
    """
    ring = keyring()
    if staff.key_version is None:
        staff.key_version = ring.current_version()
    v = staff.key_version
    if id_number is not None:
        staff.id_number_sealed = ring.seal(id_number, ID_FIELD, version=v)
        staff.id_number_index = ring.index(id_number, version=v)
        staff.masked_id_number = mask_id_number(id_number)
    if phone is not None:
        staff.phone_sealed = ring.seal(phone, PHONE_FIELD, version=v) if phone else None
        staff.masked_phone = mask_phone(phone)


# --- finding ---------------------------------------------------------------------------


def id_number_q(id_number: str) -> Q:
    """Staff with this (normalised) ID number, by its blind index under every readable
    key version (during a rotation a row may still carry the old one)."""
    return Q(id_number_index__in=keyring().indexes(id_number))


def holds_id_number(staff: Staff, id_number: str) -> bool:
    """Whether ``staff`` has this ID number (compared by blind index, nothing opened)."""
    if not staff.id_number_index or staff.key_version is None:
        return False
    return staff.id_number_index == keyring().index(id_number, version=staff.key_version)


def holds_phone(staff: Staff, phone: str) -> bool:
    """Whether ``staff`` has this phone; opens the stored phone, which leaves this module
    only as the answer (masks of different phones can look alike: 138****0002)."""
    if not staff.phone_sealed:
        return not phone
    return unsealed(staff).phone == phone


class RegisteredIdNumbers(Container[str]):
    """The ID numbers already registered, for a bulk writer to skip, without opening any.

    A candidate is looked up by blind index only when a registered number has its mask
    (issuing region and check character); so checking a million new numbers costs a few
    thousand indexes, not a million.
    """

    def __init__(self) -> None:
        self._masks: set[str] = set()
        self._indexes: set[str] = set()
        for masked, index in Staff.objects.values_list("masked_id_number", "id_number_index"):
            self._masks.add(masked)
            self._indexes.add(index)

    def __contains__(self, id_number: object) -> bool:
        if not isinstance(id_number, str) or mask_id_number(id_number) not in self._masks:
            return False
        return any(i in self._indexes for i in keyring().indexes(id_number))

    def __len__(self) -> int:
        return len(self._indexes)


# --- opening ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Unsealed:
    id_number: str
    phone: str


def _open(id_sealed: object, phone_sealed: object) -> Unsealed:
    ring = keyring()
    try:
        number = ring.unseal(bytes(id_sealed), ID_FIELD) if id_sealed else ""  # type: ignore[call-overload]
        phone = ring.unseal(bytes(phone_sealed), PHONE_FIELD) if phone_sealed else ""  # type: ignore[call-overload]
    except (crypto.Unreadable, keys.MissingKey):
        raise Unreadable() from None
    return Unsealed(number, phone)


def unsealed(staff: Staff) -> Unsealed:
    """The clear ID number and phone of ``staff``: the one function that opens them.

    It checks no right and records nothing: the caller that shows them to someone is the
    audited reveal (``selectors.reveal_personal_data``), which does both.
    """
    return _open(staff.id_number_sealed, staff.phone_sealed)


def unsealed_values(id_sealed: object, phone_sealed: object) -> Unsealed:
    """:func:`unsealed` for columns read without a model (an export's ``values_list``);
    the same one opening, for the same one caller's module (``selectors``)."""
    return _open(id_sealed, phone_sealed)


# --- rotating the key ------------------------------------------------------------------


class DuplicateIdNumbers(Exception):
    """Two records with one ID number under two key versions stop a rotation."""


@dataclass
class Rotation:
    version: int  # the version every row is sealed under now
    rows: int  # rows re-sealed by this run
    batches: int
    seconds: float
    retired: list[int]  # versions no row needs any more: their keys may be removed


def versions_in_use() -> dict[int, int]:
    """How many staff rows are sealed under each key version."""
    rows = Staff.objects.order_by().values_list("key_version").annotate(n=Count("pk"))
    return dict(rows)  # type: ignore[arg-type]


def pending() -> int:
    """Rows not yet under the current key version."""
    return Staff.objects.exclude(key_version=keyring().current_version()).count()


def rotate(
    actor: Actor,
    *,
    batch_size: int = 2_000,
    progress: Callable[[int], object] | None = None,
) -> Rotation:
    """Re-seal every staff row not under the current key version, one committed batch at a
    time, with one audit event per batch.

    Rows are taken in id order among those still under another version, so a run stopped
    half-way resumes where it stopped: every row is readable meanwhile (old keys stay
    until the end) and new writes go under the row's own version. The blind index is
    computed under the new version too — the two keys are one version. When no row needs
    an old version any more it is retired and its key may be removed.
    """
    ring = keyring()
    to = ring.current_version()
    ring.register(to)
    started = time.monotonic()
    last, rows, batches = 0, 0, 0
    while True:
        with transaction.atomic():
            batch = list(
                Staff.objects.select_for_update()
                .filter(pk__gt=last)
                .exclude(key_version=to)
                .order_by("pk")
                .values_list("pk", "id_number_sealed", "phone_sealed", "key_version")[:batch_size]
            )
            if not batch:
                break
            updates = []
            for pk, id_sealed, phone_sealed, _ in batch:
                clear = _open(id_sealed, phone_sealed)
                updates.append(
                    (
                        pk,
                        ring.seal(clear.id_number, ID_FIELD, version=to),
                        ring.index(clear.id_number, version=to),
                        ring.seal(clear.phone, PHONE_FIELD, version=to) if clear.phone else None,
                        to,
                    )
                )
            try:
                with transaction.atomic():
                    bulk.update(Staff, ROTATED_COLUMNS, updates, batch_size=batch_size)
            except IntegrityError:
                raise _duplicate_at(updates) from None
            audit.record(
                actor,
                ROTATE_ACTION,
                object_type="institutions.staff",
                detail={
                    "rows": len(batch),
                    "first_id": batch[0][0],
                    "last_id": batch[-1][0],
                    "from_versions": sorted({row[3] for row in batch}),
                    "to_version": to,
                },
            )
        last = batch[-1][0]
        rows += len(batch)
        batches += 1
        if progress:
            progress(len(batch))
    retired = _retire_unused(to)
    return Rotation(to, rows, batches, round(time.monotonic() - started, 2), retired)


def _duplicate_at(updates: Sequence[tuple[Any, ...]]) -> DuplicateIdNumbers:
    """Two records with one ID number, under two key versions (registered by processes
    that disagreed on the current version): name them by id, never by number."""
    pairs = []
    for pk, _sealed, index, *_rest in updates:
        other = Staff.objects.filter(id_number_index=index).exclude(pk=pk).first()
        if other is not None:
            pairs.append(f"{pk} and {other.pk}")
    return DuplicateIdNumbers(
        f"Staff records {', '.join(pairs or ['?'])} have the same ID number; merge or remove "
        "one, then run the rotation again (it resumes where it stopped)."
    )


def _retire_unused(current: int) -> list[int]:
    from xietong.core.models import SealingKey

    in_use = set(versions_in_use())
    stale = SealingKey.objects.filter(purpose=keyring().purpose, retired_at__isnull=True).exclude(
        version__in=[*in_use, current]
    )
    retired = sorted(stale.values_list("version", flat=True))
    stale.update(retired_at=timezone.now())
    return retired
