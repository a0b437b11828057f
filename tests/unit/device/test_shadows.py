"""Shadow protocol details: merge semantics, stale deltas, unanswered gets."""

import json

from nguon_device.shadows import merge
from tests.unit.device.support import THING


def test_merge_nests_objects_deletes_nulls_and_replaces_the_rest():
    base = {
        "manifest": {"version": "v1", "url": "u1", "sha256": "a"},
        "emergency": {"x": 1},
        "n": [1],
    }
    patch = {"manifest": {"version": "v2", "sha256": "b"}, "emergency": None, "n": [2]}

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
