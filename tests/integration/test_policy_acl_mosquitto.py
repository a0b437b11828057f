"""The generated ACL, loaded by a real mosquitto, keeps one device out of another's topics.

A plain listener stands in for the mTLS one: the username comes from CONNECT instead of the
certificate's CN, and the ACL sees the same ``%u``. Area alerts are granted through thing
attributes, as the template's device policy does.
"""

import os
import queue
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from infra.localcloud.iot.policy_acl import translate_policy

pytestmark = pytest.mark.integration

MOSQUITTO = "/usr/sbin/mosquitto"
REGION = "ap-southeast-1"
ACCOUNT = "123456789012"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}"
THING = "${iot:Connection.Thing.ThingName}"
AREAS = [
    f"${{iot:Connection.Thing.Attributes[{level}]}}"
    for level in ("province", "district", "commune")
]
DEVICE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "iot:Connect", "Resource": f"{ARN}:client/{THING}"},
        {
            "Effect": "Allow",
            "Action": ["iot:Publish", "iot:Receive"],
            "Resource": f"{ARN}:topic/$aws/things/{THING}/shadow/*",
        },
        {
            "Effect": "Allow",
            "Action": "iot:Subscribe",
            "Resource": [
                f"{ARN}:topicfilter/$aws/things/{THING}/shadow/*",
                f"{ARN}:topicfilter/nguon/devices/{THING}/commands",
                *(f"{ARN}:topicfilter/nguon/alerts/{area}" for area in AREAS),
            ],
        },
        {
            "Effect": "Allow",
            "Action": "iot:Publish",
            "Resource": f"{ARN}:topic/nguon/devices/{THING}/*",
        },
        {
            "Effect": "Allow",
            "Action": "iot:Receive",
            "Resource": [
                f"{ARN}:topic/nguon/devices/{THING}/commands",
                *(f"{ARN}:topic/nguon/alerts/{area}" for area in AREAS),
            ],
        },
    ],
}
# Two communes of one district (Quy Nhơn), as provisioning sets their attributes.
THINGS = {
    "dev-a": {"province": "52", "district": "540", "commune": "21550"},
    "dev-b": {"province": "52", "district": "540", "commune": "21553"},
}
# The fan-out publishes alerts; in AWS it does so with its role, not a device policy.
PUBLISHER = "user fanout\ntopic write nguon/alerts/#\n"
TIMEOUT = 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def device_acl(things: dict[str, dict[str, str]]) -> str:
    policy = translate_policy(DEVICE_POLICY, region=REGION, account=ACCOUNT)
    return policy.render("the test policy", things) + PUBLISHER


class Broker:
    def __init__(self, port: int, acl: Path, process: subprocess.Popen) -> None:
        self.port, self.acl, self.process = port, acl, process

    def reload_acl(self, text: str) -> None:
        """What the local cloud does when a thing connects: rewrite the file, SIGHUP."""
        self.acl.write_text(text)
        self.process.send_signal(signal.SIGHUP)


@pytest.fixture
def broker(tmp_path: Path):
    if not Path(MOSQUITTO).exists():
        pytest.skip(f"{MOSQUITTO} is not installed")
    port = free_port()
    acl = tmp_path / "acl"
    acl.write_text(device_acl(THINGS))
    conf = tmp_path / "mosquitto.conf"
    lines = [
        "per_listener_settings true",
        f"listener {port} 127.0.0.1",
        "allow_anonymous true",
        f"acl_file {acl}",
    ]
    if os.geteuid() == 0:
        lines.append("user root")  # otherwise it drops to 'mosquitto', who cannot read tmp_path
    conf.write_text("\n".join(lines) + "\n")
    log = (tmp_path / "mosquitto.log").open("w")
    process = subprocess.Popen(
        [shutil.which(MOSQUITTO) or MOSQUITTO, "-c", str(conf)], stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"mosquitto did not start: {(tmp_path / 'mosquitto.log').read_text()}"
                    )
                time.sleep(0.05)
        yield Broker(port, acl, process)
    finally:
        process.terminate()
        try:
            process.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class Device:
    """A paho client whose username and client id are the thing name, as in AWS."""

    def __init__(self, port: int, thing: str) -> None:
        self.received: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.subacks: queue.Queue[list[int]] = queue.Queue()
        connected: queue.Queue[int] = queue.Queue()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=thing, protocol=mqtt.MQTTv311
        )
        self.client.username_pw_set(thing)
        self.client.on_connect = lambda c, u, f, rc, p: connected.put(rc.value)
        self.client.on_message = lambda c, u, m: self.received.put((m.topic, m.payload))
        self.client.on_subscribe = lambda c, u, mid, rcs, p: self.subacks.put(
            [rc.value for rc in rcs]
        )
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert connected.get(timeout=TIMEOUT) == 0

    def subscribe(self, topic_filter: str) -> list[int]:
        self.client.subscribe(topic_filter, qos=1)
        return self.subacks.get(timeout=TIMEOUT)

    def publish(self, topic: str, payload: bytes) -> None:
        self.client.publish(topic, payload, qos=1).wait_for_publish(TIMEOUT)

    def next_message(self) -> tuple[str, bytes]:
        return self.received.get(timeout=TIMEOUT)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def devices(broker):
    pair = Device(broker.port, "dev-a"), Device(broker.port, "dev-b")
    yield pair
    for device in pair:
        device.close()


def test_a_device_receives_its_own_shadow_topics_and_not_another_devices(devices):
    dev_a, dev_b = devices
    shadow_a = "$aws/things/dev-a/shadow/name/health/update"

    assert dev_a.subscribe("$aws/things/dev-a/shadow/#") == [1]
    # mosquitto 2.0 grants every SUBSCRIBE; the ACL decides what is delivered.
    assert dev_b.subscribe("$aws/things/dev-a/shadow/#") == [1]
    assert dev_b.subscribe("$aws/things/dev-b/shadow/#") == [1]

    # Each device's first delivery shows that nothing was let through before it.
    dev_b.publish(shadow_a, b"from b")  # no write access: dropped
    dev_a.publish(shadow_a, b"from a")
    dev_b.publish("$aws/things/dev-b/shadow/update", b"b's own")

    assert dev_a.next_message() == (shadow_a, b"from a")
    assert dev_b.next_message() == ("$aws/things/dev-b/shadow/update", b"b's own")


def test_a_device_cannot_command_another(devices):
    dev_a, dev_b = devices
    assert dev_a.subscribe("nguon/devices/dev-a/commands") == [1]

    dev_b.publish("nguon/devices/dev-a/commands", b"from b")  # dropped
    dev_a.publish("nguon/devices/dev-a/commands", b"from a")  # a may publish under its own prefix

    assert dev_a.next_message() == ("nguon/devices/dev-a/commands", b"from a")
    assert dev_a.received.empty()


def _alerts(device: "Device", count: int) -> list[tuple[str, bytes]]:
    return [device.next_message() for _ in range(count)]


def test_a_device_receives_the_alerts_of_its_own_areas_and_not_another_communes(broker, devices):
    dev_a, dev_b = devices
    fanout = Device(broker.port, "fanout")
    try:
        for topic in ("nguon/alerts/52", "nguon/alerts/540", "nguon/alerts/21550"):
            assert dev_a.subscribe(topic) == [1]
        assert dev_a.subscribe("nguon/alerts/21553") == [1]  # b's commune: granted, never delivered
        # A wildcard subscription (AWS would refuse it) still delivers only b's own areas.
        assert dev_b.subscribe("nguon/alerts/+") == [1]

        # b's commune first: a's first delivery shows that it was not let through.
        for topic in ("nguon/alerts/21553", "nguon/alerts/21550", "nguon/alerts/540"):
            fanout.publish(topic, topic.encode())
        fanout.publish("nguon/alerts/52", b"province")

        assert _alerts(dev_a, 3) == [
            ("nguon/alerts/21550", b"nguon/alerts/21550"),
            ("nguon/alerts/540", b"nguon/alerts/540"),
            ("nguon/alerts/52", b"province"),
        ]
        assert _alerts(dev_b, 3) == [
            ("nguon/alerts/21553", b"nguon/alerts/21553"),
            ("nguon/alerts/540", b"nguon/alerts/540"),
            ("nguon/alerts/52", b"province"),
        ]
        assert dev_a.received.empty()
        assert dev_b.received.empty()
    finally:
        fanout.close()


def test_a_thing_learned_after_it_connected_gets_its_alerts_once_the_acl_is_reloaded(broker):
    broker.reload_acl(device_acl({}))  # the broker started before the thing was known
    time.sleep(0.3)
    device, fanout = Device(broker.port, "dev-c"), Device(broker.port, "fanout")
    try:
        assert device.subscribe("nguon/alerts/21556") == [1]
        fanout.publish("nguon/alerts/21556", b"before")

        broker.reload_acl(device_acl({"dev-c": {"commune": "21556"}}))
        deadline = time.monotonic() + TIMEOUT
        while device.received.empty() and time.monotonic() < deadline:
            fanout.publish("nguon/alerts/21556", b"after")
            time.sleep(0.1)

        assert device.next_message() == ("nguon/alerts/21556", b"after")
    finally:
        device.close()
        fanout.close()
