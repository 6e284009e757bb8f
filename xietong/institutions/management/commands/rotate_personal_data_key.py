"""``xietong rotate_personal_data_key [--status] [--batch-size N]``: re-seal staff personal
data under the current personal-data key version.

To rotate: add the new key (``XIETONG_KEY_PERSONAL_<N>`` or ``personal_<N>.key``) beside the
old one, set ``XIETONG_PERSONAL_KEY_VERSION=<N>`` for the web servers, the workers and this
command, restart them, then run this command. It re-seals ID numbers and phones and
recomputes the blind index in committed batches, each audited; stopped, it resumes where it
stopped, and every record stays readable meanwhile. When it ends it names the versions no
record needs any more: remove those keys then. ``--status`` only counts.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from xietong.accounts.access import system_actor
from xietong.core import keys
from xietong.core.errors import ServiceError
from xietong.institutions import personal_data


def _positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


class Command(BaseCommand):
    help = (
        "Re-seal the staff ID numbers and phones (and their blind index) under the current "
        "personal-data key version, in resumable batches; --status only counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--status", action="store_true", help="count records per key version and stop"
        )
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=2_000,
            help="records re-sealed per committed, audited batch (default 2000)",
        )

    def handle(self, *args: Any, status: bool, batch_size: int, **options: Any) -> None:
        ring = personal_data.keyring()
        try:
            current = ring.current_version()
            ring.load_current()
        except keys.MissingKey as e:
            raise CommandError(str(e)) from None
        versions = personal_data.versions_in_use()
        self.stdout.write(
            f"Current personal-data key version: {current}. Staff records per version: "
            + (", ".join(f"{v}: {n:,}" for v, n in sorted(versions.items())) or "none")
        )
        todo = sum(n for v, n in versions.items() if v != current)
        if status:
            self.stdout.write(f"{todo:,} records to re-seal.")
            return
        show = options["verbosity"] > 0 and todo > 0
        with tqdm(total=todo, unit=" rows", desc="Re-sealing", disable=not show) as bar:
            try:
                result = personal_data.rotate(
                    system_actor("personal-data key rotation"),
                    batch_size=batch_size,
                    progress=bar.update,
                )
            except (keys.MissingKey, ServiceError, personal_data.DuplicateIdNumbers) as e:
                raise CommandError(
                    f"{e} Records re-sealed so far stay so; run the command again to resume."
                ) from None
        self.stdout.write(
            f"Re-sealed {result.rows:,} records in {result.batches} batches "
            f"({result.seconds:.1f} s); every record is under key version {result.version}."
        )
        if result.rows:
            self.stdout.write(
                "The old ciphertexts stay in the table's dead row versions until it is "
                "vacuumed (PostgreSQL: VACUUM FULL institutions_staff; SQLite: VACUUM), and "
                "in backups made before."
            )
        for version in result.retired:
            self.stdout.write(
                f"Key version {version} is no longer needed: remove "
                f"{keys.source(ring.key_name(version))} once your backups no longer need it."
            )
