"""District boundaries: which districts a CAP polygon or circle reaches.

The honest limit: only district boundaries ship (``nguon/data/binh-dinh-districts.geojson``),
not commune ones. So an area maps to the districts it touches, each standing for its whole
subtree (every commune in it): a polygon that clips the edge of a district alerts all of it.
Over-alerting is the safe side for an emergency; a sender who wants fewer communes names them
with geocodes.

The geometry is small and pure Python (no shapely in a Lambda layer for this):
- coordinates are plane (lon, lat) degrees, which is fine at a province's scale;
- polygons are simple rings; only the outer ring of each GeoJSON polygon is used, holes are
  ignored (the bundled districts have none, and a hole would only make us over-alert);
- a point on a boundary may count either way.
"""

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

BINH_DINH_DISTRICTS = "binh-dinh-districts.geojson"
EARTH_RADIUS_KM = 6371.0

Point = tuple[float, float]
"""(x, y) = (lon, lat) inside this module; CAP's (lat, lon) is swapped at the edge."""
Ring = list[Point]
BBox = tuple[float, float, float, float]
"""(min_x, min_y, max_x, max_y)."""


@dataclass(frozen=True)
class _District:
    code: str
    name: str
    rings: tuple[Ring, ...]
    bbox: BBox


class DistrictBoundaries:
    """The districts of a province with their outer rings, queried with CAP areas."""

    def __init__(self, districts: Iterable[_District]) -> None:
        self._districts = {district.code: district for district in districts}

    @classmethod
    def from_geojson(cls, document: Mapping[str, Any]) -> "DistrictBoundaries":
        """A FeatureCollection whose features carry ``properties.code`` and ``.name``."""
        districts = []
        for feature in document["features"]:
            geometry = feature["geometry"]
            polygons = geometry["coordinates"]
            if geometry["type"] == "Polygon":
                polygons = [polygons]
            # The first ring of each polygon is its outside; the rest are holes (ignored).
            rings = tuple(_open_ring([(x, y) for x, y, *_ in polygon[0]]) for polygon in polygons)
            properties = feature["properties"]
            districts.append(
                _District(
                    code=str(properties["code"]),
                    name=properties["name"],
                    rings=rings,
                    bbox=_bbox(point for ring in rings for point in ring),
                )
            )
        return cls(districts)

    @classmethod
    def bundled(cls) -> "DistrictBoundaries":
        """Bình Định's districts, read once per process."""
        return _bundled()

    @property
    def codes(self) -> list[str]:
        return sorted(self._districts)

    def districts_touching(self, polygon: Sequence[tuple[float, float]]) -> list[str]:
        """Codes of the districts whose area meets ``polygon``, given as CAP (lat, lon) pairs."""
        ring = _from_cap(polygon)
        box = _bbox(ring)
        return sorted(
            district.code
            for district in self._districts.values()
            if _overlap(box, district.bbox)
            and any(_rings_intersect(ring, outer) for outer in district.rings)
        )

    def covers(self, polygon: Sequence[tuple[float, float]], code: str) -> bool:
        """True when ``polygon`` (CAP (lat, lon) pairs) contains the whole district ``code``.

        Approximate: every vertex of the district lies inside the polygon (a concave polygon
        could still cut between two vertices). Raises KeyError for an unknown district.
        """
        ring = _from_cap(polygon)
        district = self._districts[code]
        return all(_inside(point, ring) for outer in district.rings for point in outer)

    def contains(self, code: str, lat: float, lon: float) -> bool:
        """True when (lat, lon) lies inside district ``code``. Raises KeyError if unknown."""
        return any(_inside((lon, lat), outer) for outer in self._districts[code].rings)

    def spread_points(self, code: str, count: int) -> list[tuple[float, float]]:
        """``count`` (lat, lon) points inside district ``code`` (on its largest piece of land),
        spread over it and the same on every call: a Halton sequence over its bounding box,
        keeping the points that fall inside. For placing things where no coordinates ship
        (the simulated fleet's communes). Raises KeyError for an unknown district."""
        outer = max(self._districts[code].rings, key=_area)
        min_x, min_y, max_x, max_y = _bbox(outer)
        points: list[tuple[float, float]] = []
        index = 0
        while len(points) < count:
            index += 1
            x = min_x + _halton(index, 2) * (max_x - min_x)
            y = min_y + _halton(index, 3) * (max_y - min_y)
            if _inside((x, y), outer):
                points.append((round(y, 6), round(x, 6)))
        return points

    def districts_near_circle(self, lat: float, lon: float, radius_km: float) -> list[str]:
        """Codes of the districts within ``radius_km`` of the centre (or containing it)."""
        centre = (lon, lat)
        # Equirectangular projection around the centre: km-accurate well beyond a province.
        kx = math.radians(1) * EARTH_RADIUS_KM * math.cos(math.radians(lat))
        ky = math.radians(1) * EARTH_RADIUS_KM
        reach = (radius_km / max(kx, 1e-9), radius_km / ky)
        box = (lon - reach[0], lat - reach[1], lon + reach[0], lat + reach[1])

        def km(point: Point) -> Point:
            return ((point[0] - lon) * kx, (point[1] - lat) * ky)

        found = []
        for district in self._districts.values():
            if not _overlap(box, district.bbox):
                continue
            for outer in district.rings:
                if _inside(centre, outer) or any(
                    _distance_to_origin(km(a), km(b)) <= radius_km for a, b in _edges(outer)
                ):
                    found.append(district.code)
                    break
        return sorted(found)


@lru_cache(maxsize=1)
def _bundled() -> DistrictBoundaries:
    text = resources.files("nguon.data").joinpath(BINH_DINH_DISTRICTS).read_text(encoding="utf-8")
    return DistrictBoundaries.from_geojson(json.loads(text))


def _from_cap(polygon: Sequence[tuple[float, float]]) -> Ring:
    if len(polygon) < 3:
        raise ValueError("a polygon needs at least 3 points")
    return _open_ring([(lon, lat) for lat, lon in polygon])


def _open_ring(points: list[Point]) -> Ring:
    """Drop the closing point, so each edge is counted once and none has zero length."""
    if len(points) > 1 and points[0] == points[-1]:
        return points[:-1]
    return points


def _bbox(points: Iterable[Point]) -> BBox:
    xs, ys = zip(*points, strict=True)
    return (min(xs), min(ys), max(xs), max(ys))


def _overlap(a: BBox, b: BBox) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _area(ring: Ring) -> float:
    """The ring's area in square degrees (shoelace), whatever its orientation."""
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in _edges(ring))) / 2


def _halton(index: int, base: int) -> float:
    """The ``index``-th term of van der Corput's sequence in ``base``: evenly spread in [0, 1)."""
    value, fraction = 0.0, 1.0
    while index:
        fraction /= base
        index, digit = divmod(index, base)
        value += digit * fraction
    return value


def _edges(ring: Ring) -> Iterable[tuple[Point, Point]]:
    return zip(ring, ring[1:] + ring[:1], strict=True)


def _inside(point: Point, ring: Ring) -> bool:
    """Ray casting: a ray to the right crosses the ring an odd number of times."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in _edges(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _rings_intersect(a: Ring, b: Ring) -> bool:
    """Two simple rings meet when their edges cross, or else when one holds the other."""
    if _inside(a[0], b) or _inside(b[0], a):
        return True
    box_a = _bbox(a)
    # Only b's edges near a can cross one of a's; the rest are skipped cheaply.
    near = [edge for edge in _edges(b) if _overlap(box_a, _bbox(edge))]
    return any(_segments_cross(p, q, r, s) for p, q in _edges(a) for r, s in near)


def _orientation(p: Point, q: Point, r: Point) -> float:
    return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])


def _on_segment(p: Point, q: Point, r: Point) -> bool:
    """r, collinear with p-q, lies within the segment's box."""
    return min(p[0], q[0]) <= r[0] <= max(p[0], q[0]) and min(p[1], q[1]) <= r[1] <= max(p[1], q[1])


def _segments_cross(p: Point, q: Point, r: Point, s: Point) -> bool:
    """Segments p-q and r-s share a point (touching counts)."""
    d1, d2 = _orientation(r, s, p), _orientation(r, s, q)
    d3, d4 = _orientation(p, q, r), _orientation(p, q, s)
    if ((d1 > 0) != (d2 > 0) and d1 != 0 and d2 != 0) and (
        (d3 > 0) != (d4 > 0) and d3 != 0 and d4 != 0
    ):
        return True
    return (
        (d1 == 0 and _on_segment(r, s, p))
        or (d2 == 0 and _on_segment(r, s, q))
        or (d3 == 0 and _on_segment(p, q, r))
        or (d4 == 0 and _on_segment(p, q, s))
    )


def _distance_to_origin(a: Point, b: Point) -> float:
    """Distance from (0, 0) to segment a-b, in the units of the points."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(a[0] * dx + a[1] * dy) / length2))
    return math.hypot(a[0] + t * dx, a[1] + t * dy)
