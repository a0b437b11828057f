"""Emergencies: pre-empt the programme, play repeat times, never after valid_until, once per
(alert_id, version), stop at once when withdrawn; the programme resumes (restart). They come
live on the area topics, or from the alert documents the playback shadow refers to
(``desired.emergencies``), which a device that was offline fetches on reconnection."""

import json
from datetime import timedelta

from nguon_device.timeutil import iso
from tests.unit.device.support import T0, THING, sha


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


# -- emergencies the playback shadow refers to (alert documents in S3) ------------------------
def keys(kit):
    return [item.key for _, item, _ in kit.started]


def playback_delta(kit, state, version):
    """A delta as AWS publishes it, straight to the device."""
    topic = f"$aws/things/{THING}/shadow/name/playback/update/delta"
    kit.broker.publish(topic, {"state": state, "version": version})


def test_an_emergency_from_the_shadow_is_fetched_and_played_on_reconnect_while_valid(kit):
    device = kit.device()
    kit.broker.drop(THING)
    alert = kit.alert("al-9")
    kit.set_emergencies({"al-9": kit.reference(alert)})
    kit.sched.advance(60)
    assert device.player.current is None  # offline: it missed the live publish

    kit.broker.restore(THING)

    assert device.player.current.key == "al-9:1"
    assert device.player.current.text == alert["text"]  # from the document, not the shadow
    assert kit.alert_fetches() == ["/alerts/al-9/1.json"]
    assert kit.named("alert") == [{"alert_id": "al-9", "version": 1, "source": "shadow"}]
    assert kit.shadows.reported(THING, "playback")["emergency_id"] == "al-9"


def test_an_emergency_set_in_the_shadow_while_online_plays_at_once(kit):
    device = kit.device()

    kit.set_emergencies({"al-1": kit.reference(kit.alert("al-1"))})

    assert device.player.current.key == "al-1:1"
    assert len(kit.alert_fetches()) == 1


def test_an_expired_reference_is_neither_fetched_nor_played(kit):
    device = kit.device()
    kit.broker.drop(THING)
    kit.set_emergencies({"al-9": kit.reference(kit.alert("al-9", valid_min=10))})
    kit.sched.advance(11 * 60)

    kit.broker.restore(THING)
    kit.broker.drop(THING)
    kit.broker.restore(THING)

    assert device.player.current is None
    assert kit.started == []
    assert kit.alert_fetches() == []
    ignored = kit.named("alert_ignored")
    assert ignored == [{"alert_id": "al-9", "version": 1, "source": "shadow", "reason": "expired"}]


def test_an_alert_document_with_a_wrong_checksum_is_not_played_and_fetched_again(kit):
    device = kit.device()
    alert = kit.alert("al-1")
    good = json.dumps(alert).encode()
    tampered = json.dumps({**alert, "text": "Tin giả."}).encode()

    kit.set_emergencies({"al-1": kit.reference(alert, body=tampered, digest=sha(good))})

    assert device.player.current is None
    assert "SHA-256 mismatch" in kit.named("alert_failed")[0]["error"]
    kit.sched.advance(10)  # backoff with full jitter: the first retry within 10 s
    assert len(kit.alert_fetches("al-1")) >= 2
    assert kit.started == []

    kit.reference(alert, body=good)  # S3 serves the right bytes again
    kit.sched.advance(600)

    assert keys(kit) == ["al-1:1"]
    assert kit.started[0][1].text == alert["text"]
    assert device.player.current is None


def test_a_reference_that_cannot_be_fetched_is_not_tried_after_valid_until(kit):
    device = kit.device()
    kit.http.down = True
    kit.set_emergencies({"al-1": kit.reference(kit.alert("al-1", valid_min=2))})
    kit.sched.advance(120)
    tries = len(kit.alert_fetches("al-1"))
    assert tries >= 2

    kit.http.down = False
    kit.sched.advance(3600)

    assert device.player.current is None
    assert kit.started == []
    assert len(kit.alert_fetches("al-1")) == tries
    assert kit.named("alert_ignored")[-1]["reason"] == "expired"


def test_two_emergencies_in_force_both_play_after_reconnection(kit):
    device = kit.device()
    kit.broker.drop(THING)
    first = kit.alert("al-1")
    second = kit.alert("al-2", text="Lũ quét ở thượng nguồn sông Kôn.")
    kit.set_emergencies({"al-1": kit.reference(first)})
    kit.set_emergencies({"al-2": kit.reference(second)})

    kit.broker.restore(THING)
    kit.sched.advance(600)

    assert keys(kit) == ["al-1:1", "al-2:1"]
    assert device.player.current is None


def test_a_second_emergency_set_in_the_shadow_queues_behind_the_first(kit):
    device = kit.device()
    kit.set_emergencies({"al-1": kit.reference(kit.alert("al-1"))})

    kit.set_emergencies({"al-2": kit.reference(kit.alert("al-2"))})  # the delta has both

    assert device.player.current.key == "al-1:1"  # neither cut nor fetched again
    assert len(kit.alert_fetches("al-1")) == 1
    kit.sched.advance(600)
    assert keys(kit) == ["al-1:1", "al-2:1"]


def test_a_newer_version_in_the_shadow_replaces_the_playing_one(kit):
    device = kit.device()
    kit.set_emergencies({"al-1": kit.reference(kit.alert("al-1", repeat=5))})

    kit.set_emergencies(
        {"al-1": kit.reference(kit.alert("al-1", version=2, text="Bão đổi hướng."))}
    )

    assert device.player.current.key == "al-1:2"
    assert results(kit) == [("al-1", "interrupted", "superseded by version 2")]


def test_an_emergency_set_to_null_in_the_shadow_stops(kit):
    device = kit.device()
    kit.set_emergencies({"al-1": kit.reference(kit.alert("al-1", repeat=5))})
    assert device.player.current.emergency

    kit.set_emergencies({"al-1": None})  # the last one: AWS may publish no delta

    assert device.player.current is None
    assert results(kit) == [("al-1", "interrupted", "cleared from the playback shadow")]
    stopped = kit.named("alert_stopped")
    assert stopped == [{"alert_id": "al-1", "source": "shadow", "was_known": True}]


def test_the_last_emergency_removed_without_a_delta_stops_through_the_clouds_update(kit):
    device = kit.device()
    kit.set_emergencies({"al-1": kit.reference(kit.alert("al-1", repeat=5))})

    # As AWS may do when the map empties: the cloud's /update/accepted, and no delta.
    accepted = f"$aws/things/{THING}/shadow/name/playback/update/accepted"
    kit.broker.publish(accepted, {"state": {"desired": {"emergencies": {"al-1": None}}}})

    assert device.player.current is None
    assert results(kit) == [("al-1", "interrupted", "cleared from the playback shadow")]


def test_null_in_a_delta_stops_that_emergency_only(kit):
    device = kit.device()
    first, second = kit.alert("al-1", repeat=5), kit.alert("al-2")
    kit.set_emergencies({"al-1": kit.reference(first), "al-2": kit.reference(second)})

    playback_delta(kit, {"emergencies": {"al-1": None, "al-2": kit.reference(second)}}, 100)

    assert device.player.current.key == "al-2:1"
    assert results(kit) == [("al-1", "interrupted", "cleared from the playback shadow")]


def test_an_emergency_missing_from_a_delta_map_stops_and_a_delta_without_the_map_changes_nothing(
    kit,
):
    device = kit.device()
    first, second = kit.alert("al-1", repeat=5), kit.alert("al-2", repeat=5)
    kit.set_emergencies({"al-1": kit.reference(first), "al-2": kit.reference(second)})
    body = kit.manifest([kit.item("i1", 30, 5)])
    manifest = {
        "version": "v1",
        "url": kit.http.put("/manifests/v1.json", body),
        "sha256": sha(body),
    }

    playback_delta(kit, {"manifest": manifest}, 100)  # no emergencies key: unchanged
    assert device.adopted.version == "v1"
    assert device.player.current.key == "al-1:1"

    playback_delta(kit, {"emergencies": {"al-2": kit.reference(second)}}, 101)  # the whole map

    assert device.player.current.key == "al-2:1"
    assert results(kit) == [("al-1", "interrupted", "cleared from the playback shadow")]
    assert len(kit.alert_fetches("al-2")) == 1


def test_an_emergency_removed_while_offline_stops_at_the_reconnection_get(kit):
    device = kit.device()
    kit.set_emergencies({"al-1": kit.reference(kit.alert("al-1", repeat=10))})
    kit.broker.drop(THING)
    kit.set_emergencies({"al-1": None})
    kit.sched.advance(5)
    assert device.player.current.key == "al-1:1"  # offline: it plays on

    kit.broker.restore(THING)

    assert device.player.current is None
    assert results(kit)[-1] == ("al-1", "interrupted", "cleared from the playback shadow")
    assert kit.named("alert_stopped")[-1]["source"] == "shadow"


def test_an_emergency_already_played_live_is_not_replayed_from_the_shadow(kit):
    device = kit.device()
    alert = kit.alert("al-1")
    kit.publish_alert(alert)
    kit.set_emergencies({"al-1": kit.reference(alert)})
    kit.sched.advance(120)

    kit.broker.drop(THING)
    kit.broker.restore(THING)

    assert keys(kit) == ["al-1:1"]
    assert device.player.current is None
    assert kit.alert_fetches() == []  # the memory says played: the document is not needed
    assert {d["reason"] for d in kit.named("alert_ignored")} == {"already played"}


def test_a_live_copy_of_an_emergency_played_from_the_shadow_is_not_played_again(kit):
    kit.device()
    alert = kit.alert("al-1")
    kit.set_emergencies({"al-1": kit.reference(alert)})
    kit.sched.advance(120)

    kit.publish_alert(alert)  # a redelivered QoS 1 message

    assert keys(kit) == ["al-1:1"]


def test_an_emergency_played_from_the_shadow_is_not_replayed_after_a_restart(kit):
    device = kit.device()
    kit.set_emergencies({"al-1": kit.reference(kit.alert("al-1"))})
    kit.sched.advance(120)
    device.stop()

    kit.device()
    kit.sched.advance(120)

    assert keys(kit) == ["al-1:1"]
    assert len(kit.alert_fetches()) == 1
