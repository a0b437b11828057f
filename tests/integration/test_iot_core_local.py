"""IoT Core as the local cloud gives it: mTLS, the device policy, shadows over MQTT and HTTP,
presence. Pinned against AWS's documented behaviour."""

import json
import uuid

import boto3
import pytest

from nguon.adapters.certificates import CertificateAuthority
from tests.integration.mqtt_clients import Client, project_ca, write_identity

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def ca(endpoints):
    return project_ca(endpoints)


@pytest.fixture
def thing():
    return f"loa-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def clients():
    opened: list[Client] = []
    yield opened
    for client in opened:
        client.close()


@pytest.fixture(scope="module")
def iot_data(endpoints):
    return boto3.client(
        "iot-data", endpoint_url=endpoints["iot_data_url"], region_name=endpoints["region"]
    )


def test_endpoints_file_names_the_mqtt_listeners(endpoints):
    mqtt = endpoints["mqtt"]
    assert mqtt["host"] == "127.0.0.1"
    assert mqtt["port"] != mqtt["tls_port"]
    assert mqtt["ca_file"].endswith("ca.pem")


def test_device_with_a_project_certificate_connects(endpoints, ca, thing, tmp_path, clients):
    certificate, key = write_identity(ca, thing, tmp_path)
    clients.append(device := Client.device(endpoints, thing, certificate, key))
    assert device.wait_connected()


def test_device_without_a_certificate_is_refused(endpoints, thing, clients):
    assert not connects(endpoints, thing, None, None, clients)


def test_certificate_from_another_ca_is_refused(endpoints, thing, tmp_path, clients):
    stranger = CertificateAuthority.create("Not the project CA")
    certificate, key = write_identity(stranger, thing, tmp_path)
    assert not connects(endpoints, thing, certificate, key, clients)


def connects(endpoints, thing, certificate, key, clients) -> bool:
    """The TLS handshake fails (an error here) or the broker drops the connection."""
    try:
        clients.append(client := Client.device(endpoints, thing, certificate, key))
    except OSError:
        return False
    return client.wait_connected(timeout=1.0)


def test_device_is_refused_on_another_things_shadow(
    endpoints, ca, thing, tmp_path, clients, iot_data
):
    certificate, key = write_identity(ca, thing, tmp_path)
    clients.append(device := Client.device(endpoints, thing, certificate, key))
    clients.append(tool := Client.tool(endpoints, f"tool-{thing}"))
    assert device.wait_connected()
    assert tool.wait_connected()
    other = f"loa-other-{thing}"
    # Mosquitto grants the SUBSCRIBE but delivers nothing the ACL does not allow.
    device.subscribe(f"$aws/things/{other}/shadow/name/config/update/delta")
    device.subscribe(f"$aws/things/{thing}/shadow/name/config/update/delta")

    tool.paho.publish(f"$aws/things/{other}/shadow/name/config/update/delta", b'{"n": 1}', qos=1)
    tool.paho.publish(f"$aws/things/{thing}/shadow/name/config/update/delta", b'{"n": 2}', qos=1)
    device.paho.publish(
        f"$aws/things/{other}/shadow/name/config/update",
        json.dumps({"state": {"desired": {"volume": 0}}}),
        qos=1,
    ).wait_for_publish(5)

    topic, message = device.next()
    assert (topic, message) == (f"$aws/things/{thing}/shadow/name/config/update/delta", {"n": 2})
    assert device.messages.empty()
    with pytest.raises(iot_data.exceptions.ResourceNotFoundException):
        iot_data.get_thing_shadow(thingName=other, shadowName="config")


def test_service_shadow_update_reaches_the_device_as_a_delta(
    endpoints, ca, thing, tmp_path, clients, iot_data
):
    certificate, key = write_identity(ca, thing, tmp_path)
    clients.append(device := Client.device(endpoints, thing, certificate, key))
    assert device.wait_connected()
    delta_topic = f"$aws/things/{thing}/shadow/name/config/update/delta"
    device.subscribe(delta_topic)

    iot_data.update_thing_shadow(
        thingName=thing,
        shadowName="config",
        payload=json.dumps({"state": {"desired": {"volume": 70, "power": "on"}}}).encode(),
    )

    _, delta = device.next(topic=delta_topic)
    assert delta["state"] == {"volume": 70, "power": "on"}
    assert delta["version"] == 1


def test_device_report_over_mqtt_is_seen_by_the_service(
    endpoints, ca, thing, tmp_path, clients, iot_data
):
    certificate, key = write_identity(ca, thing, tmp_path)
    clients.append(device := Client.device(endpoints, thing, certificate, key))
    assert device.wait_connected()
    accepted = f"$aws/things/{thing}/shadow/name/health/update/accepted"
    device.subscribe(accepted)

    device.paho.publish(
        f"$aws/things/{thing}/shadow/name/health/update",
        json.dumps({"state": {"reported": {"firmware": "1.2"}}, "clientToken": "c-1"}),
        qos=1,
    )

    _, answer = device.next(topic=accepted)
    assert answer["clientToken"] == "c-1"
    shadow = json.loads(
        iot_data.get_thing_shadow(thingName=thing, shadowName="health")["payload"].read()
    )
    assert shadow["state"]["reported"] == {"firmware": "1.2"}


def test_connecting_device_announces_its_presence(endpoints, ca, thing, tmp_path, clients):
    clients.append(watcher := Client.tool(endpoints, f"watch-{thing}"))
    assert watcher.wait_connected()
    watcher.subscribe(f"$aws/events/presence/+/{thing}")
    certificate, key = write_identity(ca, thing, tmp_path)
    device = Client.device(endpoints, thing, certificate, key)
    assert device.wait_connected()

    _, connected = watcher.next(topic=f"$aws/events/presence/connected/{thing}")
    device.close()
    _, disconnected = watcher.next(topic=f"$aws/events/presence/disconnected/{thing}")

    assert connected["clientId"] == thing
    assert connected["eventType"] == "connected"
    assert disconnected["disconnectReason"] == "CLIENT_INITIATED_DISCONNECT"
    assert disconnected["clientInitiatedDisconnect"] is True
    assert disconnected["versionNumber"] == connected["versionNumber"]
    assert disconnected["sessionIdentifier"] == connected["sessionIdentifier"]
