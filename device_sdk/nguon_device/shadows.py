"""Named device shadows over the raw MQTT topics, correlated by clientToken.

On every (re)connection the client subscribes to the response topics, waits for the SUBACKs (a
``get`` sent earlier could be answered before the subscription exists) and asks for each named
shadow. The owner (:class:`~nguon_device.device.Device`) receives the *whole* desired state
through ``on_desired`` — after a ``get``, after each ``/update/delta`` (merged into the last
known desired state, because AWS sends only what differs from ``reported``) and after someone
else's update that deleted desired keys (``null``, at any depth: AWS publishes no delta for a
deletion, so ``/update/accepted`` is the only place the device learns that the cloud removed,
say, the last emergency in force).
The owner applies it and calls :meth:`report` with what it applied; AWS clears the delta for
every reported value that matches the desired one.

A desired key the device never reports (``whole_in_delta``, e.g. the ``playback`` shadow's
``emergencies``) always differs from ``reported``, so a delta that has it carries its whole
current value: that value *replaces* the known one instead of merging into it (an entry
missing from it is gone). A delta without the key leaves it unchanged.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from nguon_device import topics
from nguon_device.clock import Handle, Scheduler
from nguon_device.transport import Transport

log = logging.getLogger("nguon_device.shadows")

DesiredCallback = Callable[[str, dict[str, Any], str], None]
"""``(shadow name, whole desired state, source: "get" | "delta" | "update")``."""

_SYNCED = ("get/accepted", "get/rejected", "update/accepted", "update/rejected", "update/delta")


def has_null(value: object) -> bool:
    """Whether a desired patch deletes something (a ``null`` at any depth)."""
    return isinstance(value, dict) and any(v is None or has_null(v) for v in value.values())


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Shadow merge: nested objects merge, ``None`` deletes, anything else replaces."""
    merged = dict(base)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class ShadowClient:
    def __init__(
        self,
        thing: str,
        transport: Transport,
        scheduler: Scheduler,
        *,
        synced: tuple[str, ...] = ("config", "playback"),
        reported_only: tuple[str, ...] = ("health",),
        request_timeout_s: float = 30.0,
        whole_in_delta: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.thing = thing
        self.synced = synced
        self.reported_only = reported_only
        self.whole_in_delta = dict(whole_in_delta or {})
        """By shadow name: desired keys never reported, whose delta value is their whole value."""
        self.on_desired: DesiredCallback | None = None
        self._transport = transport
        self._scheduler = scheduler
        self._timeout_s = request_timeout_s
        self._tokens = itertools.count(1)
        self._pending: dict[str, tuple[str, str, Handle]] = {}
        self._desired: dict[str, dict[str, Any]] = {}
        self._versions: dict[str, int] = {}
        self._epoch = 0  # bumped per connection: late SUBACKs of an old one are ignored

    def desired(self, name: str) -> dict[str, Any]:
        """The last known whole desired state of ``name`` (empty before the first get)."""
        return self._desired.get(name, {})

    # -- connection ---------------------------------------------------------------------------
    def connected(self) -> None:
        """Subscribe, then get every synced shadow once the broker has confirmed."""
        self._epoch += 1
        epoch = self._epoch
        filters = [topics.shadow(self.thing, n, op) for n in self.synced for op in _SYNCED]
        filters += [topics.shadow(self.thing, n, "update/rejected") for n in self.reported_only]
        waiting = {"left": len(filters), "failed": False}

        def subscribed(future: Future[None]) -> None:
            def on_thread() -> None:
                if epoch != self._epoch:
                    return
                waiting["left"] -= 1
                if future.exception() is not None:
                    waiting["failed"] = True
                    log.warning("%s: shadow subscribe failed: %s", self.thing, future.exception())
                if waiting["left"] == 0:
                    if waiting["failed"]:
                        self._scheduler.call_later(5.0, self._retry_connected(epoch))
                    else:
                        for name in self.synced:
                            self.get(name)

            self._scheduler.call_soon(on_thread)

        for topic_filter in filters:
            self._transport.subscribe(topic_filter, 1, self._receive).add_done_callback(subscribed)

    def _retry_connected(self, epoch: int) -> Callable[[], None]:
        def retry() -> None:
            if epoch == self._epoch and self._transport.connected:
                self.connected()

        return retry

    def disconnected(self) -> None:
        self._epoch += 1
        for _, _, handle in self._pending.values():
            handle.cancel()
        self._pending.clear()

    # -- requests -----------------------------------------------------------------------------
    def get(self, name: str) -> None:
        self._request(name, "get", {})

    def report(self, name: str, reported: dict[str, Any]) -> None:
        self._request(name, "update", {"state": {"reported": reported}})

    def _request(self, name: str, operation: str, body: dict[str, Any]) -> None:
        token = f"{self.thing[:40]}-{next(self._tokens)}"
        body = {**body, "clientToken": token}
        topic = topics.shadow(self.thing, name, operation)
        if name in self.reported_only:  # fire and forget: only a rejection is listened for
            self._transport.publish(topic, json.dumps(body).encode(), 1)
            return
        handle = self._scheduler.call_later(self._timeout_s, lambda: self._timed_out(token))
        self._pending[token] = (name, operation, handle)
        future = self._transport.publish(topic, json.dumps(body).encode(), 1)

        def sent(done: Future[None]) -> None:
            if done.exception() is not None:
                # Offline: the next connection gets and reports afresh.
                self._scheduler.call_soon(lambda: self._forget(token))

        future.add_done_callback(sent)

    def _forget(self, token: str) -> None:
        pending = self._pending.pop(token, None)
        if pending is not None:
            pending[2].cancel()

    def _timed_out(self, token: str) -> None:
        pending = self._pending.pop(token, None)
        if pending is None:
            return
        name, operation, _ = pending
        log.warning("%s: shadow %s %s got no answer", self.thing, name, operation)
        if operation == "get" and self._transport.connected:
            self.get(name)

    # -- responses ----------------------------------------------------------------------------
    def _receive(self, topic: str, payload: bytes) -> None:
        self._scheduler.call_soon(lambda: self._handle(topic, payload))

    def _handle(self, topic: str, payload: bytes) -> None:
        prefix = f"$aws/things/{self.thing}/shadow/name/"
        if not topic.startswith(prefix):
            return
        name, _, operation = topic[len(prefix) :].partition("/")
        try:
            document = json.loads(payload)
        except (UnicodeDecodeError, json.JSONDecodeError):
            log.warning("%s: shadow %s %s: not JSON, dropped", self.thing, name, operation)
            return
        if not isinstance(document, dict):
            return
        token = document.get("clientToken")
        mine = self._pending.pop(token, None) if isinstance(token, str) else None
        if mine is not None:
            mine[2].cancel()
        found = document.get("state")
        state: dict[str, Any] = found if isinstance(found, dict) else {}
        version = document.get("version")
        if operation == "get/accepted" and mine is not None:
            found = state.get("desired")
            self._accept(name, found if isinstance(found, dict) else {}, version, "get")
        elif operation == "get/rejected" and mine is not None:
            if document.get("code") == 404:  # no shadow yet: nothing desired, report creates it
                self._accept(name, {}, None, "get")
            else:
                log.warning("%s: get %s rejected: %s", self.thing, name, document.get("message"))
                self._scheduler.call_later(10.0, lambda: self._get_again(name))
        elif operation == "update/delta":
            if isinstance(version, int) and version <= self._versions.get(name, -1):
                log.debug("%s: stale delta %s v%s ignored", self.thing, name, version)
                return
            self._accept(name, self._apply_delta(name, state), version, "delta")
        elif operation == "update/accepted" and mine is None:
            desired = state.get("desired", ...)
            if desired is None:
                self._accept(name, {}, None, "update")
            elif has_null(desired):
                self._accept(name, merge(self.desired(name), desired), None, "update")
        elif operation == "update/rejected" and (mine is not None or name in self.reported_only):
            log.warning("%s: report to %s rejected: %s", self.thing, name, document.get("message"))

    def _apply_delta(self, name: str, state: dict[str, Any]) -> dict[str, Any]:
        desired = merge(self.desired(name), state)
        for key in self.whole_in_delta.get(name, ()):
            value = state.get(key)
            if isinstance(value, dict):
                desired[key] = merge({}, value)  # replaces; its nulls are dropped
        return desired

    def _get_again(self, name: str) -> None:
        if self._transport.connected:
            self.get(name)

    def _accept(self, name: str, desired: dict[str, Any], version: Any, source: str) -> None:
        if name not in self.synced:
            return
        self._desired[name] = desired
        if isinstance(version, int):
            self._versions[name] = version
        if self.on_desired is not None:
            self.on_desired(name, desired, source)
