"""The Device Shadow MQTT protocol over a ShadowStore: which messages the service publishes.

Mosquitto knows nothing of shadows; the bridge hands every ``$aws/things/+/shadow/...`` message
to ``ShadowMqtt.handle`` and publishes what it returns. The rules are those of AWS's
"Device Shadow MQTT topics" page (device-shadow-mqtt.html):

* request topics are ``{prefix}/update``, ``{prefix}/get`` and ``{prefix}/delete``, where the
  prefix is ``$aws/things/{thing}/shadow`` (classic) or ``.../shadow/name/{shadow}`` (named);
* an update answers on /update/accepted or /update/rejected; an accepted one also publishes
  /update/delta when desired and reported differ, and /update/documents always;
* get answers on /get/accepted or /get/rejected; delete on /delete/accepted or
  /delete/rejected, and the page lists no other message for a delete;
* /get and /delete carry an empty message (its content is ignored), but AWS echoes a
  ``clientToken`` found in it, which the AWS IoT Device SDK v2 relies on to pair answers;
* everything else (the accepted/rejected/delta/documents topics the service itself publishes,
  foreign topics, names AWS would not accept) is not a request: nothing is published.

"Device Shadow error messages" (device-shadow-error-messages.html): /rejected messages are only
for MQTT requests; an update through the REST API gets its error in the HTTP response, while an
accepted one publishes the same /update messages as over MQTT (``update_messages``).
"""

import json
import re
from dataclasses import dataclass
from typing import Any

from infra.localcloud.iot.shadows import (
    MAX_CLIENT_TOKEN_BYTES,
    ShadowError,
    ShadowStore,
    UpdateOutcome,
    check_names,
)

_REQUEST = re.compile(
    r"\$aws/things/(?P<thing>[^/]+)/shadow(?:/name/(?P<name>[^/]+))?/(?P<op>update|get|delete)"
)


@dataclass(frozen=True)
class Outgoing:
    """One message for the broker to publish."""

    topic: str
    payload: bytes


def topic_prefix(thing: str, shadow_name: str | None) -> str:
    """``$aws/things/{thing}/shadow`` or ``$aws/things/{thing}/shadow/name/{shadow}``."""
    prefix = f"$aws/things/{thing}/shadow"
    return f"{prefix}/name/{shadow_name}" if shadow_name else prefix


def update_messages(thing: str, shadow_name: str | None, outcome: UpdateOutcome) -> list[Outgoing]:
    """/update/accepted, /update/delta (when due) and /update/documents, for MQTT or HTTP."""
    prefix = topic_prefix(thing, shadow_name)
    messages = [Outgoing(f"{prefix}/update/accepted", encode(outcome.accepted))]
    if outcome.delta is not None:
        messages.append(Outgoing(f"{prefix}/update/delta", encode(outcome.delta)))
    messages.append(Outgoing(f"{prefix}/update/documents", encode(outcome.documents)))
    return messages


def delete_messages(thing: str, shadow_name: str | None, deleted: dict[str, Any]) -> list[Outgoing]:
    """/delete/accepted with ``{"version", "timestamp", "clientToken"?}``."""
    return [Outgoing(f"{topic_prefix(thing, shadow_name)}/delete/accepted", encode(deleted))]


def encode(document: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, as the service publishes it."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


class ShadowMqtt:
    """Answers shadow request topics from one store."""

    def __init__(self, store: ShadowStore) -> None:
        self._store = store

    def handle(self, topic: str, payload: bytes, now: float) -> list[Outgoing]:
        """The messages AWS would publish for ``payload`` arriving on ``topic``."""
        match = _REQUEST.fullmatch(topic)
        if match is None:
            return []
        thing, shadow_name, op = match["thing"], match["name"], match["op"]
        try:
            check_names(thing, shadow_name)
        except ShadowError:
            return []
        prefix = topic_prefix(thing, shadow_name)
        try:
            if op == "update":
                outcome = self._store.update(thing, shadow_name, payload, now)
                return update_messages(thing, shadow_name, outcome)
            token = _client_token(payload, now)
            if op == "get":
                document = self._store.get(thing, shadow_name, now, token)
                return [Outgoing(f"{prefix}/get/accepted", encode(document))]
            deleted = self._store.delete(thing, shadow_name, now, token)
            return delete_messages(thing, shadow_name, deleted)
        except ShadowError as error:
            return [Outgoing(f"{prefix}/{op}/rejected", encode(error.document()))]


def _client_token(payload: bytes, now: float) -> str | None:
    """The clientToken of a /get or /delete message; anything else in it is ignored."""
    try:
        request = json.loads(payload.decode("utf-8")) if payload.strip() else None
    except ValueError:  # UnicodeDecodeError is a ValueError
        return None
    if not isinstance(request, dict) or "clientToken" not in request:
        return None
    token = request["clientToken"]
    if not isinstance(token, str) or len(token.encode()) > MAX_CLIENT_TOKEN_BYTES:
        raise ShadowError(400, "Invalid clientToken", timestamp=int(now))
    return token
