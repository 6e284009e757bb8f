"""Approximate centroids (latitude, longitude) of the three provinces' cities and counties.

The demo data puts its schools here and the dashboard's collaboration map draws its regions
here. These are the rough centres of districts, counties and cities, good enough to put a
school on a map of the region; they are not surveyed positions. Beijing's and Tianjin's
districts and the counties the named entities sit in have their own entry; every other
Hebei county falls back to its prefecture city (see :func:`coords_for`).
"""

from __future__ import annotations

COUNTY_COORDS: dict[str, tuple[float, float]] = {
    # Beijing's 16 districts
    "110101": (39.929, 116.416),  # 东城区
    "110102": (39.912, 116.366),  # 西城区
    "110105": (39.948, 116.486),  # 朝阳区
    "110106": (39.858, 116.287),  # 丰台区
    "110107": (39.906, 116.223),  # 石景山区
    "110108": (39.960, 116.298),  # 海淀区
    "110109": (39.940, 116.102),  # 门头沟区
    "110111": (39.749, 116.143),  # 房山区
    "110112": (39.909, 116.657),  # 通州区
    "110113": (40.130, 116.654),  # 顺义区
    "110114": (40.221, 116.231),  # 昌平区
    "110115": (39.727, 116.341),  # 大兴区
    "110116": (40.316, 116.632),  # 怀柔区
    "110117": (40.141, 117.121),  # 平谷区
    "110118": (40.377, 116.843),  # 密云区
    "110119": (40.456, 115.975),  # 延庆区
    # Tianjin's 16 districts
    "120101": (39.117, 117.196),  # 和平区
    "120102": (39.128, 117.252),  # 河东区
    "120103": (39.110, 117.224),  # 河西区
    "120104": (39.138, 117.150),  # 南开区
    "120105": (39.148, 117.197),  # 河北区
    "120106": (39.167, 117.163),  # 红桥区
    "120110": (39.087, 117.314),  # 东丽区
    "120111": (39.140, 117.008),  # 西青区
    "120112": (38.987, 117.357),  # 津南区
    "120113": (39.225, 117.135),  # 北辰区
    "120114": (39.384, 117.044),  # 武清区
    "120115": (39.717, 117.309),  # 宝坻区
    "120116": (39.032, 117.710),  # 滨海新区
    "120117": (39.330, 117.828),  # 宁河区
    "120118": (38.947, 116.974),  # 静海区
    "120119": (40.046, 117.408),  # 蓟州区
    # Hebei counties named in the source documents
    "130202": (39.625, 118.154),  # 唐山市路南区
    "130606": (38.883, 115.500),  # 保定市莲池区
    "130629": (39.043, 115.862),  # 容城县 (容东片区 lies just east of the county seat)
    "130632": (38.936, 115.936),  # 安新县
    "130638": (38.994, 116.109),  # 雄县
    "131024": (39.762, 117.006),  # 香河县
    "131028": (39.887, 116.989),  # 大厂回族自治县
    "131082": (39.983, 117.078),  # 三河市
}

CITY_COORDS: dict[str, tuple[float, float]] = {
    "110000": (39.904, 116.407),  # 北京市
    "120000": (39.084, 117.201),  # 天津市
    "130000": (38.043, 114.515),  # 河北省 (石家庄)
    "130100": (38.043, 114.515),  # 石家庄市
    "130200": (39.631, 118.180),  # 唐山市
    "130300": (39.935, 119.600),  # 秦皇岛市
    "130400": (36.625, 114.539),  # 邯郸市
    "130500": (37.071, 114.505),  # 邢台市
    "130600": (38.874, 115.465),  # 保定市
    "130700": (40.768, 114.886),  # 张家口市
    "130800": (40.952, 117.963),  # 承德市
    "130900": (38.304, 116.839),  # 沧州市
    "131000": (39.538, 116.684),  # 廊坊市
    "131100": (37.739, 115.670),  # 衡水市
}


def coords_for(code: str) -> tuple[float, float]:
    """The centre of a county, else of its city, else of its province (approximate)."""
    if code in COUNTY_COORDS:
        return COUNTY_COORDS[code]
    if code in CITY_COORDS:
        return CITY_COORDS[code]
    if code[:4] + "00" in CITY_COORDS:
        return CITY_COORDS[code[:4] + "00"]
    return CITY_COORDS[code[:2] + "0000"]


def has_own_coords(code: str) -> bool:
    return code in COUNTY_COORDS
