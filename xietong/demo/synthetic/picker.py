"""Weighted random choice, fast enough for a million draws."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class Picker(Generic[T]):
    """Weighted choice with precomputed cumulative weights (bisect on one random number)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Iterable[tuple[T, float]]):
        items, weights = zip(*pairs, strict=True)
        self.items: list[T] = list(items)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> T:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]
