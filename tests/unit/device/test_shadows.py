"""Shadow protocol details: merge semantics, stale deltas, unanswered gets."""

import json

from nguon_device.shadows import merge
from tests.unit.device.support import THING


def test_merge_nests_objects_deletes_nulls_and_replaces_the_rest():
    base = {
        "manifest": {"version": "v1", "url": "u1", "sha256": "a"},
        "note": {"x": 1},
        "n": [1],
    }
    patch = {"manifest": {"version": "v2", "sha256": "b"}, "note": None, "n": [2]}

    assert merge(base, patch) == {
        "manifest": {"version": "v2", "url": "u1", "sha256": "b"},
        "n": [2],
    }
    assert base["manifest"]["version"] == "v1"  # inputs untouched


def delta_topic(name):
    return f"$aws/things/{THING}/shadow/name/{name}/update/delta"


def test_a_stale_delta_is_ignored(kit):
    device = kit.device()
    kit.broker.publish(delta_topic("config"), {"state": {"volume": 10}, "version": 5})

    kit.broker.publish(delta_topic("config"), {"state": {"volume": 99}, "version": 4})

    assert device.player.volume == 10


def test_an_unanswered_get_is_asked_again(kit):
    kit.shadows.silent = True
    device = kit.device()
    gets = [r for r in kit.shadows.requests if r[0] == "get"]
    assert len(gets) == 2  # config and playback

    kit.sched.advance(31)

    assert len([r for r in kit.shadows.requests if r[0] == "get"]) >= 4
    assert device.online


def test_a_report_carries_a_client_token_and_only_reported_state(kit):
    kit.device()

    updates = [m.json() for m in kit.broker.sent(f"$aws/things/{THING}/shadow/name/config/update")]

    assert updates[0]["clientToken"]
    assert set(updates[0]["state"]) == {"reported"}
    assert json.dumps(updates[0]).count("desired") == 0


def expired_ref(alert_id):
    """A well-formed reference past its valid_until: the device ignores it without fetching."""
    return {
        "alert_id": alert_id,
        "version": 1,
        "valid_until": "2026-11-26T00:00:00.000Z",
        "url": "http://127.0.0.1:9/never",
        "sha256": "0" * 64,
    }


def test_a_delta_carries_the_whole_emergencies_map_which_replaces_the_known_one(kit):
    device = kit.device()
    a, b = expired_ref("a"), expired_ref("b")
    kit.broker.publish(delta_topic("playback"), {"state": {"emergencies": {"a": a}}, "version": 5})

    kit.broker.publish(
        delta_topic("playback"), {"state": {"emergencies": {"b": b, "c": None}}, "version": 6}
    )
    assert device.shadows.desired("playback")["emergencies"] == {"b": b}

    kit.broker.publish(delta_topic("playback"), {"state": {"note": "x"}, "version": 7})
    assert device.shadows.desired("playback")["emergencies"] == {"b": b}  # unchanged
    assert device.shadows.desired("playback")["note"] == "x"


def test_another_clients_update_deleting_a_nested_key_is_applied(kit):
    device = kit.device()
    a, b = expired_ref("a"), expired_ref("b")
    kit.broker.publish(
        delta_topic("playback"), {"state": {"emergencies": {"a": a, "b": b}}, "version": 5}
    )

    # AWS publishes no delta when the last entries go; /update/accepted is all the device sees.
    accepted = f"$aws/things/{THING}/shadow/name/playback/update/accepted"
    kit.broker.publish(accepted, {"state": {"desired": {"emergencies": {"a": None}}}, "version": 6})

    assert device.shadows.desired("playback")["emergencies"] == {"b": b}
