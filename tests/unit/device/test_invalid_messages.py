"""Every incoming message is validated against its schema; invalid ones are logged and dropped."""

import pytest

from tests.unit.device.support import THING, sha


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b'{"action": "start", "alert_id": "a", "version": 1, "issued_at": "2026-11-27T00:00:00Z"}',
        b'{"action": "start", "alert_id": "a", "version": 0, "issued_at": "2026-11-27T00:00:00Z",'
        b' "text": "t", "valid_until": "2026-11-28T00:00:00Z"}',
        b'{"action": "start", "alert_id": "a", "version": 1, "issued_at": "2026-11-27T00:00:00Z",'
        b' "text": "t", "valid_until": "tomorrow"}',
    ],
    ids=["not-json", "start-without-text", "bad-version", "bad-time"],
)
def test_invalid_alerts_are_dropped(kit, payload):
    device = kit.device()

    kit.broker.publish("nguon/alerts/21550", payload)

    assert device.player.current is None
    assert kit.named("dropped")


def test_invalid_commands_are_dropped_unanswered(kit):
    kit.device()

    kit.broker.publish(
        f"nguon/devices/{THING}/commands", {"command_id": "c", "command": "format_disk"}
    )

    assert kit.results() == []
    assert kit.named("dropped")


def test_an_invalid_emergency_in_the_shadow_does_not_hold_back_the_manifest(kit):
    device = kit.device()
    body = kit.manifest([kit.item("i1", 5, 5)])
    url = kit.http.put("/manifests/v1.json", body)
    kit.shadows.set_desired(
        THING,
        "playback",
        {
            "manifest": {"version": "v1", "url": url, "sha256": sha(body)},
            "emergency": {"alert_id": "x"},
        },
    )

    assert device.adopted.version == "v1"
    assert kit.started == []
    assert kit.named("dropped")


def test_the_device_keeps_working_after_dropping(kit):
    device = kit.device()
    kit.broker.publish("nguon/alerts/21550", b"\xff\xfe")

    kit.publish_alert(kit.alert("al-1"))

    assert device.player.current.emergency
