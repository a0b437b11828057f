"""The simulated fleet stands where its communes are: every device inside its own district's
shipped boundary, each commune's devices together, the same on every run."""

from infra.localcloud.fleet import FleetPlan, commune_places, registrations
from nguon.models.units import UnitLevel
from nguon.services.geo import DistrictBoundaries
from nguon.services.unit_catalogue import load_bundled_catalogue

UNITS = load_bundled_catalogue()
DISTRICT_OF = {unit.code: unit.parent for unit in UNITS if unit.level is UnitLevel.COMMUNE}


def test_every_device_of_the_commune_fleet_lies_inside_its_own_district():
    boundaries = DistrictBoundaries.bundled()
    fleet = registrations(FleetPlan.parse("commune"), UNITS)

    assert len(fleet) == 2 * len(DISTRICT_OF) == 310
    outside = [
        (r.name, r.location.lat, r.location.lon)
        for r in fleet
        if not boundaries.contains(DISTRICT_OF[r.unit], r.location.lat, r.location.lon)
    ]
    assert outside == []


def test_no_device_stands_in_another_district():
    boundaries = DistrictBoundaries.bundled()
    for r in registrations(FleetPlan.parse("2"), UNITS):
        inside = [
            code
            for code in boundaries.codes
            if boundaries.contains(code, r.location.lat, r.location.lon)
        ]
        assert inside == [DISTRICT_OF[r.unit]], r.name


def test_phuong_nhon_binh_stands_in_quy_nhon_near_its_commune_point():
    boundaries = DistrictBoundaries.bundled()
    place = commune_places(UNITS)["21550"]
    boards = [r for r in registrations(FleetPlan.parse("commune"), UNITS) if r.unit == "21550"]

    assert boundaries.contains("540", *place)
    for r in boards:
        assert abs(r.location.lat - place[0]) < 0.01
        assert abs(r.location.lon - place[1]) < 0.01


def test_placement_is_the_same_every_run_and_communes_stand_apart():
    first, again = commune_places(UNITS), commune_places(list(reversed(UNITS)))

    assert first == again
    assert set(first) == set(DISTRICT_OF)
    assert len(set(first.values())) == len(first)
