"""Distances on the sphere and Lambert-93 → WGS84, in plain Python (no GIS dependency)."""

import math

EARTH_RADIUS_KM = 6371.0088
_BOX_MARGIN = 1e-9  # degrees (0.1 mm): rounding never leaves out of the box a point on the circle


def haversine_km(lat1, lon1, lat2, lon2):
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def bounding_box(lat, lon, km):
    """(min_lat, max_lat, min_lon, max_lon) of the smallest box that contains the circle of radius km.

    The widest point of the circle lies poleward of its centre, hence asin(sin r / cos φ) rather than r / cos φ.
    """
    angle = km / EARTH_RADIUS_KM
    dlat = math.degrees(angle) + _BOX_MARGIN
    ratio = math.sin(min(angle, math.pi / 2)) / max(math.cos(math.radians(lat)), 1e-12)
    dlon = 180.0 if ratio >= 1 else math.degrees(math.asin(ratio)) + _BOX_MARGIN
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


# Lambert-93 (RGF93, EPSG:2154): Lambert conformal conic, two standard parallels, GRS80 ellipsoid.
_E = 0.0818191910428158  # GRS80 first eccentricity
_N = 0.7256077650532670
_C = 11754255.426096
_XS = 700000.0
_YS = 12655612.049876
_LON0 = math.radians(3.0)


def lambert93_to_wgs84(x, y):
    """(latitude, longitude) in degrees of a Lambert-93 point, by the IGN inverse projection (ALG0004/ALG0001).

    RGF93 and WGS84 agree to a few centimetres, well below what a structure's address needs.
    """
    dx, dy = x - _XS, y - _YS
    r = math.hypot(dx, dy)
    gamma = math.atan(dx / -dy)
    lon = _LON0 + gamma / _N
    iso_lat = -math.log(abs(r / _C)) / _N
    lat = 2 * math.atan(math.exp(iso_lat)) - math.pi / 2
    for _ in range(20):
        e_sin = _E * math.sin(lat)
        new_lat = 2 * math.atan(((1 + e_sin) / (1 - e_sin)) ** (_E / 2) * math.exp(iso_lat)) - math.pi / 2
        if abs(new_lat - lat) < 1e-12:
            lat = new_lat
            break
        lat = new_lat
    return math.degrees(lat), math.degrees(lon)
