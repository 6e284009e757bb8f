"""The county-level divisions the population is spread over, and what kind of place each is."""

from __future__ import annotations

from dataclasses import dataclass

from xietong.regions.loading import read_tsv

PROVINCES = {"11": "北京市", "12": "天津市", "13": "河北省"}


# Population of Beijing's and Tianjin's districts in 10,000s (2020 census, rounded): where
# the schools of a city go. Hebei's counties get equal weights with a seeded jitter
# (an estimate: county populations are not in the sources).
DISTRICT_POPULATION = {
    "110101": 71, "110102": 110, "110105": 345, "110106": 202, "110107": 57, "110108": 313,
    "110109": 39, "110111": 131, "110112": 184, "110113": 132, "110114": 227, "110115": 199,
    "110116": 44, "110117": 46, "110118": 53, "110119": 35,
    "120101": 36, "120102": 86, "120103": 83, "120104": 89, "120105": 65, "120106": 48,
    "120110": 86, "120111": 120, "120112": 93, "120113": 91, "120114": 115, "120115": 72,
    "120116": 206, "120117": 40, "120118": 79, "120119": 80,
}  # fmt: skip
# The old city centres have no towns or villages; the inner suburbs a few.
CORE_DISTRICTS = {"110101", "110102", "120101", "120102", "120103", "120104", "120105", "120106"}
INNER_DISTRICTS = {"110105", "110106", "110107", "110108"}

# Urban / town / rural shares by kind of county (estimates).
LOCALITY_MIX = {
    "core": (1.0, 0.0, 0.0),
    "inner": (0.90, 0.10, 0.0),
    "outer": (0.45, 0.30, 0.25),  # Beijing's and Tianjin's outer districts
    "hebei_district": (0.70, 0.20, 0.10),
    "hebei_county": (0.20, 0.35, 0.45),
}


@dataclass(frozen=True)
class County:
    code: str
    name: str
    path: str
    city_name: str  # the prefecture city in Hebei; "" in Beijing and Tianjin
    province: str  # "11", "12", "13"

    @property
    def short(self) -> str:
        """The name without 区/县/市 (and 自治县 …), as in "路南理工学院"."""
        name = self.name
        for suffix in ("满族蒙古族自治县", "满族自治县", "回族自治县", "新区", "区", "县", "市"):
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                return name[: -len(suffix)]
        return name

    @property
    def is_district(self) -> bool:
        return self.name.endswith("区")

    @property
    def mix_key(self) -> str:
        if self.province in ("11", "12"):
            if self.code in CORE_DISTRICTS:
                return "core"
            return "inner" if self.code in INNER_DISTRICTS else "outer"
        return "hebei_district" if self.is_district else "hebei_county"

    @property
    def address_prefix(self) -> str:
        if self.province == "13":
            return f"河北省{self.city_name}{self.name}"
        return f"{PROVINCES[self.province]}{self.name}"


def counties() -> list[County]:
    """Every county-level division of the three provinces, from the shipped TSV."""
    rows = read_tsv("regions-jjj.tsv")
    by_code = {r["code"]: r for r in rows}

    def path(code: str) -> str:
        parent = by_code[code]["parent_code"]
        return (path(parent) if parent else "") + code + "/"

    out = []
    for r in rows:
        if r["level"] != "county":
            continue
        parent = by_code[r["parent_code"]]
        city = parent["name"] if parent["level"] == "city" else ""
        out.append(County(r["code"], r["name"], path(r["code"]), city, r["code"][:2]))
    return sorted(out, key=lambda c: c.code)
