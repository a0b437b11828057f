"""How a device reaches the broker: a small :class:`Transport` protocol and its awscrt MQTT5
implementations. Behaviour never touches awscrt, so tests use the in-memory loopback
(:mod:`nguon_device.loopback`) and a real box or the simulated fleet use :class:`MqttTransport`.

Callbacks (hooks, subscription callbacks, futures) arrive on awscrt's event-loop threads; the
device hands them to its scheduler. awscrt shares one event-loop group (a thread per core) among
all clients of a process, so a fleet of thousands does not cost a thread per device.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol

from nguon_device import topics
from nguon_device.config import DeviceConfig

log = logging.getLogger("nguon_device.transport")

MessageCallback = Callable[[str, bytes], None]


class TransportError(Exception):
    """A publish or subscribe the broker refused or that failed (offline, timed out)."""


class Transport(Protocol):
    on_connection_success: Callable[[], None] | None
    on_connection_interrupted: Callable[[str], None] | None
    on_stopped: Callable[[], None] | None

    @property
    def connected(self) -> bool: ...

    def connect(self) -> None:
        """Start connecting and keep reconnecting (with backoff) until :meth:`disconnect`."""
        ...

    def disconnect(self) -> None: ...

    def publish(self, topic: str, payload: bytes, qos: int = 1) -> Future[None]:
        """Resolves when the broker acknowledged (QoS 1) or the packet left (QoS 0)."""
        ...

    def subscribe(self, topic_filter: str, qos: int, callback: MessageCallback) -> Future[None]:
        """Resolves on SUBACK. The callback stays registered across reconnections."""
        ...


@dataclass(frozen=True)
class ConnectionSettings:
    """MQTT5 client timing; the defaults suit a 4G box and the simulated fleet alike."""

    connect_timeout_s: float = 10.0
    min_reconnect_delay_s: float = 1.0
    max_reconnect_delay_s: float = 120.0
    session_expiry_s: int = 3600
    keep_alive_s: int = 60
    ack_timeout_s: int = 30

    @classmethod
    def of(cls, config: DeviceConfig) -> ConnectionSettings:
        return cls(
            connect_timeout_s=config.connect_timeout_s,
            min_reconnect_delay_s=config.min_reconnect_delay_s,
            max_reconnect_delay_s=config.max_reconnect_delay_s,
            session_expiry_s=config.session_expiry_s,
            keep_alive_s=config.keep_alive_s,
        )

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments shared by ``mqtt5_client_builder`` and ``mqtt5.ClientOptions``."""
        from awscrt import io, mqtt5

        timeout_ms = int(self.connect_timeout_s * 1000)
        socket = io.SocketOptions()
        socket.connect_timeout_ms = timeout_ms
        return {
            # A persistent session: the broker keeps subscriptions and queues QoS 1 alerts
            # while the box is offline. Rejoining only after a first success keeps the client
            # spec-compliant (it cannot persist its own half of a session across restarts).
            "session_behavior": mqtt5.ClientSessionBehaviorType.REJOIN_POST_SUCCESS,
            # Full jitter: after a broker outage, thousands of boxes must not come back at once.
            "retry_jitter_mode": mqtt5.ExponentialBackoffJitterMode.FULL,
            "min_reconnect_delay_ms": int(self.min_reconnect_delay_s * 1000),
            "max_reconnect_delay_ms": int(self.max_reconnect_delay_s * 1000),
            "min_connected_time_to_reset_reconnect_delay_ms": 30_000,
            "connack_timeout_ms": timeout_ms,
            "ping_timeout_ms": min(10_000, (self.keep_alive_s - 1) * 1000),
            "ack_timeout_sec": self.ack_timeout_s,
            "socket_options": socket,
            # Operations fail at once while offline: the device keeps its own durable queue
            # (proof-of-play on disk) and resends after reconnection.
            "offline_queue_behavior": mqtt5.ClientOperationQueueBehaviorType.FAIL_ALL_ON_DISCONNECT,
        }


class _Mqtt5Transport:
    """The awscrt MQTT5 client behind :class:`Transport`; subclasses build the client."""

    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.on_connection_success: Callable[[], None] | None = None
        self.on_connection_interrupted: Callable[[str], None] | None = None
        self.on_stopped: Callable[[], None] | None = None
        self.on_connection_failure: Callable[[str], None] | None = None
        self._subscriptions: dict[str, MessageCallback] = {}
        self._connected = threading.Event()
        self._client: Any = None

    # -- lifecycle ------------------------------------------------------------------------
    def _build(self, callbacks: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _callbacks(self) -> dict[str, Any]:
        return {
            "on_publish_received": self._on_publish,
            "on_lifecycle_connection_success": self._on_success,
            "on_lifecycle_connection_failure": self._on_failure,
            "on_lifecycle_disconnection": self._on_disconnection,
            "on_lifecycle_stopped": self._on_stopped,
        }

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def connect(self) -> None:
        if self._client is None:
            self._client = self._build(self._callbacks())
        self._client.start()

    def wait_connected(self, timeout_s: float) -> bool:
        """Block until connected (tools and tests; a device never blocks on this)."""
        return self._connected.wait(timeout_s)

    def disconnect(self) -> None:
        if self._client is not None:
            self._client.stop()

    # -- operations -----------------------------------------------------------------------
    def publish(self, topic: str, payload: bytes, qos: int = 1) -> Future[None]:
        from awscrt import mqtt5

        result: Future[None] = Future()
        try:
            crt = self._client.publish(
                mqtt5.PublishPacket(topic=topic, payload=payload, qos=mqtt5.QoS(qos))
            )
        except Exception as exc:  # not started, or a packet the client rejects
            result.set_exception(TransportError(str(exc)))
            return result

        def finished(done: Future[Any]) -> None:
            error = done.exception()
            if error is not None:
                result.set_exception(TransportError(str(error)))
                return
            # QoS 0 completes without a PUBACK (or with an empty one).
            code = getattr(getattr(done.result(), "puback", None), "reason_code", None)
            if code is not None and int(code) >= 0x80:
                result.set_exception(TransportError(f"PUBACK {code!r}"))
            else:
                result.set_result(None)

        crt.add_done_callback(finished)
        return result

    def subscribe(self, topic_filter: str, qos: int, callback: MessageCallback) -> Future[None]:
        from awscrt import mqtt5

        self._subscriptions[topic_filter] = callback
        result: Future[None] = Future()
        try:
            crt = self._client.subscribe(
                mqtt5.SubscribePacket(
                    subscriptions=[
                        mqtt5.Subscription(topic_filter=topic_filter, qos=mqtt5.QoS(qos))
                    ]
                )
            )
        except Exception as exc:
            result.set_exception(TransportError(str(exc)))
            return result

        def finished(done: Future[Any]) -> None:
            error = done.exception()
            if error is not None:
                result.set_exception(TransportError(str(error)))
                return
            codes = [int(code) for code in done.result().reason_codes]
            if any(code >= 0x80 for code in codes):
                result.set_exception(TransportError(f"SUBACK {codes} for {topic_filter}"))
            else:
                result.set_result(None)

        crt.add_done_callback(finished)
        return result

    # -- awscrt callbacks (event-loop threads) ----------------------------------------------
    def _on_publish(self, data: Any) -> None:
        packet = data.publish_packet
        topic, payload = packet.topic, bytes(packet.payload or b"")
        for topic_filter, callback in list(self._subscriptions.items()):
            if topics.matches(topic_filter, topic):
                try:
                    callback(topic, payload)
                except Exception:
                    log.exception("%s: handler for %s failed", self.client_id, topic)

    def _on_success(self, _data: Any) -> None:
        self._connected.set()
        log.debug("%s: connected", self.client_id)
        _call(self.on_connection_success)

    def _on_failure(self, data: Any) -> None:
        reason = _error_name(getattr(data, "exception", None) or getattr(data, "error_code", ""))
        log.debug("%s: connection attempt failed: %s", self.client_id, reason)
        _call(self.on_connection_failure, reason)

    def _on_disconnection(self, data: Any) -> None:
        self._connected.clear()
        reason = _error_name(getattr(data, "exception", None) or getattr(data, "error_code", ""))
        log.debug("%s: disconnected: %s", self.client_id, reason)
        _call(self.on_connection_interrupted, reason)

    def _on_stopped(self, _data: Any) -> None:
        self._connected.clear()
        _call(self.on_stopped)


def _call(hook: Callable[..., None] | None, *args: Any) -> None:
    if hook is not None:
        try:
            hook(*args)
        except Exception:
            log.exception("transport hook failed")


def _error_name(error: Any) -> str:
    return getattr(error, "name", None) or str(error)


class MqttTransport(_Mqtt5Transport):
    """X.509 mutual TLS to AWS IoT Core (or the local cloud's Mosquitto), client id = thing."""

    def __init__(self, config: DeviceConfig, settings: ConnectionSettings | None = None) -> None:
        if not config.mtls:
            raise ValueError(f"{config.thing}: a certificate and a private key are needed")
        if config.ca_path is None:
            # Without a CA the awscrt connect hangs instead of failing (LOCAL-CLOUD-NOTES).
            raise ValueError(f"{config.thing}: a CA file is needed")
        super().__init__(config.thing)
        self._config = config
        self._settings = settings or ConnectionSettings.of(config)

    def _build(self, callbacks: dict[str, Any]) -> Any:
        from awsiot import mqtt5_client_builder

        return mqtt5_client_builder.mtls_from_path(
            endpoint=self._config.host,
            port=self._config.port,
            cert_filepath=str(self._config.cert_path),
            pri_key_filepath=str(self._config.key_path),
            ca_filepath=str(self._config.ca_path),
            client_id=self._config.thing,
            keep_alive_interval_sec=self._settings.keep_alive_s,
            session_expiry_interval_sec=self._settings.session_expiry_s,
            **self._settings.client_kwargs(),
            **callbacks,
        )


class PlainTransport(_Mqtt5Transport):
    """MQTT5 over plain TCP, for tools and benchmarks on the local cloud's plain listener."""

    def __init__(
        self, host: str, port: int, client_id: str, settings: ConnectionSettings | None = None
    ) -> None:
        super().__init__(client_id)
        self._host, self._port = host, port
        self._settings = settings or ConnectionSettings()

    def _build(self, callbacks: dict[str, Any]) -> Any:
        from awscrt import mqtt5

        kwargs = self._settings.client_kwargs()
        options = mqtt5.ClientOptions(
            host_name=self._host,
            port=self._port,
            connect_options=mqtt5.ConnectPacket(
                client_id=self.client_id,
                keep_alive_interval_sec=self._settings.keep_alive_s,
                session_expiry_interval_sec=self._settings.session_expiry_s,
            ),
            session_behavior=kwargs["session_behavior"],
            retry_jitter_mode=kwargs["retry_jitter_mode"],
            min_reconnect_delay_ms=kwargs["min_reconnect_delay_ms"],
            max_reconnect_delay_ms=kwargs["max_reconnect_delay_ms"],
            min_connected_time_to_reset_reconnect_delay_ms=kwargs[
                "min_connected_time_to_reset_reconnect_delay_ms"
            ],
            connack_timeout_ms=kwargs["connack_timeout_ms"],
            ping_timeout_ms=kwargs["ping_timeout_ms"],
            ack_timeout_sec=kwargs["ack_timeout_sec"],
            socket_options=kwargs["socket_options"],
            offline_queue_behavior=kwargs["offline_queue_behavior"],
            on_publish_callback_fn=callbacks["on_publish_received"],
            on_lifecycle_event_connection_success_fn=callbacks["on_lifecycle_connection_success"],
            on_lifecycle_event_connection_failure_fn=callbacks["on_lifecycle_connection_failure"],
            on_lifecycle_event_disconnection_fn=callbacks["on_lifecycle_disconnection"],
            on_lifecycle_event_stopped_fn=callbacks["on_lifecycle_stopped"],
        )
        return mqtt5.Client(options)
