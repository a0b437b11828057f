import pytest

from nguon.services.geo import DistrictBoundaries

QUY_NHON = "540"
ALL_DISTRICTS = ["540", "542", "543", "544", "545", "546", "547", "548", "549", "550", "551"]
COAST = [
    (14.72, 109.05),
    (14.72, 109.30),
    (13.55, 109.45),
    (13.55, 109.25),
    (13.80, 109.21),
    (13.95, 109.21),
    (14.10, 109.15),
    (14.40, 109.08),
    (14.72, 109.05),
]


def square(lat, lon, half):
    """A closed CAP polygon, (lat, lon) pairs, ``half`` degrees either side of the centre."""
    return [
        (lat - half, lon - half),
        (lat - half, lon + half),
        (lat + half, lon + half),
        (lat + half, lon - half),
        (lat - half, lon - half),
    ]


@pytest.fixture(scope="module")
def boundaries():
    return DistrictBoundaries.bundled()


def test_bundled_boundaries_are_the_eleven_districts_and_read_once(boundaries):
    assert boundaries.codes == ALL_DISTRICTS
    assert DistrictBoundaries.bundled() is boundaries


def test_small_polygon_around_quy_nhon_centre_touches_quy_nhon_only(boundaries):
    polygon = square(13.77, 109.22, 0.01)

    assert boundaries.districts_touching(polygon) == [QUY_NHON]
    assert not boundaries.covers(polygon, QUY_NHON)


def test_polygon_around_the_province_touches_and_covers_every_district(boundaries):
    polygon = [(13.4, 108.5), (13.4, 109.5), (14.8, 109.5), (14.8, 108.5), (13.4, 108.5)]

    assert boundaries.districts_touching(polygon) == ALL_DISTRICTS
    assert all(boundaries.covers(polygon, code) for code in ALL_DISTRICTS)


def test_polygon_over_ha_noi_touches_nothing(boundaries):
    assert boundaries.districts_touching(square(21.03, 105.85, 0.2)) == []


def test_coastal_strip_touches_the_five_coastal_districts(boundaries):
    assert boundaries.districts_touching(COAST) == ["540", "543", "545", "548", "550"]


def test_band_crossing_a_district_with_no_corner_inside_it_still_touches_it(boundaries):
    # A thin east-west band through An Nhơn (549) whose corners all lie in its neighbours or
    # at sea: the overlap shows only through crossing edges.
    band = [(13.93, 108.80), (13.93, 109.40), (13.935, 109.40), (13.935, 108.80), (13.93, 108.80)]

    assert "549" in boundaries.districts_touching(band)


def test_an_open_ring_is_accepted(boundaries):
    assert boundaries.districts_touching(square(13.77, 109.22, 0.01)[:-1]) == [QUY_NHON]


def test_circle_around_quy_nhon_centre(boundaries):
    assert boundaries.districts_near_circle(13.77, 109.22, 1.0) == [QUY_NHON]
    assert boundaries.districts_near_circle(13.77, 109.22, 10.0) == [QUY_NHON, "550"]


def test_circle_at_sea_reaches_the_coast_only_when_large_enough(boundaries):
    assert boundaries.districts_near_circle(13.9, 109.5, 15.0) == []
    assert boundaries.districts_near_circle(13.9, 109.5, 25.0) == [QUY_NHON]


def test_covers_an_unknown_district_raises(boundaries):
    with pytest.raises(KeyError):
        boundaries.covers(square(13.77, 109.22, 1.0), "999")


def test_geojson_polygon_geometry_is_read_too():
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "901", "name": "Huyện Thử"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[100, 10], [101, 10], [101, 11], [100, 11], [100, 10]]],
                },
            }
        ],
    }
    boundaries = DistrictBoundaries.from_geojson(document)

    assert boundaries.districts_touching(square(10.5, 100.5, 0.1)) == ["901"]
    assert boundaries.covers(square(10.5, 100.5, 1.0), "901")
    assert boundaries.districts_near_circle(10.5, 102.0, 100.0) == []
    assert boundaries.districts_near_circle(10.5, 102.0, 120.0) == ["901"]
