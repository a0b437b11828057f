"""MQTT clients for integration tests: devices over mTLS, tools on the plain listener."""

import json
import queue
import ssl
import time
from pathlib import Path

import boto3
import paho.mqtt.client as mqtt

from nguon.adapters.certificates import CertificateAuthority


def project_ca(endpoints: dict) -> CertificateAuthority:
    secrets = boto3.client(
        "secretsmanager",
        endpoint_url=endpoints["aws_endpoint_url"],
        region_name=endpoints["region"],
    )
    name = next(s["Name"] for s in secrets.list_secrets()["SecretList"] if "device-ca" in s["Name"])
    material = json.loads(secrets.get_secret_value(SecretId=name)["SecretString"])
    return CertificateAuthority(material["certificate"], material["private_key"])


def write_identity(ca: CertificateAuthority, thing: str, folder: Path) -> tuple[Path, Path]:
    issued = ca.issue(thing)
    folder.mkdir(parents=True, exist_ok=True)
    certificate, key = folder / f"{thing}.pem", folder / f"{thing}.key"
    certificate.write_text(issued.certificate_pem)
    key.write_text(issued.private_key_pem)
    return certificate, key


class Client:
    """A paho client that collects what it receives in a queue."""

    def __init__(self, client_id: str) -> None:
        self.messages: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.granted: queue.Queue[list[int]] = queue.Queue()
        self.paho = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
        self.paho.on_message = lambda _c, _u, m: self.messages.put((m.topic, m.payload))
        self.paho.on_subscribe = lambda _c, _u, _mid, codes, _p: self.granted.put(
            [code.value for code in codes]
        )

    @classmethod
    def tool(cls, endpoints: dict, client_id: str) -> "Client":
        client = cls(client_id)
        client.paho.connect(endpoints["mqtt"]["host"], endpoints["mqtt"]["port"])
        client.paho.loop_start()
        return client

    @classmethod
    def device(
        cls, endpoints: dict, thing: str, certificate: Path | None, key: Path | None
    ) -> "Client":
        client = cls(thing)
        context = ssl.create_default_context(cafile=endpoints["mqtt"]["ca_file"])
        if certificate and key:
            context.load_cert_chain(certificate, key)
        client.paho.tls_set_context(context)
        client.paho.connect(endpoints["mqtt"]["host"], endpoints["mqtt"]["tls_port"])
        client.paho.loop_start()
        return client

    def wait_connected(self, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.paho.is_connected():
                return True
            time.sleep(0.02)
        return False

    def subscribe(self, topic_filter: str) -> list[int]:
        self.paho.subscribe(topic_filter, qos=1)
        return self.granted.get(timeout=5)

    def next(self, timeout: float = 5.0, topic: str | None = None) -> tuple[str, dict]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"nothing on {topic or 'any topic'}")
            got_topic, payload = self.messages.get(timeout=remaining)
            if topic is None or got_topic == topic:
                return got_topic, json.loads(payload)

    def close(self) -> None:
        self.paho.disconnect()
        self.paho.loop_stop()
