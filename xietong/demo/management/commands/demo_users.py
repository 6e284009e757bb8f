"""``xietong demo_users``: create the demo sign-ins (one per role) and print them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from xietong.accounts.models import Role
from xietong.demo.management.commands.demo import _require_migrated
from xietong.demo.users import ensure_demo_users


class Command(BaseCommand):
    help = (
        "Create (idempotently) one demo user per role, all with the demo password, and print "
        "the sign-ins."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        _require_migrated()
        ensured = ensure_demo_users()
        labels = dict(Role.choices)
        rows = [
            (
                e.spec.username,
                settings.XIETONG_DEMO_PASSWORD,
                str(labels[e.spec.role]),
                e.scope,
                e.spec.display_name,
            )
            for e in ensured
        ]
        # In the command's language, like the roles and scopes below it.
        header = (_("User name"), _("Password"), _("Role"), _("Scope"), _("Display name"))
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write(
                "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
        created = sum(e.created for e in ensured)
        note = f" ({created} new)" if 0 < created < len(ensured) else ""
        self.stdout.write(self.style.SUCCESS(f"{len(ensured)} demo sign-ins ready{note}."))


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
