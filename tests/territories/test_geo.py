import math

import pytest

from horizon.territories.geo import EARTH_RADIUS_KM, bounding_box, haversine_km

BORDEAUX = (44.838020, -0.579635)
MERIGNAC = (44.846177, -0.656229)
PARIS = (48.856614, 2.352222)


def destination(lat, lon, km, bearing_degrees):
    """The point at km from (lat, lon) in the given direction (great-circle formula)."""
    angle, bearing = km / EARTH_RADIUS_KM, math.radians(bearing_degrees)
    phi, lam = math.radians(lat), math.radians(lon)
    phi2 = math.asin(math.sin(phi) * math.cos(angle) + math.cos(phi) * math.sin(angle) * math.cos(bearing))
    lam2 = lam + math.atan2(
        math.sin(bearing) * math.sin(angle) * math.cos(phi), math.cos(angle) - math.sin(phi) * math.sin(phi2)
    )
    return math.degrees(phi2), math.degrees(lam2)


def test_haversine_matches_known_distances():
    assert haversine_km(*BORDEAUX, *BORDEAUX) == 0
    assert haversine_km(*BORDEAUX, *MERIGNAC) == pytest.approx(6.1, abs=0.1)
    assert haversine_km(*BORDEAUX, *PARIS) == pytest.approx(499, abs=2)


@pytest.mark.parametrize("km", [1, 10, 35, 500])
@pytest.mark.parametrize("centre", [BORDEAUX, (-20.878974, 55.448634), (64.0, 10.0)])
def test_bounding_box_contains_the_whole_circle(centre, km):
    min_lat, max_lat, min_lon, max_lon = bounding_box(*centre, km)
    for bearing in range(360):
        lat, lon = destination(*centre, km, bearing)
        assert min_lat <= lat <= max_lat
        assert min_lon <= lon <= max_lon


def test_bounding_box_is_tight():
    min_lat, max_lat, min_lon, max_lon = bounding_box(*BORDEAUX, 10)
    assert haversine_km(min_lat, BORDEAUX[1], *BORDEAUX) == pytest.approx(10)
    assert max(destination(*BORDEAUX, 10, bearing)[1] for bearing in range(360)) == pytest.approx(max_lon)


def test_bounding_box_spans_every_longitude_near_a_pole():
    assert bounding_box(89.9, 0, 50)[2:] == (-180.0, 180.0)
