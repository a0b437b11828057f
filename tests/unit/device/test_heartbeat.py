"""Heartbeats: one at connection, then every heartbeat_s, QoS 0, only while connected."""

from datetime import timedelta

from nguon_device.timeutil import iso
from tests.unit.device.support import T0, THING


def beats(kit):
    return [m for m in kit.broker.sent(f"nguon/devices/{THING}/heartbeat")]


def test_heartbeat_cadence_is_heartbeat_s(kit):
    kit.device()

    kit.sched.advance(3 * 60 + 1)

    sent = [m.json() for m in beats(kit)]
    assert [b["seq"] for b in sent] == [0, 1, 2, 3]
    assert [b["uptime_s"] for b in sent] == [0, 60, 120, 180]
    assert {m.qos for m in beats(kit)} == {0}


def test_heartbeat_cadence_follows_the_config_shadow(kit):
    kit.device()
    kit.shadows.set_desired(THING, "config", {"heartbeat_s": 300})

    kit.sched.advance(600)

    assert [b.json()["uptime_s"] for b in beats(kit)] == [0, 300, 600]


def test_no_heartbeat_while_offline_and_one_on_reconnection(kit):
    kit.device()
    kit.broker.drop(THING)
    kit.sched.advance(150)
    kit.broker.restore(THING)

    assert [b.json()["uptime_s"] for b in beats(kit)] == [0, 150]


def test_heartbeat_says_what_is_playing(kit):
    kit.device()
    kit.publish_manifest(kit.manifest([kit.item("i1", 0, 5)]))

    kit.sched.advance(60)

    playing = beats(kit)[-1].json()["playing"]
    assert playing["bulletin_id"] == "b-i1"
    assert playing["play_id"].startswith(f"{THING}:i1:")
    assert playing["emergency"] is False


def test_health_is_reported_on_connection(kit):
    kit.device()

    health = kit.shadows.reported(THING, "health")

    assert health["kind"] == "speaker"
    assert health["firmware"].startswith("nguon-device/")
    assert {"uptime_s", "temperature_c", "signal_dbm", "volume", "power"} <= set(health)


def test_each_start_and_stop_is_reported_at_once_with_qos_1(kit):
    kit.device()
    kit.publish_manifest(kit.manifest([kit.item("i1", 0, 5)]))

    kit.sched.advance(6 * 60)  # the item plays 5 minutes, then nothing

    out_of_turn = [m.json() for m in beats(kit) if m.qos == 1]
    assert [(b["playing"] or {}).get("bulletin_id") for b in out_of_turn] == ["b-i1", None]
    assert [b["sent_at"] for b in out_of_turn] == [iso(T0), iso(T0 + timedelta(minutes=5))]
    seqs = [b.json()["seq"] for b in beats(kit)]
    assert seqs == list(range(len(seqs)))  # one counter: the cloud orders by (sent_at, seq)


def test_an_emergency_cutting_an_item_is_one_report_of_the_emergency(kit):
    kit.device()
    kit.publish_manifest(kit.manifest([kit.item("i1", 0, 5)]))
    kit.sched.advance(1)
    before = len(beats(kit))

    kit.publish_alert(kit.alert("al-9"))

    reports = beats(kit)[before:]
    assert len(reports) == 1
    assert reports[0].qos == 1
    assert reports[0].json()["playing"]["bulletin_id"] == "al-9"
    assert reports[0].json()["playing"]["emergency"] is True


def test_nothing_is_reported_out_of_turn_while_nothing_changes(kit):
    kit.device()
    kit.sched.advance(3 * 60 + 1)

    assert {m.qos for m in beats(kit)} == {0}
