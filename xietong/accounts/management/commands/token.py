"""``xietong token create USERNAME --name NAME [--days N]``: an API token for a user.

The token is made through :func:`xietong.accounts.services.create_token` as its owner, so it
is audited like one made in the web UI. Its plain text goes to stdout once — only its
digest is stored — and a note about it to stderr, so ``$(xietong token create …)`` works.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xietong.accounts.access import actor_for
from xietong.accounts.models import User
from xietong.accounts.services import create_token
from xietong.core.errors import ServiceError


class Command(BaseCommand):
    help = "Manage API tokens. Subcommands: create."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        create = sub.add_parser("create", help="Create a token for a user and print it once.")
        create.add_argument("username", help="the user the token signs in as")
        create.add_argument("--name", required=True, help="what the token is for (1–50 chars)")
        create.add_argument(
            "--days", type=int, default=90, help="days until it expires (1–366; default 90)"
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "create":
            self.create(options["username"], options["name"], options["days"])
        else:  # pragma: no cover - argparse refuses unknown subcommands first
            raise CommandError(f"Unknown subcommand {subcommand!r}; use: create.")

    def create(self, username: str, name: str, days: int) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is named {username!r}.")
        if not user.is_active:
            raise CommandError(f"The account {username!r} is deactivated; it gets no token.")
        try:
            token, plain = create_token(actor_for(user), name, days)
        except ServiceError as e:
            details = [m for messages in e.fields.values() for m in messages]
            raise CommandError(" ".join(details) or str(e.message)) from None
        expires = timezone.localtime(token.expires_at).date() if token.expires_at else "never"
        self.stdout.write(plain)
        self.stderr.write(
            f"Token {token.name!r} ({token.prefix}…) for {username}, expires {expires}. "
            "It is shown only this once: store it now."
        )
