"""The demo's places: the approximate centroids kept in :mod:`xietong.regions.centroids`."""

from xietong.regions.centroids import CITY_COORDS, COUNTY_COORDS, coords_for, has_own_coords

__all__ = ["CITY_COORDS", "COUNTY_COORDS", "coords_for", "has_own_coords"]
