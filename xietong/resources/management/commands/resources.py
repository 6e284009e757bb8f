"""``xietong resources reindex``: rebuild the catalogue's search index from the resources.

The services keep the index as they write; this rebuilds it after a bulk load, a restore
or a change of the domain dictionary. One transaction: a failure leaves the old index.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from xietong.resources import search, search_text
from xietong.resources.models import Resource


class Command(BaseCommand):
    help = "Shared resources: rebuild the search index (reindex)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("reindex", help="rebuild the search index of every resource")

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.monotonic()
        warm = search_text.warm()
        total = Resource.objects.count()
        with tqdm(
            total=total,
            unit=" resources",
            unit_scale=True,
            desc="Search index",
            file=sys.stderr,
            disable=opts["verbosity"] == 0 or total == 0,
        ) as bar:
            n = search.reindex_all(progress=bar.update)
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Indexed {n:,} resources in {seconds:.1f} s (jieba and pinyin loaded in {warm:.1f} s)."
        )
