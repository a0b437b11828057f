"""boto3's iot-data client against the local data plane: shapes, exceptions and publishes."""

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import boto3
import pytest

from infra.localcloud.gateway import HttpServer
from infra.localcloud.iot.data_plane import IotDataPlane
from infra.localcloud.iot.shadows import ShadowStore

NOW = 1_750_000_000.9
TS = 1_750_000_000
CLASSIC = "$aws/things/lamp-01/shadow"


class Broker:
    """Records what the data plane hands to the broker."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, int]] = []

    def __call__(self, topic: str, payload: bytes, qos: int) -> None:
        self.sent.append((topic, payload, qos))

    def topics(self) -> list[str]:
        return [topic for topic, _, _ in self.sent]

    def document(self, topic: str) -> dict:
        (payload,) = [p for t, p, _ in self.sent if t == topic]
        return json.loads(payload)


@pytest.fixture
def broker() -> Broker:
    return Broker()


class Current:
    """One server for the module (stopping one takes half a second); a fresh plane per test."""

    def __init__(self) -> None:
        self.app: IotDataPlane | None = None

    def __call__(self, environ, start_response):
        assert self.app is not None
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[HttpServer, Current]]:
    current = Current()
    http = HttpServer(current, port=0)
    http.start()
    yield http, current
    http.stop()


@pytest.fixture
def server(running: tuple[HttpServer, Current], broker: Broker) -> HttpServer:
    http, current = running
    current.app = IotDataPlane(ShadowStore(), broker, now=lambda: NOW)
    return http


@pytest.fixture
def client(server: HttpServer):
    return boto3.client(
        "iot-data",
        endpoint_url=server.url,
        region_name="ap-southeast-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def update(client, document: dict, shadow: str | None = None) -> dict:
    extra = {"shadowName": shadow} if shadow else {}
    response = client.update_thing_shadow(
        thingName="lamp-01", payload=json.dumps(document).encode(), **extra
    )
    return json.loads(response["payload"].read())


def test_update_answers_the_accepted_document(client):
    accepted = update(client, {"state": {"desired": {"volume": 5}}, "clientToken": "fn-1"})

    assert accepted == {
        "state": {"desired": {"volume": 5}},
        "metadata": {"desired": {"volume": {"timestamp": TS}}},
        "version": 1,
        "timestamp": TS,
        "clientToken": "fn-1",
    }


def test_a_service_update_of_desired_reaches_the_device_as_a_delta(client, broker):
    update(client, {"state": {"reported": {"volume": 2}}})
    broker.sent.clear()

    update(client, {"state": {"desired": {"volume": 5}}}, shadow="config")

    prefix = "$aws/things/lamp-01/shadow/name/config"
    assert broker.topics() == [
        f"{prefix}/update/accepted",
        f"{prefix}/update/delta",
        f"{prefix}/update/documents",
    ]
    assert broker.document(f"{prefix}/update/delta") == {
        "version": 1,
        "timestamp": TS,
        "state": {"volume": 5},
        "metadata": {"volume": {"timestamp": TS}},
    }
    assert {qos for _, _, qos in broker.sent} == {1}


def test_get_answers_the_document_with_its_delta(client):
    update(client, {"state": {"desired": {"a": 1}, "reported": {"a": 0}}})

    document = json.loads(client.get_thing_shadow(thingName="lamp-01")["payload"].read())

    assert document == {
        "state": {"desired": {"a": 1}, "reported": {"a": 0}, "delta": {"a": 1}},
        "metadata": {"desired": {"a": {"timestamp": TS}}, "reported": {"a": {"timestamp": TS}}},
        "version": 1,
        "timestamp": TS,
    }


def test_a_missing_shadow_raises_resource_not_found(client):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.get_thing_shadow(thingName="lamp-01", shadowName="config")

    assert caught.value.response["Error"]["Message"] == (
        "No shadow exists with name: 'lamp-01~config'"
    )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_delete_answers_version_and_timestamp_publishes_and_then_get_is_404(client, broker):
    update(client, {"state": {"reported": {"a": 1}}})
    broker.sent.clear()

    deleted = json.loads(client.delete_thing_shadow(thingName="lamp-01")["payload"].read())

    assert deleted == {"version": 1, "timestamp": TS}
    assert broker.sent == [
        (f"{CLASSIC}/delete/accepted", b'{"version":1,"timestamp":1750000000}', 1)
    ]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_thing_shadow(thingName="lamp-01")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.delete_thing_shadow(thingName="lamp-01")


def test_a_stale_version_raises_conflict_and_publishes_nothing(client, broker):
    update(client, {"state": {"reported": {"a": 1}}})
    broker.sent.clear()

    with pytest.raises(client.exceptions.ConflictException) as caught:
        update(client, {"state": {"reported": {"a": 2}}, "version": 9})

    assert caught.value.response["Error"]["Message"] == "Version conflict"
    assert broker.sent == []


def test_a_malformed_document_raises_invalid_request(client):
    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        update(client, {"desired": {"a": 1}})

    assert caught.value.response["Error"]["Message"] == "Missing required node: state"


def test_an_oversized_state_raises_request_entity_too_large(client):
    with pytest.raises(client.exceptions.RequestEntityTooLargeException) as caught:
        update(client, {"state": {"reported": {"blob": "x" * 9000}}})

    assert caught.value.response["Error"]["Message"] == (
        "The payload exceeds the maximum size allowed"
    )


def test_a_body_that_is_not_utf8_raises_unsupported_document_encoding(client):
    with pytest.raises(client.exceptions.UnsupportedDocumentEncodingException):
        client.update_thing_shadow(thingName="lamp-01", payload=b'{"state":{"reported":"\xff"}}')


def test_a_thing_name_aws_refuses_raises_invalid_request(client):
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.get_thing_shadow(thingName="lamp 01")


def test_list_named_shadows_omits_deleted_ones_and_the_classic_shadow(client):
    for name in ("net", "audio", "power"):
        update(client, {"state": {"reported": {"ok": True}}}, shadow=name)
    update(client, {"state": {"reported": {"ok": True}}})
    client.delete_thing_shadow(thingName="lamp-01", shadowName="power")

    listed = client.list_named_shadows_for_thing(thingName="lamp-01")

    assert listed["results"] == ["audio", "net"]
    assert listed["timestamp"] == TS
    assert "nextToken" not in listed


def test_list_named_shadows_pages_with_next_token(client):
    for name in ("a", "b", "c"):
        update(client, {"state": {"reported": {"ok": True}}}, shadow=name)

    first = client.list_named_shadows_for_thing(thingName="lamp-01", pageSize=2)
    second = client.list_named_shadows_for_thing(
        thingName="lamp-01", pageSize=2, nextToken=first["nextToken"]
    )

    assert first["results"] == ["a", "b"]
    assert second["results"] == ["c"]
    assert "nextToken" not in second


def test_publish_hands_topic_payload_and_qos_to_the_broker(client, broker):
    client.publish(topic="$aws/things/lamp-01/shadow/update", qos=1, payload=b'{"x": 1}')
    client.publish(topic="nguon/units/u-1/commands", payload=b"\x00\x01")

    assert broker.sent == [
        ("$aws/things/lamp-01/shadow/update", b'{"x": 1}', 1),
        ("nguon/units/u-1/commands", b"\x00\x01", 0),
    ]


def test_an_unsupported_verb_is_405_method_not_allowed(server):
    request = urllib.request.Request(f"{server.url}/things/lamp-01/shadow", method="PUT")

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)

    assert caught.value.code == 405
    assert caught.value.headers["x-amzn-ErrorType"] == "MethodNotAllowedException"
    assert json.loads(caught.value.read()) == {
        "message": "The specified combination of HTTP verb and URI is not supported"
    }
