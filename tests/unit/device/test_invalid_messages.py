"""Every incoming message is validated against its schema; invalid ones are logged and dropped."""

import json

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


def test_an_invalid_emergency_reference_does_not_hold_back_the_manifest(kit):
    device = kit.device()
    body = kit.manifest([kit.item("i1", 5, 5)])
    url = kit.http.put("/manifests/v1.json", body)
    kit.shadows.set_desired(
        THING,
        "playback",
        {
            "manifest": {"version": "v1", "url": url, "sha256": sha(body)},
            "emergencies": {"x": {"alert_id": "x"}},
        },
    )

    assert device.adopted.version == "v1"
    assert kit.started == []
    assert kit.named("dropped")
    assert kit.alert_fetches() == []


def test_an_invalid_reference_leaves_the_valid_ones_alone(kit):
    device = kit.device()
    good = kit.reference(kit.alert("al-1"))
    wrong_key = kit.reference(kit.alert("al-2"))

    kit.set_emergencies({"al-1": good, "al-3": wrong_key, "al-4": {**good, "sha256": "x"}})

    assert device.player.current.key == "al-1:1"
    assert kit.alert_fetches() == ["/alerts/al-1/1.json"]
    assert len(kit.named("dropped")) >= 2


def document(alert):
    return json.dumps(alert).encode()


@pytest.mark.parametrize(
    "change",
    [
        lambda alert: b"not json",
        lambda alert: document({**alert, "action": "stop"}),
        lambda alert: document({k: v for k, v in alert.items() if k != "text"}),
        lambda alert: document({**alert, "version": 2}),
        lambda alert: document({**alert, "alert_id": "al-2"}),
    ],
    ids=["not-json", "a-stop", "start-without-text", "other-version", "other-alert"],
)
def test_an_invalid_alert_document_is_dropped_and_not_fetched_again(kit, change):
    device = kit.device()
    alert = kit.alert("al-1")

    kit.set_emergencies({"al-1": kit.reference(alert, body=change(alert))})
    kit.sched.advance(3600)
    kit.broker.drop(THING)
    kit.broker.restore(THING)

    assert device.player.current is None
    assert kit.started == []
    assert kit.named("dropped")[0]["topic"] == "alert document al-1 v1"
    assert len(kit.alert_fetches()) == 1
    assert kit.named("alert_failed") == []


def test_the_device_keeps_working_after_dropping(kit):
    device = kit.device()
    kit.broker.publish("nguon/alerts/21550", b"\xff\xfe")

    kit.publish_alert(kit.alert("al-1"))

    assert device.player.current.emergency
