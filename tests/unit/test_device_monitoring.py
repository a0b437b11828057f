"""Telemetry in: presence in order, one alarm per outage, heartbeats and the sweep, proof of
play counted once, shadow reports, and the telemetry function's dispatch."""

import importlib.util
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from nguon.errors import InvalidInput
from nguon.models.bulletins import Actor
from nguon.models.device_commands import CommandRecord, CommandStatus
from nguon.models.devices import DeviceStatus
from nguon.services.monitoring import MonitoringService, Outcome
from tests.factories import at, device
from tests.fakes import InMemoryDeviceStore

THING = "spk-21550-01"
T0 = at("08:00")


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def store():
    return InMemoryDeviceStore(
        [device(THING, online=True, last_seen=T0, connected_at=T0 - timedelta(hours=1))]
    )


@pytest.fixture
def service(store, clock):
    return MonitoringService(store, now=clock)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def presence(kind: str, version: int, moment: datetime, thing: str = THING, **extra) -> dict:
    event = {
        "clientId": thing,
        "timestamp": ms(moment),
        "eventType": kind,
        "sessionIdentifier": f"session-{version}",
        "principalIdentifier": "a" * 64,
        "versionNumber": version,
        "stream": "presence",
    }
    if kind == "connected":
        event["ipAddress"] = "203.113.0.10"
    else:
        event |= {"clientInitiatedDisconnect": False, "disconnectReason": "CONNECTION_LOST"}
    return event | extra


def heartbeat(moment: datetime, thing: str = THING, **extra) -> dict:
    return {
        "thing": thing,
        "seq": 7,
        "sent_at": moment.isoformat(),
        "uptime_s": 3600,
        "stream": "heartbeat",
        "received_at": ms(moment),
        **extra,
    }


def play(play_id: str, start: str = "06:00", end: str = "06:05", **extra) -> dict:
    return {
        "play_id": play_id,
        "bulletin_id": "b001",
        "started_at": at(start).isoformat(),
        "ended_at": at(end).isoformat(),
        "result": "ok",
        **extra,
    }


def plays(*records: dict, thing: str = THING) -> dict:
    return {"thing": thing, "records": list(records), "stream": "plays", "received_at": ms(T0)}


def report(shadow: str, reported: dict | None, moment: datetime, thing: str = THING) -> dict:
    event = {"thing": thing, "shadow": shadow, "stream": "shadow_report", "received_at": ms(moment)}
    if reported is not None:
        event["reported"] = reported
    return event


# --- one alarm per outage ------------------------------------------------------------------


def test_a_disconnect_takes_the_device_offline_with_one_alarm(service, store):
    outcome = service.handle(presence("disconnected", 4, T0 + timedelta(seconds=5)))

    assert outcome is Outcome.WENT_OFFLINE
    assert store.get(THING).online is False
    [alarm] = store.all_alarms(THING)
    assert (alarm.open, alarm.reason, alarm.kind) == (True, "CONNECTION_LOST", "offline")
    assert store.get(THING).alarm_opened_at == alarm.opened_at


def test_a_repeated_disconnect_opens_no_second_alarm(service, store):
    event = presence("disconnected", 4, T0 + timedelta(seconds=5))
    service.handle(event)

    again = service.handle(event)

    assert again is Outcome.STALE
    assert len(store.all_alarms(THING)) == 1


def test_a_disconnect_after_the_sweep_found_it_silent_is_the_same_outage(service, store, clock):
    assert service.sweep(clock.advance(minutes=4)) == 1

    outcome = service.handle(presence("disconnected", 4, clock.moment))

    assert outcome is Outcome.UPDATED
    [alarm] = store.all_alarms(THING)
    assert alarm.reason == "missed_heartbeats"
    assert store.get(THING).presence_event == "disconnected"


def test_a_sweep_running_twice_opens_one_alarm(service, store, clock):
    first = service.sweep(clock.advance(minutes=4))
    second = service.sweep(clock.advance(minutes=1))

    assert (first, second) == (1, 0)
    assert len(store.all_alarms(THING)) == 1


def test_two_sweeps_that_read_the_device_together_open_one_alarm(service, store, clock):
    # Both sweeps read the device online before either wrote.
    snapshot = store.online()
    store.online = lambda: snapshot
    moment = clock.advance(minutes=4)

    assert service.sweep(moment) + service.sweep(moment + timedelta(seconds=1)) == 1
    assert len(store.all_alarms(THING)) == 1


def test_a_reconnect_closes_the_alarm_and_the_next_outage_opens_a_new_one(service, store):
    service.handle(presence("disconnected", 4, T0 + timedelta(minutes=1)))
    back = service.handle(presence("connected", 5, T0 + timedelta(minutes=3)))
    [closed] = store.all_alarms(THING)

    service.handle(presence("disconnected", 5, T0 + timedelta(minutes=10)))

    assert back is Outcome.CAME_ONLINE
    assert (closed.open, closed.closed_at) == (False, T0 + timedelta(minutes=3))
    first, second = store.all_alarms(THING)
    assert first == closed
    assert (second.open, second.opened_at) == (True, T0 + timedelta(minutes=10))
    assert store.open_alarms(THING) == [second]


def test_a_disconnect_that_lost_a_race_to_the_sweep_is_decided_again(service, store, clock):
    real_get = store.get
    calls = []

    def get_then_sweep(thing):
        found = real_get(thing)
        if not calls:  # the sweep lands between the disconnect's read and its write
            calls.append(thing)
            service.sweep(clock.moment)
        return found

    clock.advance(minutes=4)
    store.get = get_then_sweep

    outcome = service.handle(presence("disconnected", 4, clock.moment))

    assert outcome is Outcome.UPDATED  # decided again: offline already, presence noted
    assert store.refused == 1
    assert len(store.all_alarms(THING)) == 1
    assert store.get(THING).presence_version == 4


# --- presence out of order and twice --------------------------------------------------------


def test_a_late_connected_with_an_older_version_leaves_an_offline_device_offline(service, store):
    service.handle(presence("disconnected", 6, T0 + timedelta(minutes=2)))

    late = service.handle(presence("connected", 5, T0 - timedelta(minutes=30)))

    assert late is Outcome.STALE
    assert store.get(THING).online is False
    assert len(store.open_alarms(THING)) == 1


def test_the_connect_of_a_connection_arriving_after_its_disconnect_changes_nothing(service, store):
    # Both events of one connection carry the same versionNumber; the disconnect is later.
    service.handle(presence("disconnected", 7, T0 + timedelta(minutes=2)))

    late = service.handle(presence("connected", 7, T0 + timedelta(minutes=1)))

    assert late is Outcome.STALE
    assert store.get(THING).online is False


def test_a_repeated_connected_changes_nothing(service, store):
    service.handle(presence("disconnected", 3, T0 + timedelta(minutes=1)))
    event = presence("connected", 4, T0 + timedelta(minutes=2))
    service.handle(event)
    before = store.get(THING)

    again = service.handle(event)

    assert again is Outcome.STALE
    assert store.get(THING) == before
    assert [alarm.open for alarm in store.all_alarms(THING)] == [False]


def test_after_an_hour_offline_the_restarted_version_numbers_count(service, store):
    # AWS resets versionNumber to 0 after about an hour without a connection.
    service.handle(presence("disconnected", 12, T0 + timedelta(minutes=1)))

    back = service.handle(presence("connected", 0, T0 + timedelta(minutes=70)))

    assert back is Outcome.CAME_ONLINE
    assert store.get(THING).online is True
    assert store.open_alarms(THING) == []


def test_a_lower_version_soon_after_is_not_taken_for_a_restart(service, store):
    service.handle(presence("disconnected", 12, T0 + timedelta(minutes=1)))

    late = service.handle(presence("connected", 0, T0 + timedelta(minutes=20)))

    assert late is Outcome.STALE
    assert store.get(THING).online is False


# --- heartbeats and the sweep ---------------------------------------------------------------


def test_three_missed_heartbeats_take_a_device_offline(service, store, clock):
    assert service.sweep(T0 + timedelta(seconds=180)) == 0
    assert store.get(THING).online is True

    assert service.sweep(T0 + timedelta(seconds=181)) == 1

    assert store.get(THING).online is False
    [alarm] = store.open_alarms(THING)
    assert (alarm.reason, alarm.opened_at) == ("missed_heartbeats", T0 + timedelta(seconds=181))


def test_the_sweep_uses_the_interval_the_device_reports(service, store):
    service.handle(report("config", {"heartbeat_s": 20}, T0))

    assert service.sweep(T0 + timedelta(seconds=61)) == 1


def test_a_heartbeat_keeps_a_device_online(service, store):
    service.handle(heartbeat(T0 + timedelta(seconds=150)))

    assert service.sweep(T0 + timedelta(seconds=200)) == 0
    assert store.get(THING).last_seen == T0 + timedelta(seconds=150)


def test_a_heartbeat_brings_a_silent_device_back_and_closes_its_alarm(service, store):
    service.sweep(T0 + timedelta(minutes=4))

    outcome = service.handle(heartbeat(T0 + timedelta(minutes=5)))

    assert outcome is Outcome.CAME_ONLINE
    assert store.get(THING).online is True
    [alarm] = store.all_alarms(THING)
    assert (alarm.open, alarm.closed_at) == (False, T0 + timedelta(minutes=5))


def test_a_heartbeat_sent_before_the_disconnect_does_not_bring_it_back(service, store):
    service.handle(presence("disconnected", 4, T0 + timedelta(minutes=2)))

    outcome = service.handle(heartbeat(T0 + timedelta(minutes=1)))

    assert outcome is Outcome.UPDATED
    assert store.get(THING).online is False
    assert store.get(THING).last_seen == T0 + timedelta(minutes=1)
    assert len(store.open_alarms(THING)) == 1


def test_last_seen_only_moves_forward(service, store):
    playing = {"bulletin_id": "b002", "started_at": (T0 + timedelta(seconds=100)).isoformat()}
    service.handle(heartbeat(T0 + timedelta(seconds=120), playing=playing))

    late = service.handle(heartbeat(T0 + timedelta(seconds=60), playing=None))

    assert late is Outcome.STALE
    now = store.get(THING)
    assert now.last_seen == T0 + timedelta(seconds=120)
    assert now.playing.bulletin_id == "b002"


def started(bulletin_id: str, moment: datetime) -> dict:
    return {"bulletin_id": bulletin_id, "started_at": moment.isoformat(), "emergency": True}


def test_a_start_reported_at_once_shows_even_in_the_same_millisecond_as_a_beat(service, store):
    """The device's start report and its periodic beat reach the broker together: ``last_seen``
    cannot order them, the device's ``(sent_at, seq)`` does."""
    moment = T0 + timedelta(seconds=30)
    service.handle(heartbeat(moment, seq=8, playing=None))

    outcome = service.handle(heartbeat(moment, seq=9, playing=started("b-em", moment)))

    assert outcome is Outcome.UPDATED
    now = store.get(THING)
    assert now.playing.bulletin_id == "b-em"
    assert (now.playing_at, now.playing_seq, now.last_seen) == (moment, 9, moment)


def test_a_late_stop_never_overwrites_a_newer_start(service, store):
    first = T0 + timedelta(seconds=10)
    second = T0 + timedelta(seconds=11)
    stop = heartbeat(first, seq=8, playing=None)  # sent first, delivered last
    service.handle(heartbeat(second, seq=9, playing=started("b-em", second)))

    late = service.handle(stop | {"received_at": ms(second + timedelta(seconds=1))})

    now = store.get(THING)
    assert late is Outcome.UPDATED  # last_seen moves on: the device was heard
    assert now.playing.bulletin_id == "b-em"
    assert now.last_seen == second + timedelta(seconds=1)


def test_a_stop_after_a_start_clears_playing_and_a_repeat_changes_nothing(service, store):
    begin = T0 + timedelta(seconds=10)
    end = T0 + timedelta(seconds=40)
    service.handle(heartbeat(begin, seq=8, playing=started("b-em", begin)))
    stop = heartbeat(end, seq=9, playing=None)

    assert service.handle(stop) is Outcome.UPDATED
    assert service.handle(stop) is Outcome.STALE
    assert store.get(THING).playing is None


def test_a_reboot_restarts_seq_and_its_reports_still_count(service, store):
    before = T0 + timedelta(seconds=10)
    service.handle(heartbeat(before, seq=40, playing=started("b-em", before)))

    after = T0 + timedelta(seconds=20)
    service.handle(heartbeat(after, seq=0, playing=None))

    assert store.get(THING).playing is None


def test_a_sweep_that_lost_the_race_to_a_heartbeat_changes_nothing(service, store):
    snapshot = store.online()  # read before the heartbeat landed
    service.handle(heartbeat(T0 + timedelta(minutes=4)))
    store.online = lambda: snapshot

    assert service.sweep(T0 + timedelta(minutes=4, seconds=1)) == 0
    assert store.get(THING).online is True
    assert store.all_alarms(THING) == []


# --- proof of play ----------------------------------------------------------------------------


def test_duplicate_proof_of_play_deliveries_are_counted_once(service, store):
    first = service.handle(plays(play("p1"), play("p2", "06:05", "06:10")))
    again = service.handle(plays(play("p2", "06:05", "06:10"), play("p3", "17:00", "17:05")))
    repeat = service.handle(plays(play("p1")))

    assert (first, again, repeat) == (2, 1, 0)
    stored = store.plays(THING, at("00:00"), at("23:59"))
    assert [record.play_id for record in stored] == ["p1", "p2", "p3"]
    assert stored[0].duration_s == 300
    assert stored[0].unit == "21550"


def test_plays_of_an_unknown_thing_are_ignored(service, store):
    assert service.handle(plays(play("p1"), thing="somebody-else")) == 0
    assert store.play_records == {}


# --- shadows and commands -----------------------------------------------------------------


def test_a_health_report_updates_what_staff_see(service, store):
    reported = {
        "firmware": "2.4.1",
        "temperature_c": 51.5,
        "signal_dbm": -71,
        "errors": ["amp_overheat"],
        "current_item": {"bulletin_id": "b009", "started_at": T0.isoformat(), "emergency": True},
        "volume": 65,
    }

    outcome = service.handle(report("health", reported, T0 + timedelta(seconds=1)))

    now = store.get(THING)
    assert outcome is Outcome.UPDATED
    assert (now.firmware, now.temperature_c, now.signal_dbm) == ("2.4.1", 51.5, -71)
    assert now.errors == ["amp_overheat"]
    assert now.volume == 65
    # What plays comes from the heartbeats, in the device's order: a health report sent before
    # a stop could arrive after it.
    assert now.playing is None


def test_an_older_shadow_report_changes_nothing(service, store):
    service.handle(report("config", {"volume": 40}, T0 + timedelta(seconds=10)))

    late = service.handle(report("config", {"volume": 90}, T0 + timedelta(seconds=5)))

    assert late is Outcome.STALE
    assert store.get(THING).volume == 40


def test_a_desired_only_shadow_update_is_ignored(service, store):
    before = store.get(THING)

    assert service.handle(report("config", None, T0)) is Outcome.NOTHING_REPORTED
    assert store.get(THING) == before


def test_a_command_result_settles_the_command_once(service, store):
    issued = CommandRecord(
        command_id="c1",
        thing=THING,
        command="reboot",
        issued_at=T0,
        issued_by=Actor(user_id="sub-op", username="op", unit="540"),
    )
    store.save_command(issued)
    result = {
        "thing": THING,
        "command_id": "c1",
        "status": "done",
        "detail": "rebooting",
        "at": (T0 + timedelta(seconds=3)).isoformat(),
        "stream": "command_result",
    }

    first = service.handle(result)
    again = service.handle({**result, "status": "failed"})

    assert (first, again) == (Outcome.UPDATED, Outcome.STALE)
    settled = store.command(THING, "c1")
    assert (settled.status, settled.outcome) == (CommandStatus.DONE, "rebooting")


# --- what is not ours, and what cannot be read -------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        presence("connected", 1, T0, thing="console-mqtt-client"),
        heartbeat(T0, thing="ghost-01"),
        report("health", {"firmware": "1"}, T0, thing="ghost-01"),
    ],
)
def test_events_of_unknown_things_are_ignored_not_errors(service, event):
    assert service.handle(event) is Outcome.UNKNOWN_THING


def test_a_decommissioned_device_ignores_telemetry(service, store):
    store.decommission(THING, T0)

    assert service.handle(heartbeat(T0 + timedelta(minutes=1))) is Outcome.DECOMMISSIONED
    assert store.get(THING).status is DeviceStatus.DECOMMISSIONED
    assert store.get(THING).last_seen == T0


def test_an_unreadable_payload_raises_for_lambdas_retries(service):
    broken = heartbeat(T0)
    del broken["seq"]

    with pytest.raises(InvalidInput) as raised:
        service.handle(broken)

    assert raised.value.code == "invalid_telemetry"
    assert raised.value.params["stream"] == "heartbeat"
    assert {"loc": ["seq"], "type": "missing"} in raised.value.params["details"]


def test_an_event_without_a_known_stream_raises(service):
    with pytest.raises(InvalidInput) as raised:
        service.handle({"thing": THING})

    assert raised.value.code == "unknown_stream"


# --- the telemetry function -----------------------------------------------------------------


class Context:
    function_name = "nguon-dev-TelemetryFunction"
    memory_limit_in_mb = 256
    invoked_function_arn = (
        "arn:aws:lambda:ap-southeast-1:123456789012:function:nguon-dev-TelemetryFunction"
    )
    aws_request_id = "req-telemetry"


@pytest.fixture
def telemetry():
    """functions/telemetry/app.py under a name of its own (the API's handler is ``app`` too)."""
    path = Path(__file__).parents[2] / "functions" / "telemetry" / "app.py"
    spec = importlib.util.spec_from_file_location("_telemetry_app_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_function_builds_nothing_at_import(telemetry):
    assert telemetry.monitoring.cache_info().currsize == 0


def test_the_function_dispatches_on_the_stream(telemetry, service, store, monkeypatch):
    monkeypatch.setattr(telemetry, "monitoring", lambda: service)

    answer = telemetry.lambda_handler(presence("disconnected", 9, T0), Context())

    assert answer == {"stream": "presence", "outcome": "went_offline"}
    assert store.get(THING).online is False


def test_the_function_raises_on_an_unreadable_event(telemetry, service, monkeypatch):
    monkeypatch.setattr(telemetry, "monitoring", lambda: service)

    with pytest.raises(InvalidInput):
        telemetry.lambda_handler({"stream": "plays", "thing": THING, "records": []}, Context())


def test_the_sweep_function_uses_the_current_time(telemetry, store, clock, monkeypatch):
    clock.advance(minutes=5)
    monkeypatch.setattr(telemetry, "monitoring", lambda: MonitoringService(store, now=clock))
    # The same sweep records directives' overdue acknowledgements (none here).
    from nguon.services.directives import Escalation
    from nguon.services.units import UnitService
    from tests.fakes import InMemoryUnitStore
    from tests.unit.directive_support import InMemoryDirectiveStore

    escalation = Escalation(UnitService(InMemoryUnitStore([])), InMemoryDirectiveStore(), clock)
    monkeypatch.setattr(telemetry, "escalation", lambda: escalation)
    schedule_event = {"source": "aws.scheduler", "time": "2020-01-01T00:00:00Z"}

    assert telemetry.sweep_handler(schedule_event, Context()) == {
        "went_offline": 1,
        "directives_escalated": 0,
    }
