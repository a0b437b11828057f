"""Emergencies: pre-empt the programme, play repeat times, never after valid_until, once per
(alert_id, version), stop at once when withdrawn; the programme resumes (restart)."""

from datetime import timedelta

from nguon_device.timeutil import iso
from tests.unit.device.support import T0, THING


def results(kit, thing=THING):
    return [(r["bulletin_id"], r["result"], r.get("reason")) for r in kit.records(thing)]


def with_programme(kit, items=None):
    device = kit.device()
    kit.publish_manifest(kit.manifest(items or [kit.item("i1", 0, 10)]))
    return device


def test_emergency_preempts_and_the_programme_resumes_with_a_restart(kit):
    device = with_programme(kit)
    kit.sched.advance(60)

    kit.publish_alert(kit.alert("al-1", repeat=2))

    assert device.player.current.emergency
    assert device.player.current.key == "al-1:1"
    first_length = device.player.current.requested_s
    kit.sched.advance(2 * first_length)  # two plays back to back
    assert device.player.current.key == "i1"  # the cut item starts again from the beginning
    kit.sched.advance(10 * 60)
    assert results(kit) == [
        ("b-i1", "interrupted", "emergency al-1"),
        ("al-1", "ok", None),
        ("al-1", "ok", None),
        ("b-i1", "ok", None),
    ]
    assert [r["emergency"] for r in kit.records()] == [False, True, True, False]
    plays = [r["play_id"] for r in kit.records()]
    assert len(set(plays)) == 4


def test_an_emergency_on_the_province_topic_reaches_a_commune_device(kit):
    device = kit.device()

    kit.publish_alert(kit.alert("al-p"), unit="52")

    assert device.player.current.key == "al-p:1"
    assert kit.started[-1][1].emergency


def test_a_cut_item_whose_slot_ended_during_the_emergency_is_not_replayed(kit):
    device = with_programme(kit, [kit.item("i1", 0, 1)])

    kit.publish_alert(kit.alert("al-1", repeat=10))
    kit.sched.advance(3600)

    assert device.player.current is None
    assert [r[1] for r in results(kit) if r[0] == "b-i1"] == ["interrupted"]


def test_expired_emergency_never_played(kit):
    device = kit.device()

    kit.publish_alert(kit.alert("old", valid_until=iso(T0 - timedelta(seconds=1))))

    assert device.player.current is None
    assert kit.started == []
    assert kit.named("alert_ignored")[0]["reason"] == "expired"


def test_an_emergency_is_cut_when_valid_until_passes(kit):
    device = kit.device()
    text = " ".join(["mưa"] * 1000)  # far longer than the validity

    kit.publish_alert(kit.alert("al-1", text=text, valid_until=iso(T0 + timedelta(seconds=30))))
    kit.sched.advance(31)

    assert device.player.current is None
    assert results(kit) == [("al-1", "interrupted", "valid_until passed")]


def test_the_same_alert_version_plays_once(kit):
    kit.device()
    alert = kit.alert("al-1")

    kit.publish_alert(alert)
    kit.sched.advance(600)
    kit.publish_alert(alert, unit="540")  # the district topic carries it too

    assert len(kit.started) == 1
    assert kit.named("alert_ignored")[0]["reason"] == "already played"


def test_a_newer_version_replaces_the_playing_one(kit):
    device = kit.device()
    kit.publish_alert(kit.alert("al-1", version=1))

    kit.publish_alert(kit.alert("al-1", version=2, text="Bão đã đổi hướng."))

    assert device.player.current.key == "al-1:2"
    assert results(kit) == [("al-1", "interrupted", "superseded by version 2")]


def test_an_alert_valid_from_later_waits_for_its_time(kit):
    device = kit.device()

    kit.publish_alert(kit.alert("al-1", valid_from=iso(T0 + timedelta(minutes=5))))
    kit.sched.advance(5 * 60 - 1)
    assert device.player.current is None
    kit.sched.advance(1)

    assert device.player.current.key == "al-1:1"


def test_emergency_from_shadow_on_reconnect_played_if_still_valid(kit):
    device = kit.device()
    kit.broker.drop(THING)
    alert = kit.alert("al-9")
    del alert["action"]  # the shadow holds the alert without its action
    kit.shadows.set_desired(THING, "playback", {"emergency": alert})
    kit.sched.advance(60)
    assert device.player.current is None  # offline: it missed the live publish

    kit.broker.restore(THING)

    assert device.player.current.key == "al-9:1"
    assert kit.shadows.reported(THING, "playback")["emergency_id"] == "al-9"


def test_emergency_from_shadow_on_reconnect_not_played_after_expiry(kit):
    device = kit.device()
    kit.broker.drop(THING)
    alert = kit.alert("al-9", valid_min=10)
    del alert["action"]
    kit.shadows.set_desired(THING, "playback", {"emergency": alert})
    kit.sched.advance(11 * 60)

    kit.broker.restore(THING)

    assert device.player.current is None
    assert kit.started == []


def test_an_emergency_already_played_is_not_replayed_from_the_shadow_after_reconnection(kit):
    device = kit.device()
    alert = kit.alert("al-1")
    kit.publish_alert(alert)
    shadow_copy = {k: v for k, v in alert.items() if k != "action"}
    kit.shadows.set_desired(THING, "playback", {"emergency": shadow_copy})
    kit.sched.advance(120)

    kit.broker.drop(THING)
    kit.broker.restore(THING)

    assert len(kit.started) == 1
    assert device.player.current is None


def test_stop_on_the_alert_topic_stops_it_at_once(kit):
    device = with_programme(kit)
    kit.publish_alert(kit.alert("al-1", repeat=3))

    kit.publish_alert(kit.alert("al-1", action="stop"))

    assert not (device.player.current and device.player.current.emergency)
    assert device.player.current.key == "i1"  # the programme is back
    assert results(kit)[:2] == [
        ("b-i1", "interrupted", "emergency al-1"),
        ("al-1", "interrupted", "stopped by the issuer"),
    ]


def test_a_stop_that_arrives_first_keeps_the_alert_from_ever_playing(kit):
    kit.device()
    kit.publish_alert(kit.alert("al-1", action="stop"))

    kit.publish_alert(kit.alert("al-1"))

    assert kit.started == []


def test_a_queued_emergency_is_withdrawn_before_it_plays(kit):
    device = kit.device()
    kit.publish_alert(kit.alert("al-1"))
    kit.publish_alert(kit.alert("al-2"))

    kit.publish_alert(kit.alert("al-2", action="stop"))
    kit.sched.advance(3600)

    assert {item.key for _, item, _ in kit.started} == {"al-1:1"}
    assert device.player.current is None


def test_an_emergency_cleared_from_the_shadow_stops(kit):
    device = kit.device()
    alert = kit.alert("al-1", repeat=5)
    del alert["action"]
    kit.shadows.set_desired(THING, "playback", {"emergency": alert})
    assert device.player.current.emergency

    kit.shadows.set_desired(THING, "playback", {"emergency": None})

    assert device.player.current is None
    assert results(kit) == [("al-1", "interrupted", "cleared from the playback shadow")]


def test_an_emergency_plays_on_a_device_switched_off(kit):
    device = kit.device()
    kit.shadows.set_desired(THING, "config", {"power": "off"})

    kit.publish_alert(kit.alert("al-1"))

    assert device.player.current.emergency


def emergency_items(kit):
    # The programme lists the alert's bulletin at 0 and its repeat at 10 minutes.
    first = kit.item("al-1@0", 0, 2, priority="emergency", bulletin_id="al-1")
    repeat = kit.item("al-1@10", 10, 2, priority="emergency", bulletin_id="al-1")
    return [first, repeat]


def test_a_manifest_emergency_item_played_live_is_not_played_again_but_its_repeat_is(kit):
    device = kit.device()
    kit.publish_alert(kit.alert("al-1"))
    kit.sched.advance(30)  # the live play is over

    kit.publish_manifest(kit.manifest(emergency_items(kit)))
    kit.sched.advance(60)
    assert device.player.current is None  # its first slot is still running: not replayed
    kit.sched.advance(10 * 60)

    assert [item.key for _, item, _ in kit.started] == ["al-1:1", "al-1@10"]


def test_a_live_alert_cutting_its_own_manifest_item_does_not_restart_it(kit):
    device = kit.device()
    kit.publish_manifest(kit.manifest(emergency_items(kit)))
    assert device.player.current.key == "al-1@0"

    kit.publish_alert(kit.alert("al-1"))
    kit.sched.advance(60)

    assert device.player.current is None
    assert [item.key for _, item, _ in kit.started] == ["al-1@0", "al-1:1"]
