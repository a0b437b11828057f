"""The bridge: what IoT Core does around the broker, over one shadow store.

- the shadow MQTT protocol (``$aws/things/{thing}/shadow[/name/{name}]/{update,get,delete}``)
  and the ``iot-data`` HTTP API (``UpdateThingShadow``, ``Publish``...) on the same store, so a
  function's shadow update reaches the device as a delta;
- lifecycle (presence) events on ``$aws/events/presence/{connected,disconnected}/{clientId}``,
  from the broker's connection log;
- the template's topic rules: every message on a rule's topic is evaluated and the result
  handed to the function as an asynchronous invocation, as IoT Core's Lambda action does.

It is an ordinary MQTT client on the broker's plain listener, so it sees what devices publish
and everything it publishes goes through the broker's normal delivery.
"""

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import paho.mqtt.client as mqtt

from infra.localcloud.gateway import HttpServer
from infra.localcloud.iot.broker import ConnectionEvent
from infra.localcloud.iot.data_plane import IotDataPlane
from infra.localcloud.iot.rules import parse_rule
from infra.localcloud.iot.shadow_mqtt import ShadowMqtt
from infra.localcloud.iot.shadows import ShadowStore
from infra.localcloud.template import IotRuleSpec

log = logging.getLogger("localcloud.iot")

Submit = Callable[[str, Mapping[str, Any]], None]

SHADOW_REQUESTS = tuple(
    f"$aws/things/+/shadow/{prefix}{operation}"
    for prefix in ("", "name/+/")
    for operation in ("update", "get", "delete")
)


class IotBridge:
    name = "iot-bridge"

    def __init__(
        self,
        host: str,
        port: int,
        rules: Sequence[IotRuleSpec],
        submit: Submit,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._host, self._port = host, port
        self._rules = [(spec, parse_rule(spec.sql)) for spec in rules]
        self._submit = submit
        self._now = now
        self.store = ShadowStore()
        self._protocol = ShadowMqtt(self.store)
        self._http = HttpServer(IotDataPlane(self.store, self.publish, now=now), name="iot-data")
        self.data_url = self._http.url
        self._client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"nguon-iot-bridge-{uuid.uuid4().hex[:8]}",
            protocol=mqtt.MQTTv5,
        )
        self._client.max_inflight_messages_set(1000)
        self._client.max_queued_messages_set(0)
        self._client.on_message = self._on_message
        self._client.on_subscribe = self._on_subscribe
        self._subscribed = threading.Event()
        self._pending_subscriptions = 0
        self._sessions: dict[str, tuple[int, str]] = {}  # clientId → (versionNumber, session)
        self._versions: dict[str, int] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self._http.start()
        self._client.connect(self._host, self._port, keepalive=60)
        self._client.loop_start()
        filters = sorted({*SHADOW_REQUESTS, *(rule.topic_filter for _, rule in self._rules)})
        self._pending_subscriptions = len(filters)
        for topic_filter in filters:
            self._client.subscribe(topic_filter, qos=1)
        if not self._subscribed.wait(10):
            raise TimeoutError("the IoT bridge could not subscribe on the broker")

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
        self._http.stop()

    def _on_subscribe(self, *_: Any) -> None:
        with self._lock:
            self._pending_subscriptions -= 1
            if self._pending_subscriptions <= 0:
                self._subscribed.set()

    # ------------------------------------------------------------------ publishing
    def publish(self, topic: str, payload: bytes, qos: int = 1) -> None:
        self._client.publish(topic, payload, qos=min(qos, 1))

    def on_connection(self, event: ConnectionEvent) -> None:
        """A device connected or went away: IoT Core's lifecycle event, on its topic."""
        with self._lock:
            if event.connected:
                version = self._versions.get(event.client_id, 0) + 1
                self._versions[event.client_id] = version
                session = str(uuid.uuid4())
                self._sessions[event.client_id] = (version, session)
            else:
                version, session = self._sessions.get(event.client_id, (0, str(uuid.uuid4())))
        message: dict[str, Any] = {
            "clientId": event.client_id,
            "timestamp": event.at_ms,
            "eventType": "connected" if event.connected else "disconnected",
            "sessionIdentifier": session,
            "principalIdentifier": event.username or event.client_id,
            "versionNumber": version,
        }
        if event.connected:
            message["ipAddress"] = event.ip_address
        else:
            message["clientInitiatedDisconnect"] = event.reason == "CLIENT_INITIATED_DISCONNECT"
            message["disconnectReason"] = event.reason
        kind = message["eventType"]
        self.publish(f"$aws/events/presence/{kind}/{event.client_id}", json.dumps(message).encode())

    # ------------------------------------------------------------------ receiving
    def _on_message(self, _client: Any, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        topic, payload = message.topic, bytes(message.payload)  # paho may give a bytearray
        try:
            for outgoing in self._protocol.handle(topic, payload, self._now()):
                self.publish(outgoing.topic, outgoing.payload)
            now_ms = int(self._now() * 1000)
            for spec, rule in self._rules:
                if rule.matches(topic):
                    # MQTT does not tell a subscriber who published, so clientid() is ""
                    # here unless the message is a lifecycle event (which names it).
                    result = rule.evaluate(topic, payload, "", now_ms)
                    if result is not None:
                        self._submit(spec.function, result)
        except Exception:
            log.exception("IoT bridge could not handle a message on %s", topic)
