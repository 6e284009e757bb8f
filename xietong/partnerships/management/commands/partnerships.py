"""``xietong partnerships gaps --region 131082 [--date YYYY-MM-DD] [--lang zh-hans|en]`` prints
the gaps of the network in a region (or region group); ``xietong partnerships counts
[--date …]`` prints the press's measure, N Beijing/Tianjin schools ↔ M Hebei schools.

Bad input (an unknown region, a date that is not one) is said plainly, with exit code 2.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xietong.partnerships import network
from xietong.regions.models import Region, RegionGroup

LANGS = ("zh-hans", "en")


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "The collaboration network: its gaps in a region, and the N ↔ M count on a date."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        gaps = sub.add_parser("gaps", help="print the gaps of a region or region group")
        gaps.add_argument("--region", required=True, help="region code (131082) or group key")
        counts = sub.add_parser("counts", help="print N Beijing/Tianjin ↔ M Hebei schools")
        for p in (gaps, counts):
            p.add_argument("--date", default="", help="YYYY-MM-DD (default: today)")
            p.add_argument("--lang", default="zh-hans", help="zh-hans or en")

    def handle(self, *args: Any, **opts: Any) -> None:
        lang = (opts.get("lang") or "zh-hans").lower()
        if lang not in LANGS:
            raise _fail(f"Unknown language {lang!r}: use zh-hans or en.")
        with translation.override(lang):
            day = self._day(opts.get("date") or "")
            if opts["action"] == "counts":
                self._counts(day)
            else:
                self._gaps(opts["region"], day)

    def _day(self, value: str) -> dt.date:
        if not value:
            return timezone.localdate()
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise _fail(
                _("Not a date: %(value)s. Give it as YYYY-MM-DD, such as 2025-11-30.")
                % {"value": value}
            ) from None

    def _counts(self, day: dt.date) -> None:
        c = network.cooperation_counts(day)
        self.stdout.write(
            _("%(day)s: %(n)s Beijing and Tianjin schools ↔ %(m)s Hebei schools")
            % {"day": day.isoformat(), "n": c.bjtj, "m": c.hebei}
        )

    def _area(self, code: str) -> tuple[str, list[str]]:
        code = (code or "").strip()
        region = Region.objects.filter(code=code).first() if code.isdigit() else None
        if region is not None:
            return f"{region.name} {region.code}", [region.path]
        group = RegionGroup.objects.filter(key=code).prefetch_related("members").first()
        if group is not None:
            return group.name, [m.path for m in group.members.all()]
        raise _fail(
            _(
                "Unknown region or region group: %(code)s. Give a six-digit region code such as "
                "131082, or a group key such as beisanxian."
            )
            % {"code": code}
        )

    def _gaps(self, code: str, day: dt.date) -> None:
        name, paths = self._area(code)
        g = network.gaps(day, paths, school_limit=10_000)
        out = self.stdout
        out.write(
            _("Gaps in the network of %(area)s on %(day)s") % {"area": name, "day": day.isoformat()}
        )
        out.write("")
        out.write(
            _("Hebei counties with no Beijing or Tianjin partner school: %(n)s")
            % {"n": len(g.counties)}
        )
        for c in g.counties:
            out.write(f"  {c.code} {c.name}")
        if g.xiongan_stages:
            out.write(
                _("Xiong'an: stages of basic education with no partner: %(stages)s")
                % {"stages": "、".join(label for _code, label in g.xiongan_stages)}
            )
        out.write(_("Schools in 北三县 without a partner: %(n)s") % {"n": g.beisanxian_total})
        for s in g.beisanxian_schools:
            out.write(f"  {s.name} ({s.region.name})")
        out.write(
            _("Partnerships with no activity in %(term)s: %(n)s")
            % {"term": g.term.label(), "n": len(g.quiet)}
        )
        for p in g.quiet:
            out.write(f"  {p.name}")
