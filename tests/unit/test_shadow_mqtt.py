"""The shadow MQTT protocol publishes what AWS's "Device Shadow MQTT topics" page lists."""

import json

import pytest

from infra.localcloud.iot.shadow_mqtt import Outgoing, ShadowMqtt, update_messages
from infra.localcloud.iot.shadows import ShadowStore

NOW = 1_800_000_000.2
TS = 1_800_000_000
CLASSIC = "$aws/things/lamp-01/shadow"
NAMED = "$aws/things/lamp-01/shadow/name/config"


def body(document: object) -> bytes:
    return json.dumps(document).encode()


def topics(messages: list[Outgoing]) -> list[str]:
    return [message.topic for message in messages]


def payload(messages: list[Outgoing], topic: str) -> dict:
    (match,) = [m for m in messages if m.topic == topic]
    return json.loads(match.payload)


@pytest.fixture
def mqtt() -> ShadowMqtt:
    return ShadowMqtt(ShadowStore())


def test_an_update_with_a_difference_publishes_accepted_delta_and_documents(mqtt):
    sent = mqtt.handle(
        f"{CLASSIC}/update", body({"state": {"desired": {"on": True}}, "clientToken": "u1"}), NOW
    )

    assert topics(sent) == [
        f"{CLASSIC}/update/accepted",
        f"{CLASSIC}/update/delta",
        f"{CLASSIC}/update/documents",
    ]
    assert payload(sent, f"{CLASSIC}/update/delta") == {
        "version": 1,
        "timestamp": TS,
        "state": {"on": True},
        "metadata": {"on": {"timestamp": TS}},
        "clientToken": "u1",
    }


def test_an_update_without_a_difference_publishes_no_delta(mqtt):
    sent = mqtt.handle(f"{CLASSIC}/update", body({"state": {"reported": {"on": True}}}), NOW)

    assert topics(sent) == [f"{CLASSIC}/update/accepted", f"{CLASSIC}/update/documents"]
    assert payload(sent, f"{CLASSIC}/update/accepted") == {
        "state": {"reported": {"on": True}},
        "metadata": {"reported": {"on": {"timestamp": TS}}},
        "version": 1,
        "timestamp": TS,
    }


def test_a_report_matching_desired_ends_the_deltas(mqtt):
    mqtt.handle(f"{CLASSIC}/update", body({"state": {"desired": {"level": 3}}}), NOW)

    sent = mqtt.handle(f"{CLASSIC}/update", body({"state": {"reported": {"level": 3}}}), NOW)

    assert f"{CLASSIC}/update/delta" not in topics(sent)


def test_named_shadow_topics_answer_under_the_named_prefix(mqtt):
    sent = mqtt.handle(f"{NAMED}/update", body({"state": {"reported": {"v": 1}}}), NOW)

    assert topics(sent) == [f"{NAMED}/update/accepted", f"{NAMED}/update/documents"]
    assert payload(sent, f"{NAMED}/update/documents")["current"]["state"] == {"reported": {"v": 1}}


def test_a_rejected_update_publishes_only_the_error_with_the_client_token(mqtt):
    sent = mqtt.handle(f"{CLASSIC}/update", body({"clientToken": "bad-1"}), NOW)

    assert sent == [
        Outgoing(
            f"{CLASSIC}/update/rejected",
            b'{"code":400,"message":"Missing required node: state",'
            b'"timestamp":1800000000,"clientToken":"bad-1"}',
        )
    ]


def test_a_stale_version_is_rejected_with_409(mqtt):
    mqtt.handle(f"{CLASSIC}/update", body({"state": {"reported": {"a": 1}}}), NOW)

    sent = mqtt.handle(f"{CLASSIC}/update", body({"state": {"reported": {}}, "version": 5}), NOW)

    assert topics(sent) == [f"{CLASSIC}/update/rejected"]
    assert payload(sent, f"{CLASSIC}/update/rejected")["code"] == 409


def test_get_with_an_empty_message_answers_the_document(mqtt):
    mqtt.handle(f"{NAMED}/update", body({"state": {"desired": {"a": 1}}}), NOW)

    sent = mqtt.handle(f"{NAMED}/get", b"", NOW + 5)

    assert topics(sent) == [f"{NAMED}/get/accepted"]
    assert payload(sent, f"{NAMED}/get/accepted") == {
        "state": {"desired": {"a": 1}, "delta": {"a": 1}},
        "metadata": {"desired": {"a": {"timestamp": TS}}},
        "version": 1,
        "timestamp": TS + 5,
    }


def test_get_echoes_the_client_token_it_was_sent(mqtt):
    mqtt.handle(f"{CLASSIC}/update", body({"state": {"reported": {"a": 1}}}), NOW)

    sent = mqtt.handle(f"{CLASSIC}/get", body({"clientToken": "g-7"}), NOW)

    assert payload(sent, f"{CLASSIC}/get/accepted")["clientToken"] == "g-7"


def test_get_of_a_missing_named_shadow_is_rejected_404(mqtt):
    sent = mqtt.handle(f"{NAMED}/get", body({"clientToken": "g-8"}), NOW)

    assert topics(sent) == [f"{NAMED}/get/rejected"]
    assert payload(sent, f"{NAMED}/get/rejected") == {
        "code": 404,
        "message": "No shadow exists with name: 'lamp-01~config'",
        "timestamp": TS,
        "clientToken": "g-8",
    }


def test_an_oversized_client_token_on_get_is_rejected_400(mqtt):
    sent = mqtt.handle(f"{CLASSIC}/get", body({"clientToken": "x" * 65}), NOW)

    assert topics(sent) == [f"{CLASSIC}/get/rejected"]
    assert payload(sent, f"{CLASSIC}/get/rejected")["message"] == "Invalid clientToken"


def test_delete_publishes_only_delete_accepted_and_the_shadow_is_gone(mqtt):
    mqtt.handle(f"{CLASSIC}/update", body({"state": {"reported": {"a": 1}}}), NOW)

    sent = mqtt.handle(f"{CLASSIC}/delete", body({"clientToken": "d-1"}), NOW)
    after = mqtt.handle(f"{CLASSIC}/get", b"", NOW)

    assert sent == [
        Outgoing(
            f"{CLASSIC}/delete/accepted",
            b'{"version":1,"timestamp":1800000000,"clientToken":"d-1"}',
        )
    ]
    assert topics(after) == [f"{CLASSIC}/get/rejected"]


def test_delete_of_a_missing_shadow_is_rejected_404(mqtt):
    sent = mqtt.handle(f"{CLASSIC}/delete", b"", NOW)

    assert topics(sent) == [f"{CLASSIC}/delete/rejected"]
    assert payload(sent, f"{CLASSIC}/delete/rejected")["message"] == (
        "No shadow exists with name: 'lamp-01'"
    )


@pytest.mark.parametrize(
    "topic",
    [
        f"{CLASSIC}/update/accepted",
        f"{CLASSIC}/update/rejected",
        f"{CLASSIC}/update/delta",
        f"{CLASSIC}/update/documents",
        f"{CLASSIC}/get/accepted",
        f"{CLASSIC}/delete/accepted",
        f"{NAMED}/get/rejected",
        f"{CLASSIC}/name/update",
        "$aws/things/lamp-01/jobs/get",
        "devices/lamp-01/shadow/update",
        "$aws/things/bad.name/shadow/update",
        f"$aws/things/lamp-01/shadow/name/{'n' * 65}/update",
    ],
)
def test_topics_that_are_not_requests_publish_nothing(mqtt, topic):
    assert mqtt.handle(topic, body({"state": {"desired": {"a": 1}}}), NOW) == []


def test_an_update_made_over_http_produces_the_same_messages_as_over_mqtt():
    by_mqtt = ShadowMqtt(ShadowStore()).handle(
        f"{NAMED}/update", body({"state": {"desired": {"a": 1}}}), NOW
    )
    store = ShadowStore()
    outcome = store.update("lamp-01", "config", body({"state": {"desired": {"a": 1}}}), NOW)

    assert update_messages("lamp-01", "config", outcome) == by_mqtt
