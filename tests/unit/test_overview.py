"""A unit's overview: devices online by district (province) or commune (district), open alarms,
the day's emergencies, bulletins awaiting the caller's approval, and plays against the plan."""

from datetime import date, timedelta

import pytest

from nguon.errors import Forbidden
from nguon.models.bulletins import Status
from nguon.models.principal import Role
from nguon.services.bulletins import BulletinService
from nguon.services.overview import OverviewService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.factories import DAY, at, bulletin, device, person, unit
from tests.fakes import (
    InMemoryBulletinStore,
    InMemoryDailyCounts,
    InMemoryDeviceStore,
    InMemoryUnitStore,
)

NOW = at("09:00")
TODAY = date.fromisoformat(DAY)
province_operator = person("tinh-operator", "52", Role.OPERATOR)
city_approver = person("huyen-approver", "540", Role.APPROVER)


@pytest.fixture
def counts():
    return InMemoryDailyCounts()


@pytest.fixture
def bulletins():
    store = InMemoryBulletinStore()
    for made in (
        bulletin(id="em-today", priority="emergency", issuer="540", at_time="08:00"),
        bulletin(id="news-today", issuer="540"),
        bulletin(id="em-pending", priority="emergency", issuer="540", status=Status.PENDING),
        bulletin(id="ward-pending", issuer="21550", status=Status.PENDING),
        bulletin(id="tay-son-pending", issuer="21808", status=Status.PENDING),
    ):
        store.bulletins[made.id] = made
        # Listed, as the DynamoDB store lists it, under its issuer and targets and above them.
        store.index[made.id] = {
            code
            for place in (made.issuer_unit, *made.targets)
            for code in (*unit(place).ancestors, place)
        }
    return store


@pytest.fixture
def service(counts, bulletins):
    units = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
    store = InMemoryDeviceStore(
        [
            device("spk-21550-01", online=True),
            device("led-21550-01", kind="board", online=True),
            device("spk-21553-01", unit_code="21553", alarm_opened_at=NOW - timedelta(hours=2)),
            device("spk-21808-01", unit_code="21808", alarm_opened_at=NOW - timedelta(hours=1)),
        ]
    )
    return OverviewService(
        units,
        store,
        counts,
        BulletinService(units, bulletins, now=lambda: NOW),
        now=lambda: NOW,
    )


def test_the_province_sees_devices_by_district_and_the_newest_alarm_first(service):
    seen = service.overview(province_operator, "52")

    by_unit = {part.code: part for part in seen.devices.by_unit}
    assert len(by_unit) == 11  # Bình Định's districts, each listed even without devices
    assert (seen.devices.online, seen.devices.total) == (2, 4)
    assert (by_unit["540"].online, by_unit["540"].total) == (2, 3)
    assert (by_unit["547"].online, by_unit["547"].total) == (0, 1)
    assert by_unit["543"].total == 0
    assert by_unit["543"].lat is None
    assert seen.alarms.open == 2
    assert [alarm.thing for alarm in seen.alarms.newest] == ["spk-21808-01", "spk-21553-01"]


def test_a_district_sees_its_communes(service):
    seen = service.overview(city_approver, "540")

    by_unit = {part.code: part for part in seen.devices.by_unit}
    assert (by_unit["21550"].online, by_unit["21550"].total) == (2, 2)
    assert (by_unit["21553"].online, by_unit["21553"].total) == (0, 1)
    assert seen.alarms.open == 1
    assert all(code.startswith("21") for code in by_unit)


def test_plays_today_against_the_plan_per_device_kind(service, counts):
    counts.add_played(
        {("21550", TODAY): 5, ("21808", TODAY): 2, ("21550", TODAY - timedelta(1)): 9}
    )
    counts.set_planned("21550", TODAY, "speaker", 4)
    counts.set_planned("21550", TODAY, "board", 3)
    counts.set_planned("21553", TODAY, "speaker", 6)

    seen = service.overview(city_approver, "540")

    assert (seen.plays_today.played, seen.plays_today.planned) == (5, 4 + 3 + 6)
    assert service.overview(province_operator, "52").plays_today.played == 7


def test_todays_emergencies_and_the_approvers_queue(service):
    seen = service.overview(city_approver, "540")

    assert {item.id for item in seen.emergencies_today.items} == {"em-today", "em-pending"}
    # Issued in Quy Nhơn (the city and its ward): the city approver's; Tây Sơn's is not.
    assert {item.id for item in seen.awaiting_approval.items} == {"em-pending", "ward-pending"}
    assert seen.awaiting_approval.count == 2


def test_who_approves_nothing_has_no_queue(service):
    seen = service.overview(person("huyen-viewer", "540", Role.VIEWER), "540")

    assert seen.awaiting_approval.count == 0
    assert len(seen.emergencies_today.items) == 2


def test_another_district_is_out_of_scope(service):
    with pytest.raises(Forbidden):
        service.overview(city_approver, "547")


def test_plays_per_area_for_the_chart(service, counts):
    counts.add_played({("21550", TODAY): 5, ("21808", TODAY): 2, ("21553", TODAY): 1})
    counts.set_planned("21550", TODAY, "speaker", 4)
    counts.set_planned("21808", TODAY, "speaker", 3)

    province = service.overview(province_operator, "52")
    by_district = {part.code: (part.played, part.planned) for part in province.plays_today.by_unit}
    assert [part.code for part in province.plays_today.by_unit] == [
        part.code for part in province.devices.by_unit
    ]
    # Quy Nhơn (540) holds 21550 and 21553; Tây Sơn (547) holds 21808; Vân Canh has nothing.
    assert by_district["540"] == (5 + 1, 4)
    assert by_district["547"] == (2, 3)
    assert by_district["543"] == (0, 0)
    assert province.level == "province"

    city = service.overview(city_approver, "540")
    by_commune = {part.code: (part.played, part.planned) for part in city.plays_today.by_unit}
    assert by_commune["21550"] == (5, 4)
    assert by_commune["21553"] == (1, 0)
    assert city.level == "district"


def test_the_queue_holds_every_pending_bulletin_however_far_down_the_list(service, bulletins):
    # Pending bulletins at both ends of the city's list, 120 approved ones between them: more
    # than one page of the list, so a queue read from the list's first match misses one.
    spaced = [f"{1 + minutes // 60:02d}:{minutes % 60:02d}" for minutes in range(0, 1200, 10)]
    made = [
        bulletin(id="late-pending", issuer="540", at_time="23:59", status=Status.PENDING),
        *(bulletin(id=f"news-{n}", issuer="540", at_time=time) for n, time in enumerate(spaced)),
        bulletin(id="early-pending", issuer="540", at_time="00:01", status=Status.PENDING),
    ]
    for one in made:
        bulletins.bulletins[one.id] = one
        bulletins.index[one.id] = {"52", "540"}

    queue = service.overview(city_approver, "540").awaiting_approval

    assert {item.id for item in queue.items} >= {"late-pending", "early-pending"}
    assert queue.count == 4  # with em-pending and ward-pending of the fixture
    assert not queue.more


def test_an_emergency_from_above_aimed_inside_the_area_is_in_its_approvers_queue(
    service, bulletins
):
    # The emergency clause: a province emergency aimed only at Quy Nhơn's wards.
    from_above = bulletin(
        id="province-em",
        priority="emergency",
        issuer="52",
        targets=["21550", "21553"],
        status=Status.PENDING,
    )
    bulletins.bulletins[from_above.id] = from_above
    bulletins.index[from_above.id] = {"52", "540", "21550", "21553"}

    assert "province-em" in {
        item.id for item in service.overview(city_approver, "540").awaiting_approval.items
    }
    # Nor does another district's approver see it.
    tay_son = person("tay-son-approver", "547", Role.APPROVER)
    assert "province-em" not in {
        item.id for item in service.overview(tay_son, "547").awaiting_approval.items
    }
