"""Unique, realistic names and addresses for the schools of one county."""

from __future__ import annotations

import random

from xietong.demo.synthetic.counties import County
from xietong.demo.synthetic.names import (
    HIGHER_FIELDS,
    KINDERGARTEN_BRANDS,
    ROADS,
    TOWN_STEMS,
    VILLAGE_CORES,
    VILLAGE_HEADS,
    VILLAGE_TAILS,
    VOC_FIELDS,
    chinese_number,
)
from xietong.demo.synthetic.sizes import HIGHER_KINDS
from xietong.institutions.choices import Kind

K = Kind


class CountyNamer:
    """Unique, realistic names of the schools of one county, and their addresses."""

    def __init__(self, county: County, rng: random.Random, taken: set[str]):
        self.c = county
        self.rng = rng
        self.taken = taken
        self.counters: dict[str, int] = {}
        self.towns: list[str] = []
        self.roads = rng.sample(ROADS, len(ROADS))
        self.brands = rng.sample(KINDERGARTEN_BRANDS, len(KINDERGARTEN_BRANDS))
        self.fields = rng.sample(VOC_FIELDS, len(VOC_FIELDS))

    def _next(self, counter: str) -> int:
        self.counters[counter] = self.counters.get(counter, 0) + 1
        return self.counters[counter]

    def town(self) -> str:
        # Towns are added as they are needed, so a county has as many as its schools use.
        if not self.towns or (len(self.towns) < 25 and self.rng.random() < 0.35):
            for _ in range(50):
                suffix = "乡" if self.rng.random() < 0.3 else "镇"
                name = self.rng.choice(TOWN_STEMS) + suffix
                if name not in self.towns:
                    self.towns.append(name)
                    return name
        return self.rng.choice(self.towns)

    def village(self) -> str:
        r = self.rng
        return r.choice(VILLAGE_HEADS) + r.choice(VILLAGE_CORES) + r.choice(VILLAGE_TAILS)

    def road(self) -> str:
        return self.rng.choice(self.roads) + self.rng.choice(("路", "街", "大街", "道"))

    def _claim(self, name: str) -> bool:
        if name in self.taken:
            return False
        self.taken.add(name)
        return True

    def _ordinal(self, stem: str, counter: str, tail: str) -> str:
        """ "{county}第{n}{tail}", the fallback that is always free."""
        while True:
            name = f"{stem}第{chinese_number(self._next(counter))}{tail}"
            if self._claim(name):
                return name

    def name(self, kind: str, locality: str, ownership: str) -> tuple[str, str]:
        """The name of a new institution and its address."""
        c, r = self.c, self.rng
        cn = c.name
        town = village = ""
        if locality != "urban" and kind not in HIGHER_KINDS:
            town = self.town()
            if locality == "rural":
                village = self.village()
        candidates: list[str] = []
        if kind == K.KINDERGARTEN:
            if ownership == "private":
                candidates = [f"{cn}{b}幼儿园" for b in self.brands[:3]]
                self.brands.append(self.brands.pop(0))
            elif locality == "urban":
                candidates = [f"{cn}实验幼儿园", f"{cn}机关幼儿园"] if r.random() < 0.3 else []
            elif locality == "town":
                candidates = [f"{cn}{town}中心幼儿园"]
            else:
                candidates = [f"{cn}{town}{village}幼儿园"]
            fallback = (cn, "kg", "幼儿园")
        elif kind == K.PRIMARY:
            if locality == "urban":
                candidates = [f"{cn}实验小学"] if r.random() < 0.5 else []
                if r.random() < 0.4:
                    candidates.append(
                        f"{cn}{self.roads[self._next('road') % len(self.roads)]}路小学"
                    )
            elif locality == "town":
                candidates = [f"{cn}{town}中心小学", f"{cn}{town}{self.village()}小学"]
            else:
                candidates = [f"{cn}{town}{village}小学"]
            fallback = (cn, "primary", "小学")
        elif kind in (K.JUNIOR, K.SENIOR, K.COMPLETE_SECONDARY):
            if locality == "urban":
                if kind == K.JUNIOR and r.random() < 0.3:
                    candidates = [f"{cn}实验中学"]
                elif kind == K.SENIOR and r.random() < 0.5:
                    candidates = [f"{cn}第一中学", f"{cn}第二中学"]
            elif kind == K.JUNIOR:
                candidates = [f"{cn}{town}中学", f"{cn}{town}初级中学"]
            else:
                candidates = [f"{cn}{town}高级中学"]
            fallback = (cn, "middle", "中学" if kind != K.SENIOR else "高级中学")
        elif kind == K.NINE_YEAR:
            if locality == "urban":
                candidates = [f"{cn}实验学校"] if r.random() < 0.5 else []
            else:
                candidates = [f"{cn}{town}{village or ''}学校", f"{cn}{town}九年一贯制学校"]
            fallback = (cn, "school", "学校")
        elif kind == K.SECONDARY_VOCATIONAL:
            if c.province == "13" and not c.is_district:
                candidates = [f"{cn}职业技术教育中心"]
            candidates.append(
                f"{cn}{self.fields[self._next('voc') % len(self.fields)]}中等专业学校"
            )
            fallback = (cn, "voc", "职业高级中学")
        else:  # higher education: named after the place, not "{county}第N …"
            fld = self.rng.choice(HIGHER_FIELDS)
            if kind == K.UNIVERSITY:
                candidates = [f"{c.short}{fld}学院", f"{c.short}{fld}大学"]
            else:
                candidates = [f"{c.short}{fld}职业技术学院", f"{c.short}{fld}职业学院"]
            fallback = (c.short, "higher", "学院")
        name = next((n for n in candidates if self._claim(n)), "") or self._ordinal(*fallback)
        return name, self._address(locality, town, village)

    def _address(self, locality: str, town: str, village: str) -> str:
        prefix = self.c.address_prefix
        if locality == "rural":
            return f"{prefix}{town}{village}" + ("" if village.endswith("村") else "村")
        if locality == "town":
            return f"{prefix}{town}{self.road()}{self.rng.randint(1, 120)}号"
        return f"{prefix}{self.road()}{self.rng.randint(1, 399)}号"
