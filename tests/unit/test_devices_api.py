"""The device routes in-process, from API Gateway events (in-memory stores, no AWS)."""

from itertools import count

import pytest

from nguon.models.devices import PlayRecord
from nguon.services.bulletins import BulletinService
from nguon.services.devices import DeviceService
from nguon.services.monitoring import MonitoringService
from nguon.services.programmes import ProgrammeService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.api_events import call as api_call
from tests.factories import at, bulletin, device
from tests.fakes import (
    FakeIotDataPlane,
    InMemoryBulletinStore,
    InMemoryDeviceStore,
    InMemoryProgrammeStore,
    InMemoryUnitStore,
)

SPEAKER = "spk-21550-01"


@pytest.fixture
def world(monkeypatch):
    import app
    from staff_api.routes import devices

    units = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
    bulletins = InMemoryBulletinStore()
    news = bulletin(id="news", times=["06:00"], duration_s=300)
    bulletins.bulletins[news.id] = news
    bulletins.events[news.id] = []
    bulletins.index[news.id] = set()
    store = InMemoryDeviceStore(
        [
            device(SPEAKER, online=True, last_seen=at("08:59"), volume=40),
            device("led-21550-01", kind="board"),
            device("spk-21808-01", unit_code="21808", online=True),
        ]
    )
    iot = FakeIotDataPlane()
    ids = count(1)
    service = DeviceService(
        units,
        store,
        iot,
        now=lambda: at("09:00"),
        new_id=lambda: f"cmd-{next(ids)}",
        programmes=ProgrammeService(units, bulletins, InMemoryProgrammeStore()),
        playable=BulletinService(units, bulletins, now=lambda: at("09:00")).playable,
    )
    monkeypatch.setattr(devices, "device_service", lambda: service)
    return app.lambda_handler, store, iot


def call(handler, method, path, *, user="huyen-operator", groups="operator", unit="540", **options):
    return api_call(handler, method, path, user=user, groups=groups, unit=unit, **options)


def test_the_devices_of_the_area_with_their_state_in_local_time(world):
    handler, _, _ = world

    status, body = call(handler, "GET", "/devices")

    assert status == 200
    assert [item["thing"] for item in body["items"]] == ["led-21550-01", SPEAKER]
    speaker = body["items"][1]
    assert speaker["online"] is True
    assert speaker["last_seen"] == "2026-12-01T08:59:00+07:00"
    assert speaker["location"] == {"lat": 13.78, "lon": 109.22}
    assert speaker["alarm_open"] is False
    assert "presence_version" not in speaker
    assert body["next"] is None


def test_devices_filtered_by_kind_and_online(world):
    handler, _, _ = world

    _, boards = call(handler, "GET", "/devices", query={"kind": "board"})
    _, online = call(
        handler,
        "GET",
        "/devices",
        query={"online": "true", "unit": "52"},
        user="tinh-viewer",
        groups="viewer",
        unit="52",
    )

    assert [item["thing"] for item in boards["items"]] == ["led-21550-01"]
    assert [item["thing"] for item in online["items"]] == [SPEAKER, "spk-21808-01"]


def test_one_device_and_an_unknown_one(world):
    handler, _, _ = world

    found, device_body = call(handler, "GET", f"/devices/{SPEAKER}")
    missing, problem = call(handler, "GET", "/devices/spk-99999-01")

    assert (found, device_body["volume"]) == (200, 40)
    assert missing == 404
    assert problem == {"code": "device_not_found", "message": "Không có thiết bị mã spk-99999-01."}


def test_a_volume_command_is_accepted_with_202_and_set_as_desired_state(world):
    handler, store, iot = world

    status, body = call(
        handler, "POST", f"/devices/{SPEAKER}/commands", body={"command": "volume", "value": 70}
    )

    assert status == 202
    assert (body["command_id"], body["status"], body["value"]) == ("cmd-1", "sent", 70)
    assert body["issued_at"] == "2026-12-01T09:00:00+07:00"
    assert body["issued_by"]["username"] == "huyen-operator"
    assert iot.shadows[(SPEAKER, "config")] == {"volume": 70}
    assert store.command(SPEAKER, "cmd-1") is not None


def test_another_districts_operator_is_refused_with_403_out_of_scope(world):
    handler, store, iot = world

    status, body = call(
        handler,
        "POST",
        f"/devices/{SPEAKER}/commands",
        body={"command": "reboot"},
        user="xa-tayson-operator",
        unit="21808",
    )

    assert status == 403
    assert body == {
        "code": "out_of_scope",
        "message": "Đơn vị 21550 nằm ngoài phạm vi quản lý của bạn (21808).",
    }
    assert (iot.published, store.commands) == ([], {})


def test_a_viewer_may_not_command(world):
    handler, _, _ = world

    status, body = call(
        handler,
        "POST",
        f"/devices/{SPEAKER}/commands",
        body={"command": "stop"},
        user="huyen-viewer",
        groups="viewer",
    )

    assert (status, body["code"]) == (403, "role_missing")


def test_a_volume_out_of_range_is_422_with_a_vietnamese_reason(world):
    handler, _, iot = world

    status, body = call(
        handler, "POST", f"/devices/{SPEAKER}/commands", body={"command": "volume", "value": 170}
    )

    assert status == 422
    [problem] = body["details"]
    assert problem["type"] == "command_value"
    assert problem["message"] == "Lệnh volume cần giá trị (value): 0–100."
    assert iot.shadows == {}


def test_the_plays_of_a_device(world):
    handler, store, _ = world
    store.add_plays(
        [
            PlayRecord(
                thing=SPEAKER,
                unit="21550",
                play_id="p1",
                bulletin_id="news",
                started_at=at("06:00"),
                ended_at=at("06:05"),
                result="ok",
            )
        ]
    )

    status, body = call(
        handler,
        "GET",
        f"/devices/{SPEAKER}/plays",
        query={"from": "2026-12-01", "to": "2026-12-01"},
    )
    _, other_day = call(handler, "GET", f"/devices/{SPEAKER}/plays", query={"from": "2026-12-02"})

    assert status == 200
    assert [(p["play_id"], p["duration_s"], p["started_at"]) for p in body] == [
        ("p1", 300.0, "2026-12-01T06:00:00+07:00")
    ]
    assert other_day == []


def test_open_alarms_of_the_area(world):
    handler, store, _ = world
    MonitoringService(store, now=lambda: at("09:10")).sweep()

    status, body = call(handler, "GET", "/alarms", query={"open": "true"})
    _, closed = call(handler, "GET", "/alarms", query={"open": "false"})

    assert status == 200
    [alarm] = body["items"]
    assert (alarm["thing"], alarm["reason"], alarm["open"]) == (SPEAKER, "missed_heartbeats", True)
    assert alarm["opened_at"] == "2026-12-01T09:10:00+07:00"
    assert closed["items"] == []


def test_the_summary_of_a_unit(world):
    handler, _, _ = world

    status, body = call(handler, "GET", "/units/540/devices/summary")
    refused, problem = call(handler, "GET", "/units/547/devices/summary")

    assert status == 200
    assert body == {
        "unit": "540",
        "online": 1,
        "total": 2,
        "kinds": {"speaker": {"online": 1, "total": 1}, "board": {"online": 0, "total": 1}},
    }
    assert (refused, problem["code"]) == (403, "out_of_scope")


def test_station_statistics_of_a_commune(world):
    handler, store, _ = world
    store.add_plays(
        [
            PlayRecord(
                thing=SPEAKER,
                unit="21550",
                play_id="p1",
                bulletin_id="news",
                started_at=at("06:00"),
                ended_at=at("06:04"),
                result="ok",
            )
        ]
    )

    status, body = call(
        handler, "GET", "/units/21550/stations", query={"from": "2026-12-01", "to": "2026-12-01"}
    )

    assert status == 200
    assert (body["unit"], body["from"], body["to"]) == ("21550", "2026-12-01", "2026-12-01")
    speaker = next(s for s in body["stations"] if s["station"] == SPEAKER)
    assert (speaker["play_time_s"], speaker["requested_time_s"], speaker["ratio"]) == (
        240,
        300,
        0.8,
    )
    assert speaker["district_name"] == "Thành phố Quy Nhơn"


def test_a_range_that_is_too_long_says_so_in_english_on_request(world):
    handler, _, _ = world

    status, body = call(
        handler,
        "GET",
        "/units/21550/stations",
        query={"from": "2026-12-01", "to": "2027-03-01"},
        **{"Accept-Language": "en"},
    )

    assert (status, body["code"]) == (422, "range_too_long")
    assert body["message"] == "A range covers at most 31 days."
