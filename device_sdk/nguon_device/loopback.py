"""An in-memory broker and :class:`~nguon_device.transport.Transport`, for tests and demos.

Delivery is synchronous but never re-entrant: a publish made while a message is being delivered
waits in the broker's queue until that delivery returns. A test can hold PUBACKs
(``hold_acks``), drop and restore a client's network, and read every message that went through.
Sessions behave as persistent ones: subscriptions survive a dropped connection; messages
published while a client is offline are not queued for it (the shadow is the durable path).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from nguon_device import topics
from nguon_device.transport import MessageCallback, TransportError


@dataclass(frozen=True)
class Message:
    sender: str
    topic: str
    payload: bytes
    qos: int

    def json(self) -> Any:
        return json.loads(self.payload)


class LoopbackBroker:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.hold_acks = False
        self._clients: dict[str, LoopbackTransport] = {}
        self._listeners: list[tuple[str, MessageCallback]] = []
        self._network_down: set[str] = set()
        # Exact filters by topic (what devices mostly use), so a fleet's delivery is not N².
        self._exact: dict[str, dict[str, MessageCallback]] = {}
        self._wild: dict[tuple[str, str], MessageCallback] = {}
        self._held: list[tuple[str, Future[None]]] = []
        self._queue: deque[Callable[[], None]] = deque()
        self._draining = False

    # -- the cloud's side ---------------------------------------------------------------------
    def transport(self, client_id: str) -> LoopbackTransport:
        """A client; one with the same id replaces the previous one (and its subscriptions)."""
        client = LoopbackTransport(self, client_id)
        known = client_id in self._clients
        self._clients[client_id] = client
        if not known:
            return client
        for subscribers in self._exact.values():
            subscribers.pop(client_id, None)
        for key in [k for k in self._wild if k[0] == client_id]:
            del self._wild[key]
        return client

    def listen(self, topic_filter: str, callback: MessageCallback) -> None:
        """A cloud-side subscriber (a fake shadow service, a recorder)."""
        self._listeners.append((topic_filter, callback))

    def publish(
        self, topic: str, payload: bytes | str | dict[str, Any], qos: int = 1, sender: str = "cloud"
    ) -> None:
        if isinstance(payload, dict):
            payload = json.dumps(payload)
        if isinstance(payload, str):
            payload = payload.encode()
        self._route(Message(sender, topic, payload, qos))

    def sent(self, topic_filter: str) -> list[Message]:
        """Messages published on topics matching ``topic_filter``, oldest first."""
        return [m for m in self.messages if topics.matches(topic_filter, m.topic)]

    def drop(self, client_id: str) -> None:
        """The client's network goes away: its pending PUBACKs fail, it sees an interruption."""
        self._network_down.add(client_id)
        client = self._clients.get(client_id)
        for owner, future in [h for h in self._held if h[0] == client_id]:
            self._held.remove((owner, future))
            future.set_exception(TransportError("connection lost"))
        if client is not None and client.connected:
            client._set_connected(False)
            self._enqueue(lambda: _fire(client.on_connection_interrupted, "network down"))

    def restore(self, client_id: str) -> None:
        """The network is back: a client that wants to be connected reconnects."""
        self._network_down.discard(client_id)
        client = self._clients.get(client_id)
        if client is not None and client.wanted:
            self._connect(client)

    def release_acks(self) -> None:
        held, self._held = self._held, []
        for _, future in held:
            future.set_result(None)

    # -- used by LoopbackTransport ------------------------------------------------------------
    def _connect(self, client: LoopbackTransport) -> None:
        if client.client_id in self._network_down or client.connected:
            return
        client._set_connected(True)
        self._enqueue(lambda: _fire(client.on_connection_success))

    def _subscribe(
        self, client: LoopbackTransport, topic_filter: str, callback: MessageCallback
    ) -> None:
        if "+" in topic_filter or "#" in topic_filter:
            self._wild[(client.client_id, topic_filter)] = callback
        else:
            self._exact.setdefault(topic_filter, {})[client.client_id] = callback

    def _publish(
        self, client: LoopbackTransport, topic: str, payload: bytes, qos: int
    ) -> Future[None]:
        future: Future[None] = Future()
        if not client.connected:
            future.set_exception(TransportError("not connected"))
            return future
        self._route(Message(client.client_id, topic, bytes(payload), qos))
        if qos and self.hold_acks:
            self._held.append((client.client_id, future))
        else:
            future.set_result(None)
        return future

    def _route(self, message: Message) -> None:
        self.messages.append(message)

        def deliver() -> None:
            for topic_filter, callback in list(self._listeners):
                if topics.matches(topic_filter, message.topic):
                    callback(message.topic, message.payload)
            targets = list(self._exact.get(message.topic, {}).items())
            targets += [
                (client_id, callback)
                for (client_id, topic_filter), callback in self._wild.items()
                if topics.matches(topic_filter, message.topic)
            ]
            for client_id, callback in targets:
                if self._clients[client_id].connected:
                    callback(message.topic, message.payload)

        self._enqueue(deliver)

    def _enqueue(self, job: Callable[[], None]) -> None:
        self._queue.append(job)
        if self._draining:
            return
        self._draining = True
        try:
            while self._queue:
                self._queue.popleft()()
        finally:
            self._draining = False


def _fire(hook: Callable[..., None] | None, *args: Any) -> None:
    if hook is not None:
        hook(*args)


class LoopbackTransport:
    def __init__(self, broker: LoopbackBroker, client_id: str) -> None:
        self.client_id = client_id
        self.on_connection_success: Callable[[], None] | None = None
        self.on_connection_interrupted: Callable[[str], None] | None = None
        self.on_stopped: Callable[[], None] | None = None
        self.subscriptions: dict[str, MessageCallback] = {}
        self.wanted = False
        self.connects = 0
        self._broker = broker
        self._connected = False

    @property
    def connected(self) -> bool:
        return self._connected

    def _set_connected(self, value: bool) -> None:
        self._connected = value
        if value:
            self.connects += 1

    def connect(self) -> None:
        self.wanted = True
        self._broker._connect(self)

    def disconnect(self) -> None:
        self.wanted = False
        if self._connected:
            self._connected = False
            self._broker._enqueue(lambda: _fire(self.on_stopped))

    def publish(self, topic: str, payload: bytes, qos: int = 1) -> Future[None]:
        return self._broker._publish(self, topic, payload, qos)

    def subscribe(self, topic_filter: str, qos: int, callback: MessageCallback) -> Future[None]:
        self.subscriptions[topic_filter] = callback
        self._broker._subscribe(self, topic_filter, callback)
        future: Future[None] = Future()
        if self._connected:
            future.set_result(None)
        else:
            future.set_exception(TransportError("not connected"))
        return future
