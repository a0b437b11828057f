"""Devices as staff steer them: commands in scope and their outcome, lists, the summary of an
area, and per-station statistics against the programme."""

import json
from datetime import date, datetime, timedelta
from itertools import count
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from nguon.clock import localize
from nguon.errors import Conflict, Forbidden, InvalidInput, NguonError
from nguon.models.device_commands import CommandRequest, CommandStatus
from nguon.models.devices import DeviceKind, DeviceStatus
from nguon.models.monitoring import PlayRecord
from nguon.models.principal import Role
from nguon.services.bulletins import BulletinService
from nguon.services.devices import DeviceService
from nguon.services.monitoring import MonitoringService
from nguon.services.programmes import ProgrammeService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.factories import DAY, at, bulletin, device, person
from tests.fakes import (
    FakeIotDataPlane,
    InMemoryBulletinStore,
    InMemoryDeviceStore,
    InMemoryProgrammeStore,
    InMemoryUnitStore,
)

SCHEMAS = Path(__file__).parents[2] / "device_sdk" / "nguon_device" / "schemas"
THE_DAY = date.fromisoformat(DAY)
NOW = at("09:00")

city_operator = person("huyen-operator", "540", Role.OPERATOR)
city_viewer = person("huyen-viewer", "540", Role.VIEWER)
tayson_operator = person("xa-tayson-operator", "21808", Role.OPERATOR)
province_viewer = person("tinh-viewer", "52", Role.VIEWER)

SPEAKER = "spk-21550-01"


@pytest.fixture
def bulletins():
    store = InMemoryBulletinStore()
    for made in (
        bulletin(id="news", times=["06:00"], duration_s=300),
        bulletin(id="notice", priority="priority", at_time="08:00", duration_s=120),
        bulletin(id="flood", priority="emergency", at_time="10:00", duration_s=60),
    ):
        store.bulletins[made.id] = made
        store.events[made.id] = []
        store.index[made.id] = set()
    return store


@pytest.fixture
def store():
    return InMemoryDeviceStore(
        [
            device(SPEAKER, online=True, volume=40, power="on"),
            device("spk-21550-02"),
            device("led-21550-01", kind="board", online=True),
            device("spk-21553-01", unit_code="21553"),
            device("spk-21808-01", unit_code="21808", online=True),
            device("spk-21550-old", online=True, status=DeviceStatus.DECOMMISSIONED),
        ]
    )


@pytest.fixture
def iot():
    return FakeIotDataPlane()


@pytest.fixture
def service(store, iot, bulletins):
    units = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
    ids = count(1)
    return DeviceService(
        units,
        store,
        iot,
        now=lambda: NOW,
        new_id=lambda: f"cmd-{next(ids)}",
        programmes=ProgrammeService(units, bulletins, InMemoryProgrammeStore()),
        playable=BulletinService(units, bulletins, now=lambda: NOW).playable,
    )


@pytest.fixture
def monitoring(store):
    return MonitoringService(store, now=lambda: NOW)


def command(**body) -> CommandRequest:
    return CommandRequest.model_validate(body)


def config_report(thing: str, moment, **reported) -> dict:
    return {
        "thing": thing,
        "shadow": "config",
        "reported": reported,
        "stream": "shadow_report",
        "received_at": int(moment.timestamp() * 1000),
    }


def played(play_id, start, seconds, bulletin_id="news", result="ok", emergency=False):
    begin = localize(datetime.fromisoformat(start))
    return PlayRecord(
        thing=SPEAKER,
        unit="21550",
        play_id=play_id,
        bulletin_id=bulletin_id,
        started_at=begin,
        ended_at=begin + timedelta(seconds=seconds),
        result=result,
        emergency=emergency,
    )


# --- commands ---------------------------------------------------------------------------------


def test_a_volume_command_is_desired_state_and_a_report_of_that_volume_marks_it_done(
    service, store, iot, monitoring
):
    sent = service.command(city_operator, SPEAKER, command(command="volume", value=70))

    assert sent.status is CommandStatus.SENT
    assert iot.shadows[(SPEAKER, "config")] == {"volume": 70}
    assert iot.published == []

    monitoring.handle(config_report(SPEAKER, NOW + timedelta(seconds=2), volume=70))

    done = store.command(SPEAKER, sent.command_id)
    assert (done.status, done.outcome) == (CommandStatus.DONE, "reported")
    assert done.reported_at == NOW + timedelta(seconds=2)
    assert store.get(SPEAKER).volume == 70


def test_a_commands_status_reads_sent_then_done_once_the_device_reports(service, store, monitoring):
    sent = service.command(city_operator, SPEAKER, command(command="volume", value=70))
    viewer = person("viewer", "540", Role.VIEWER)

    assert service.command_status(viewer, SPEAKER, sent.command_id).status is CommandStatus.SENT
    monitoring.handle(config_report(SPEAKER, NOW + timedelta(seconds=2), volume=70))

    shown = service.command_status(viewer, SPEAKER, sent.command_id)
    assert (shown.status, shown.outcome, shown.value) == (CommandStatus.DONE, "reported", 70)
    assert shown.reported_at == NOW + timedelta(seconds=2)


def test_a_commands_status_is_in_scope_and_an_unknown_one_is_not_found(service):
    sent = service.command(city_operator, SPEAKER, command(command="reboot"))

    with pytest.raises(Forbidden):
        service.command_status(person("other", "547", Role.VIEWER), SPEAKER, sent.command_id)
    with pytest.raises(NguonError) as missing:
        service.command_status(city_operator, SPEAKER, "no-such-command")
    assert missing.value.code == "command_not_found"


def test_a_report_of_another_volume_leaves_the_command_waiting(service, store, monitoring):
    sent = service.command(city_operator, SPEAKER, command(command="volume", value=70))

    monitoring.handle(config_report(SPEAKER, NOW + timedelta(seconds=2), volume=55))

    assert store.command(SPEAKER, sent.command_id).status is CommandStatus.SENT


def test_a_later_volume_command_supersedes_the_one_the_device_skipped(service, store, monitoring):
    first = service.command(city_operator, SPEAKER, command(command="volume", value=70))
    store.commands[(SPEAKER, first.command_id)] = first.model_copy(
        update={"issued_at": NOW - timedelta(seconds=30)}
    )
    second = service.command(city_operator, SPEAKER, command(command="volume", value=20))

    monitoring.handle(config_report(SPEAKER, NOW + timedelta(seconds=2), volume=20))

    skipped = store.command(SPEAKER, first.command_id)
    assert (skipped.status, skipped.outcome) == (CommandStatus.FAILED, "superseded")
    assert store.command(SPEAKER, second.command_id).status is CommandStatus.DONE


def test_a_power_command_reported_before_it_was_issued_stays_waiting(service, store, monitoring):
    sent = service.command(city_operator, "spk-21550-02", command(command="power", value="off"))

    monitoring.handle(config_report("spk-21550-02", NOW - timedelta(seconds=5), power="off"))

    assert store.command("spk-21550-02", sent.command_id).status is CommandStatus.SENT


def test_a_volume_the_device_already_reports_is_done_at_once(service, iot):
    # The shadow sends no delta when desired equals reported: nothing would ever answer.
    record = service.command(city_operator, SPEAKER, command(command="volume", value=40))

    assert (record.status, record.outcome) == (CommandStatus.DONE, "unchanged")
    assert iot.shadows[(SPEAKER, "config")] == {"volume": 40}


def test_reboot_goes_on_the_command_topic_in_the_contract_shape(service, iot, store, monitoring):
    record = service.command(city_operator, SPEAKER, command(command="reboot"))
    play_now = service.command(
        city_operator, SPEAKER, command(command="play_now", args={"bulletin_id": "flood"})
    )

    registry = Registry().with_resources(
        (name, Resource.from_contents(json.loads((SCHEMAS / name).read_text())))
        for name in ("command.json", "manifest.json")
    )
    validator = jsonschema.Draft202012Validator(
        json.loads((SCHEMAS / "command.json").read_text()), registry=registry
    )
    [(topic, message, qos), (_, second, _)] = iot.published
    assert topic == f"nguon/devices/{SPEAKER}/commands"
    assert qos == 1
    validator.validate(message)
    validator.validate(second)
    assert message == {
        "command_id": record.command_id,
        "command": "reboot",
        "issued_at": "2026-12-01T09:00:00+07:00",
    }
    assert second["args"] == {"bulletin_id": "flood"}
    assert play_now.status is CommandStatus.SENT


def test_commands_need_the_manage_permission(service, iot):
    with pytest.raises(Forbidden) as refused:
        service.command(city_viewer, SPEAKER, command(command="reboot"))

    assert refused.value.code == "role_missing"
    assert refused.value.params == {"permission": "devices:manage"}
    assert iot.published == []


def test_commands_to_another_districts_device_are_out_of_scope(service, store, iot):
    with pytest.raises(Forbidden) as refused:
        service.command(tayson_operator, SPEAKER, command(command="volume", value=10))

    assert refused.value.code == "out_of_scope"
    assert refused.value.params == {"unit": "21550", "home_unit": "21808"}
    assert iot.shadows == {}
    assert store.commands == {}


def test_an_undeliverable_command_is_recorded_as_failed(service, store, iot):
    iot.fail = ConnectionError("iot-data unreachable")

    with pytest.raises(NguonError) as failed:
        service.command(city_operator, SPEAKER, command(command="stop"))

    assert failed.value.code == "command_not_delivered"
    [record] = store.commands.values()
    assert (record.status, record.outcome) == (CommandStatus.FAILED, "not_delivered")


def test_a_decommissioned_device_takes_no_commands(service):
    with pytest.raises(Conflict) as refused:
        service.command(city_operator, "spk-21550-old", command(command="reboot"))

    assert refused.value.code == "device_decommissioned"


# --- reading --------------------------------------------------------------------------------


def test_lists_show_the_area_and_hide_decommissioned_devices(service):
    found, cursor = service.list(city_operator)

    assert [d.thing for d in found] == [
        "led-21550-01", "spk-21550-01", "spk-21550-02", "spk-21553-01",
    ]  # fmt: skip
    assert cursor is None


def test_lists_filter_by_kind_online_and_status(service):
    speakers_online, _ = service.list(province_viewer, kind=DeviceKind.SPEAKER, online=True)
    retired, _ = service.list(city_operator, status=DeviceStatus.DECOMMISSIONED)

    assert [d.thing for d in speakers_online] == ["spk-21550-01", "spk-21808-01"]
    assert [d.thing for d in retired] == ["spk-21550-old"]


def test_lists_come_in_pages(service):
    first, cursor = service.list(city_operator, limit=3)
    rest, end = service.list(city_operator, limit=3, cursor=cursor)

    assert len(first) == 3
    assert [d.thing for d in rest] == ["spk-21553-01"]
    assert end is None


def test_another_districts_device_is_out_of_scope_to_read(service):
    with pytest.raises(Forbidden) as refused:
        service.get(city_viewer, "spk-21808-01")

    assert refused.value.code == "out_of_scope"


def test_summary_counts_online_and_total_per_kind_over_a_subtree(service):
    city = service.summary(city_viewer, "540")
    ward = service.summary(city_viewer, "21553")
    province = service.summary(province_viewer, "52")

    assert (city.online, city.total) == (2, 4)
    assert city.kinds[DeviceKind.SPEAKER].model_dump() == {"online": 1, "total": 3}
    assert city.kinds[DeviceKind.BOARD].model_dump() == {"online": 1, "total": 1}
    assert (ward.online, ward.total) == (0, 1)
    assert (province.online, province.total) == (3, 5)


def test_alarms_of_an_area_open_or_all(service, monitoring, store):
    for thing in (SPEAKER, "spk-21808-01"):
        monitoring.handle(
            {"clientId": thing, "timestamp": int(NOW.timestamp() * 1000),
             "eventType": "disconnected", "versionNumber": 3, "stream": "presence"}
        )  # fmt: skip
    monitoring.handle(
        {"clientId": SPEAKER, "timestamp": int(NOW.timestamp() * 1000) + 60_000,
         "eventType": "connected", "versionNumber": 4, "stream": "presence"}
    )  # fmt: skip

    open_in_city, _ = service.alarms(city_viewer, open=True)
    all_in_city, _ = service.alarms(city_viewer)
    open_everywhere, _ = service.alarms(province_viewer, open=True)

    assert open_in_city == []
    assert [(a.thing, a.open) for a in all_in_city] == [(SPEAKER, False)]
    assert [a.thing for a in open_everywhere] == ["spk-21808-01"]


def test_plays_of_a_device_over_local_days(service, store):
    store.add_plays(
        [
            played("p-before", "2026-11-30T23:59:00", 60),
            played("p-day", "2026-12-01T00:00:00", 60),
            played("p-next", "2026-12-02T06:00:00", 60),
        ]
    )

    one_day = service.plays(city_viewer, SPEAKER, THE_DAY, THE_DAY)
    two_days = service.plays(city_viewer, SPEAKER, THE_DAY, THE_DAY + timedelta(days=1))

    assert [p.play_id for p in one_day] == ["p-day"]
    assert [p.play_id for p in two_days] == ["p-day", "p-next"]


@pytest.mark.parametrize(
    ("end", "code"),
    [(THE_DAY - timedelta(days=1), "range_ends_before_start"),
     (THE_DAY + timedelta(days=31), "range_too_long")],
)  # fmt: skip
def test_ranges_are_checked(service, end, code):
    with pytest.raises(InvalidInput) as refused:
        service.plays(city_viewer, SPEAKER, THE_DAY, end)

    assert refused.value.code == code


# --- station statistics --------------------------------------------------------------------------


def test_station_statistics_weigh_what_played_against_the_programme(service, store):
    store.add_plays(
        [
            played("p1", "2026-12-01T06:00:00", 300, "news"),
            played("p2", "2026-12-01T08:00:00", 40, "notice", result="interrupted"),
            played("p3", "2026-12-01T10:00:00", 60, "flood", emergency=True),
        ]
    )

    report = service.stations(city_viewer, "21550", THE_DAY, THE_DAY)

    stats = {s.station: s for s in report.stations}
    speaker = stats[SPEAKER]
    assert (speaker.bulletins_total, speaker.played_ok, speaker.emergency) == (3, 2, 1)
    assert (speaker.play_time_s, speaker.requested_time_s) == (360, 480)
    assert speaker.ratio == 0.75
    assert (speaker.district, speaker.district_name) == ("540", "Thành phố Quy Nhơn")
    assert (speaker.commune, speaker.commune_name) == ("21550", "Phường Nhơn Bình")
    assert (speaker.speakers, speaker.lat, speaker.lon) == (4, 13.78, 109.22)
    # Nothing plays there yet: asked for, never played.
    assert (stats["spk-21550-02"].ratio, stats["spk-21550-02"].played_ok) == (0.0, 0)
    # The bulletins go to speakers only: a board is asked for nothing.
    board = stats["led-21550-01"]
    assert (board.bulletins_total, board.requested_time_s, board.ratio) == (0, 0, None)
    assert "spk-21550-old" not in stats


def test_station_statistics_add_up_over_days(service, store):
    store.add_plays([played("p1", "2026-12-01T06:00:00", 300, "news")])

    report = service.stations(city_viewer, "21550", THE_DAY, THE_DAY + timedelta(days=1))

    speaker = next(s for s in report.stations if s.station == SPEAKER)
    # The test bulletins play on the test day only: the second day asks for nothing.
    assert (speaker.requested_time_s, speaker.play_time_s, speaker.ratio) == (480, 300, 0.625)
    assert (report.start, report.end) == (THE_DAY, THE_DAY + timedelta(days=1))


def test_station_statistics_need_the_area_in_scope(service):
    with pytest.raises(Forbidden):
        service.stations(city_viewer, "21808", THE_DAY, THE_DAY)
