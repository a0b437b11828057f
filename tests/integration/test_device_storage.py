"""The DynamoDB device store's guarantees, on the local cloud's DynamoDB: conditional monitoring
changes, one alarm per outage in one transaction, plays stored once, subtree listings and the
communes' pointers, commands settled once."""

import json
import time
import uuid
from datetime import datetime, timedelta

import pytest

from nguon.clock import localize
from nguon.errors import Conflict, InvalidInput
from nguon.models.bulletins import Actor
from nguon.models.device_commands import CommandRecord, CommandStatus
from nguon.models.devices import DeviceKind, DeviceStatus
from nguon.models.monitoring import DeviceUpdate, PlayRecord, PlayResult
from nguon.services.monitoring import MonitoringService, Outcome
from nguon.storage.daily_counts import DynamoDailyCounts
from tests.factories import device
from tests.integration.mqtt_clients import Client, project_ca, write_identity

T0 = localize(datetime(2026, 12, 1, 8, 0))


@pytest.fixture(scope="module")
def store(cloud):
    from nguon.storage.devices import DynamoDeviceStore

    return DynamoDeviceStore()


@pytest.fixture
def run() -> str:
    """A suffix of this test's own, so that tests sharing the session's table never meet."""
    return uuid.uuid4().hex[:8]


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def presence(thing: str, kind: str, version: int, moment: datetime) -> dict:
    return {
        "clientId": thing,
        "timestamp": ms(moment),
        "eventType": kind,
        "versionNumber": version,
        "sessionIdentifier": f"s-{version}",
        "stream": "presence",
    }


def alarms_of(store, thing: str, path: list[str]) -> list:
    found, _ = store.alarms(path, limit=100)
    return [alarm for alarm in found if alarm.thing == thing]


def test_a_device_reads_back_and_a_thing_is_created_once(store, run):
    made = device(f"spk-{run}", online=False)
    store.create(made)

    with pytest.raises(Conflict) as refused:
        store.create(made.model_copy(update={"name": "Khác"}))

    assert store.get(made.thing) == made
    assert refused.value.code == "device_exists"


def test_one_alarm_per_outage_on_dynamodb(store, run):
    thing = f"spk-{run}"
    store.create(device(thing, online=True, last_seen=T0, connected_at=T0))
    monitoring = MonitoringService(store, now=lambda: T0)
    path = ["52", "540", "21550"]

    # The sweep finds it silent, then its disconnect arrives, twice.
    monitoring.sweep(T0 + timedelta(minutes=4))
    monitoring.sweep(T0 + timedelta(minutes=5))
    assert store.get(thing).online is False
    gone = presence(thing, "disconnected", 3, T0 + timedelta(minutes=3))
    assert monitoring.handle(gone) is Outcome.UPDATED
    assert monitoring.handle(gone) is Outcome.STALE
    [first] = alarms_of(store, thing, path)
    assert first.open

    # Back: the alarm closes in the same transaction; the next outage opens a new one.
    back = monitoring.handle(presence(thing, "connected", 4, T0 + timedelta(minutes=6)))
    late = monitoring.handle(presence(thing, "connected", 3, T0 + timedelta(minutes=2)))
    again = monitoring.handle(presence(thing, "disconnected", 4, T0 + timedelta(minutes=9)))

    assert (back, late, again) == (Outcome.CAME_ONLINE, Outcome.STALE, Outcome.WENT_OFFLINE)
    closed, second = alarms_of(store, thing, path)
    assert (closed.open, closed.closed_at) == (False, T0 + timedelta(minutes=6))
    assert (second.open, second.opened_at) == (True, T0 + timedelta(minutes=9))
    assert store.get(thing).alarm_opened_at == second.opened_at
    open_in_ward, _ = store.alarms(path, open=True, limit=100)
    assert [a.opened_at for a in open_in_ward if a.thing == thing] == [second.opened_at]


def test_a_change_decided_on_a_stale_read_writes_nothing(store, run):
    thing = f"spk-{run}"
    store.create(device(thing, online=True, last_seen=T0))
    current = store.get(thing)
    went = DeviceUpdate(
        thing,
        True,
        {"online": False, "alarm_opened_at": T0 + timedelta(minutes=5)},
        unchanged={"last_seen": T0, "connected_at": None},
        opens=None,
    )
    heard = DeviceUpdate(
        thing,
        True,
        {"last_seen": T0 + timedelta(minutes=4)},
        older={"last_seen": T0 + timedelta(minutes=4)},
    )

    assert store.apply(heard) is True
    assert store.apply(went) is False  # last_seen moved on since it was read
    assert store.apply(heard) is False  # not newer than itself
    assert store.get(thing) == current.model_copy(update={"last_seen": T0 + timedelta(minutes=4)})


def test_what_plays_is_ordered_by_the_devices_time_and_seq(store, run):
    thing = f"spk-{run}"
    store.create(device(thing, online=True, last_seen=T0))
    service = MonitoringService(store, now=lambda: T0)
    moment = T0 + timedelta(seconds=30)

    def beat(seq: int, sent: datetime, playing: dict | None) -> dict:
        return {
            "thing": thing,
            "seq": seq,
            "sent_at": sent.isoformat(),
            "uptime_s": 30,
            "playing": playing,
            "stream": "heartbeat",
            "received_at": ms(moment),  # every one in the same millisecond
        }

    start = {"bulletin_id": "b-em", "started_at": moment.isoformat(), "emergency": True}
    assert service.handle(beat(4, moment, None)) is Outcome.UPDATED
    assert service.handle(beat(5, moment, start)) is Outcome.UPDATED  # same time, later seq
    assert service.handle(beat(3, moment, None)) is Outcome.STALE  # same time, earlier seq
    assert service.handle(beat(9, moment - timedelta(seconds=1), None)) is Outcome.STALE
    now = store.get(thing)
    assert (now.playing.bulletin_id, now.playing_at, now.playing_seq) == ("b-em", moment, 5)


def test_two_sweeps_that_read_together_open_one_alarm(store, run):
    thing = f"spk-{run}"
    store.create(device(thing, online=True, last_seen=T0))
    snapshot = [d for d in store.online() if d.thing == thing]  # the table is shared

    class ReadBeforeEitherWrote:
        def online(self):
            return snapshot

        def apply(self, update):
            return store.apply(update)

    later = T0 + timedelta(minutes=10)
    first = MonitoringService(ReadBeforeEitherWrote(), now=lambda: later)
    second = MonitoringService(ReadBeforeEitherWrote(), now=lambda: later)

    assert first.sweep(later) + second.sweep(later + timedelta(seconds=1)) == 1
    assert len(alarms_of(store, thing, ["52", "540", "21550"])) == 1


def test_duplicate_proof_of_play_deliveries_are_stored_once(store, run):
    thing = f"spk-{run}"
    store.create(device(thing))

    def record(play_id: str, minute: int) -> PlayRecord:
        start = T0 + timedelta(minutes=minute)
        return PlayRecord(
            thing=thing,
            unit="21550",
            play_id=play_id,
            bulletin_id="b001",
            started_at=start,
            ended_at=start + timedelta(seconds=90),
            result="ok",
        )

    counts = DynamoDailyCounts()
    before = counts.of_day(["21550"], T0.date())["21550"].played
    failed = record("p4", 15).model_copy(update={"result": PlayResult.FAILED})

    first = store.add_plays([record("p1", 0), record("p2", 5)])
    second = store.add_plays([record("p2", 5), record("p3", 10), record("p3", 10), failed])

    assert (first, second) == (2, 2)
    # The overview's counter: each new play played through counts once.
    assert counts.of_day(["21550"], T0.date())["21550"].played - before == 3
    stored = store.plays(thing, T0, T0 + timedelta(days=1))
    assert [p.play_id for p in stored] == ["p1", "p2", "p3", "p4"]
    assert store.plays(thing, T0 + timedelta(minutes=6), T0 + timedelta(minutes=10)) == []


def test_a_subtree_is_one_listing_with_filters_and_pages(store, run):
    things = [
        device(f"a-{run}-spk", online=True),
        device(f"b-{run}-led", kind="board"),
        device(f"c-{run}-spk", unit_code="21553"),
        device(f"d-{run}-spk", unit_code="21808", online=True),
    ]
    for made in things:
        store.create(made)
    mine = {made.thing for made in things}

    def listed(path, **filters):
        found, cursor, pages = [], None, 0
        while True:
            page, cursor = store.page(path, limit=2, cursor=cursor, **filters)
            found += [d.thing for d in page if d.thing in mine]
            pages += 1
            if cursor is None or pages > 200:
                return found

    assert listed(["52", "540"]) == [f"a-{run}-spk", f"b-{run}-led", f"c-{run}-spk"]
    assert listed(["52", "540", "21550"], kind=DeviceKind.BOARD) == [f"b-{run}-led"]
    assert listed(["52"], online=True) == [f"a-{run}-spk", f"d-{run}-spk"]
    in_city = {d.thing for d in store.in_subtree(["52", "540"])} & mine
    assert in_city == {f"a-{run}-spk", f"b-{run}-led", f"c-{run}-spk"}


def test_the_communes_devices_are_the_active_ones(store, run):
    kept, retired = device(f"k-{run}", unit_code="21808"), device(f"r-{run}", unit_code="21808")
    store.create(kept)
    store.create(retired)

    store.decommission(retired.thing, T0)

    found = {d.thing for d in store.in_units(["21808", "21811"])}
    assert kept.thing in found
    assert retired.thing not in found
    assert store.get(retired.thing).status is DeviceStatus.DECOMMISSIONED


def test_decommissioning_closes_the_open_alarm_and_twice_is_harmless(store, run):
    thing = f"spk-{run}"
    store.create(device(thing, online=True, last_seen=T0))
    MonitoringService(store, now=lambda: T0).sweep(T0 + timedelta(minutes=5))

    retired = store.decommission(thing, T0 + timedelta(hours=1))
    again = store.decommission(thing, T0 + timedelta(hours=2))

    [alarm] = alarms_of(store, thing, ["52", "540", "21550"])
    assert (alarm.open, alarm.closed_at) == (False, T0 + timedelta(hours=1))
    assert (retired.online, retired.alarm_opened_at) == (False, None)
    assert again.decommissioned_at == T0 + timedelta(hours=1)
    assert store.get(thing) == retired


@pytest.mark.parametrize("cursor", ["not-base64!", "eyJ4IjogMX0="])
def test_a_malformed_cursor_is_refused(store, cursor):
    with pytest.raises(InvalidInput) as refused:
        store.page(["52"], limit=1, cursor=cursor)

    assert refused.value.code == "bad_cursor"


def test_a_cursor_of_another_subtree_is_refused(store, run):
    for n in range(2):
        store.create(device(f"x{n}-{run}", unit_code="21808"))
    _, cursor = store.page(["52", "547"], limit=1)

    with pytest.raises(InvalidInput):
        store.page(["52", "540"], limit=1, cursor=cursor)


def test_a_command_is_settled_once(store, run):
    thing = f"spk-{run}"
    issued = CommandRecord(
        command_id=f"c-{run}",
        thing=thing,
        command="volume",
        value=70,
        issued_at=T0,
        issued_by=Actor(user_id="sub-op", username="op", unit="540"),
    )
    store.save_command(issued)

    done = store.finish_command(issued.finished(CommandStatus.DONE, "reported", T0))
    late = store.finish_command(issued.finished(CommandStatus.FAILED, "superseded", T0))

    assert (done, late) == (True, False)
    assert store.command(thing, issued.command_id).status is CommandStatus.DONE
    assert store.pending_commands(thing) == []
    with pytest.raises(Conflict):
        store.save_command(issued)


def _eventually(check, timeout: float = 10.0):
    """The IoT rules invoke the telemetry function asynchronously, as Lambda would."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_a_device_over_mqtt_through_the_rules_to_its_record(store, endpoints, tmp_path):
    """Presence, a heartbeat and a clean disconnect, from the broker through the template's
    topic rules and the telemetry function to the device's record and its alarm."""
    thing = f"loa-21550-{uuid.uuid4().hex[:6]}"
    store.create(device(thing))
    certificate, key = write_identity(project_ca(endpoints), thing, tmp_path)
    client = Client.device(endpoints, thing, certificate, key)
    try:
        assert client.wait_connected()
        assert _eventually(lambda: store.get(thing).online)
        beat = {"thing": thing, "seq": 1, "sent_at": "2026-12-01T08:00:00+07:00", "uptime_s": 5}
        client.paho.publish(f"nguon/devices/{thing}/heartbeat", json.dumps(beat), qos=1)
        assert _eventually(lambda: store.get(thing).uptime_s == 5)
    finally:
        client.close()

    assert _eventually(lambda: not store.get(thing).online)
    [alarm] = alarms_of(store, thing, ["52", "540", "21550"])
    assert (alarm.open, alarm.reason) == (True, "CLIENT_INITIATED_DISCONNECT")
    assert store.get(thing).last_seen is not None
