"""The real awscrt MQTT5 transports against a real Mosquitto: plain TCP for tools, X.509
mutual TLS for devices (certificates made here, EC P-256, the broker requiring them)."""

import json
import random
import threading
import time

import pytest

from nguon_device.clock import ThreadScheduler
from nguon_device.config import DeviceConfig, write_bundle
from nguon_device.device import Device, DeviceHooks
from nguon_device.player import PlayItem, SimulatedSpeaker
from nguon_device.transport import MqttTransport, PlainTransport
from tests.unit.device import mosquitto
from tests.unit.device.pki import Authority

pytestmark = pytest.mark.skipif(not mosquitto.available(), reason="mosquitto not installed")


class Inbox:
    def __init__(self):
        self.messages = []
        self.arrived = threading.Condition()

    def __call__(self, topic, payload):
        with self.arrived:
            self.messages.append((topic, payload))
            self.arrived.notify_all()

    def wait(self, count=1, timeout=5.0):
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        return self.messages


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pki")
    authority = Authority()
    server_cert, server_key = authority.issue("127.0.0.1", server=True)
    (folder / "ca.pem").write_bytes(authority.pem)
    (folder / "server.crt").write_bytes(server_cert)
    (folder / "server.key").write_bytes(server_key)
    return authority, folder


@pytest.fixture(scope="module")
def broker(pki, tmp_path_factory):
    _, folder = pki
    server = mosquitto.Mosquitto(
        tmp_path_factory.mktemp("mosquitto"),
        ca=folder / "ca.pem",
        cert=folder / "server.crt",
        key=folder / "server.key",
    )
    yield server
    server.stop()


@pytest.fixture
def plain(broker):
    clients = []

    def connect(client_id):
        client = PlainTransport("127.0.0.1", broker.plain_port, client_id)
        client.connect()
        assert client.wait_connected(5)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.disconnect()


def bundle(pki, broker, folder, thing, authority=None):
    ca, _ = pki
    cert, key = (authority or ca).issue(thing)
    write_bundle(
        folder, thing=thing, kind="speaker", host="127.0.0.1", port=broker.tls_port,
        areas=["52", "540", "21550"], certificate_pem=cert, private_key_pem=key, ca_pem=ca.pem,
    )  # fmt: skip
    return DeviceConfig.from_bundle(folder, connect_timeout_s=3, min_reconnect_delay_s=0.2)


def test_plain_transport_publish_subscribe_round_trip(plain):
    tool, other = plain("tool"), plain("other")
    inbox = Inbox()
    tool.subscribe("nguon/devices/+/heartbeat", 1, inbox).result(5)

    other.publish("nguon/devices/x/heartbeat", b'{"seq": 1}', 1).result(5)

    assert inbox.wait() == [("nguon/devices/x/heartbeat", b'{"seq": 1}')]


def test_mtls_transport_connects_with_its_device_certificate(pki, broker, plain, tmp_path):
    config = bundle(pki, broker, tmp_path / "b", "loa-mtls-1")
    device = MqttTransport(config)
    observer = plain("observer")
    inbox, echoes = Inbox(), Inbox()
    observer.subscribe("nguon/devices/+/plays", 1, inbox).result(5)
    try:
        device.connect()
        assert device.wait_connected(5)
        device.subscribe("nguon/alerts/21550", 1, echoes).result(5)
        device.publish("nguon/devices/loa-mtls-1/plays", b"{}", 1).result(5)
        observer.publish("nguon/alerts/21550", b"alert", 1).result(5)

        assert inbox.wait() == [("nguon/devices/loa-mtls-1/plays", b"{}")]
        assert echoes.wait() == [("nguon/alerts/21550", b"alert")]
    finally:
        device.disconnect()


def test_mtls_transport_with_a_certificate_from_another_ca_is_refused(pki, broker, tmp_path):
    config = bundle(pki, broker, tmp_path / "b", "loa-rogue", authority=Authority("Rogue CA"))
    device = MqttTransport(config)
    refused = threading.Event()
    device.on_connection_failure = lambda reason: refused.set()
    try:
        device.connect()
        assert refused.wait(5)
        assert not device.connected
    finally:
        device.disconnect()


def test_a_device_over_mtls_beats_and_plays_an_alert_from_its_area_topic(
    pki, broker, plain, tmp_path
):
    config = bundle(pki, broker, tmp_path / "b", "loa-mtls-2").with_(cache_dir=tmp_path / "cache")
    observer = plain("cloud")
    beats = Inbox()
    observer.subscribe("nguon/devices/+/heartbeat", 0, beats).result(5)
    scheduler = ThreadScheduler().start()
    started = threading.Event()
    hooks = DeviceHooks(on_playback_started=lambda d, item, t: item.emergency and started.set())
    device = Device(
        config, MqttTransport(config), SimulatedSpeaker(config.thing), scheduler,
        hooks=hooks, rng=random.Random(1),
    )  # fmt: skip
    try:
        device.start()
        assert json.loads(beats.wait()[0][1])["thing"] == "loa-mtls-2"
        deadline = time.monotonic() + 5
        while not started.is_set() and time.monotonic() < deadline:
            # The device subscribes right after connecting; publish until it hears.
            alert = {
                "action": "start", "alert_id": "al-1", "version": 1,
                "issued_at": "2026-01-01T00:00:00Z", "valid_until": "2099-01-01T00:00:00Z",
                "text": "Sơ tán ngay.",
            }  # fmt: skip
            observer.publish("nguon/alerts/540", json.dumps(alert).encode(), 1).result(5)
            started.wait(0.2)
        assert started.is_set()
    finally:
        device.stop()
        time.sleep(0.1)
        scheduler.stop()


def test_after_a_broker_outage_the_device_reconnects_resends_plays_and_hears_alerts(
    pki, broker, plain, tmp_path
):
    config = bundle(pki, broker, tmp_path / "b", "loa-mtls-3").with_(
        cache_dir=tmp_path / "cache", plays_flush_s=0.05, max_reconnect_delay_s=1
    )
    scheduler = ThreadScheduler().start()
    connected, alerted = threading.Semaphore(0), threading.Event()
    hooks = DeviceHooks(
        on_event=lambda d, name, details: name == "connected" and connected.release(),
        on_playback_started=lambda d, item, t: item.emergency and alerted.set(),
    )
    device = Device(
        config, MqttTransport(config), SimulatedSpeaker(config.thing), scheduler, hooks=hooks
    )
    try:
        device.start()
        assert connected.acquire(timeout=5)
        broker.stop()
        item = PlayItem(
            key="c-1", bulletin_id="b-1", title="t", text="x", media=None, media_path=None,
            requested_s=0.05, source="command",
        )  # fmt: skip
        scheduler.call_soon(lambda: device.programme.play_now(item))
        deadline = time.monotonic() + 5
        while len(device.plays) < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(device.plays) == 1  # played offline, buffered

        broker.start()
        observer = plain("cloud-after")
        plays = Inbox()
        observer.subscribe("nguon/devices/+/plays", 1, plays).result(5)
        assert connected.acquire(timeout=10)

        record = json.loads(plays.wait()[0][1])["records"][0]
        assert record["play_id"].startswith("loa-mtls-3:c-1:")
        alert = {
            "action": "start", "alert_id": "al-2", "version": 1,
            "issued_at": "2026-01-01T00:00:00Z", "valid_until": "2099-01-01T00:00:00Z",
            "text": "Sơ tán ngay.",
        }  # fmt: skip
        observer.publish("nguon/alerts/52", json.dumps(alert).encode(), 1).result(5)
        assert alerted.wait(5)
        deadline = time.monotonic() + 5
        while len(device.plays) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(device.plays) == 0  # acknowledged, gone from the buffer
    finally:
        device.stop()
        time.sleep(0.1)
        scheduler.stop()
