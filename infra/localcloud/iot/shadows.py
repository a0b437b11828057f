"""The Device Shadow service's documents, kept in memory: classic and named shadows per thing.

Pure (no I/O, the clock is passed in) and thread-safe, so the MQTT bridge and the ``iot-data``
HTTP API can share one store. Every rule below follows an AWS IoT Core developer-guide page:

* "Device Shadow service documents" (device-shadow-document.html): the request, /accepted,
  /delta, /documents and error document shapes; ``null`` removes a field and a ``null``
  ``desired``/``reported`` removes the whole section; arrays are values (replaced whole,
  compared whole in the delta, may not hold ``null``); the delta holds the desired fields that
  differ from reported, nested objects by the path to the differing leaf, with the desired
  metadata; a ``version`` in the request must match the stored one; clientToken at most 64 bytes.
* "Device Shadow MQTT topics" (device-shadow-mqtt.html), /update/delta: the delta message holds
  every differing desired field, whether or not this update touched it, so it is published
  after any accepted update that leaves desired and reported different.
* "Device Shadow error messages" (device-shadow-error-messages.html): codes and wording.
* "Diagnosing problems with shadows" (diagnosing-shadows.html): 8 KB counts only the stored
  desired and reported data, never the metadata.
* "Interacting with shadows" (device-shadow-data-flow.html) and "Device Shadow REST API"
  (device-shadow-rest-api.html): deleting does not reset the version; a shadow re-created
  within 48 hours follows the deleted one's version, after 48 hours it starts again.
* "Simulating Device Shadow service communications" (using-device-shadows.html): metadata
  mirrors arrays element by element (``"ColorRGB": [{"timestamp": ...}, ...]``).

Where the guide is silent the store follows AWS's own local shadow service (Greengrass
ShadowManager): the state node is level 1 of the 6 allowed, the service increments the
version when it deletes a shadow while /delete/accepted reports the deleted version, and the
/documents ``previous`` is ``null`` for a shadow that did not exist before the update.
"""

import copy
import json
import re
import threading
from dataclasses import dataclass
from typing import Any

MAX_STATE_BYTES = 8192
MAX_DEPTH = 6
MAX_CLIENT_TOKEN_BYTES = 64
VERSION_KEPT_SECONDS = 48 * 3600
THING_NAME = re.compile(r"[a-zA-Z0-9:_-]{1,128}")
# The iot-data service model allows "$" (AWS reserves names such as "$package").
SHADOW_NAME = re.compile(r"[$a-zA-Z0-9:_-]{1,64}")
SECTIONS = ("desired", "reported")

Json = dict[str, Any]


class ShadowError(Exception):
    """A rejection as AWS words it; ``document()`` is the /rejected (error response) document."""

    def __init__(
        self, code: int, message: str, *, client_token: str | None = None, timestamp: int = 0
    ) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message
        self.client_token = client_token
        self.timestamp = timestamp

    def document(self) -> Json:
        """``{"code", "message", "timestamp", "clientToken"?}`` as published on /rejected."""
        doc: Json = {"code": self.code, "message": self.message, "timestamp": self.timestamp}
        if self.client_token is not None:
            doc["clientToken"] = self.client_token
        return doc


@dataclass(frozen=True)
class UpdateOutcome:
    """The three documents an accepted update publishes; ``delta`` is None when none is due."""

    accepted: Json
    delta: Json | None
    documents: Json


@dataclass
class _Shadow:
    state: Json  # "desired"/"reported" -> object; absent sections are absent
    metadata: Json  # mirrors state, leaves are {"timestamp": epoch seconds}
    version: int
    deleted_at: float | None = None  # a tombstone keeps the version for 48 hours


def check_names(thing: str, shadow_name: str | None) -> None:
    """Thing ``[a-zA-Z0-9:_-]{1,128}``, shadow ``[$a-zA-Z0-9:_-]{1,64}`` (iot-data model)."""
    if not THING_NAME.fullmatch(thing):
        raise ShadowError(400, "Invalid thing name")
    if shadow_name is not None and not SHADOW_NAME.fullmatch(shadow_name):
        raise ShadowError(400, "Invalid shadow name")


def not_found_message(thing: str, shadow_name: str | None) -> str:
    """AWS names a named shadow ``thing~shadow`` in its 404."""
    full = thing if not shadow_name else f"{thing}~{shadow_name}"
    return f"No shadow exists with name: '{full}'"


class ShadowStore:
    """All shadows of the local cloud, keyed by (thing, shadow name or None for classic)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shadows: dict[tuple[str, str | None], _Shadow] = {}

    def update(
        self, thing: str, shadow_name: str | None, payload: bytes, now: float
    ) -> UpdateOutcome:
        """Merge a request state document; a ShadowError (400/409/413/415) changes nothing."""
        shadow_name = shadow_name or None
        stamp = int(now)
        try:
            check_names(thing, shadow_name)
        except ShadowError as error:
            error.timestamp = stamp
            raise
        request = _parse_request(payload, stamp)
        token = request.get("clientToken")
        try:
            with self._lock:
                return self._apply(thing, shadow_name, request, now)
        except ShadowError as error:
            error.client_token, error.timestamp = token, stamp
            raise

    def get(
        self, thing: str, shadow_name: str | None, now: float, client_token: str | None = None
    ) -> Json:
        """The whole document with its ``delta``, or ShadowError 404."""
        shadow_name = shadow_name or None
        with self._lock:
            shadow = self._live(thing, shadow_name, now, client_token)
            doc = _document(shadow)
        state = doc["state"]
        delta = _delta(state.get("desired"), state.get("reported"))
        if delta:
            state["delta"] = delta
        doc["timestamp"] = int(now)
        return _with_token(doc, client_token)

    def delete(
        self, thing: str, shadow_name: str | None, now: float, client_token: str | None = None
    ) -> Json:
        """``{"version", "timestamp"}`` of the deleted shadow, or ShadowError 404."""
        shadow_name = shadow_name or None
        with self._lock:
            shadow = self._live(thing, shadow_name, now, client_token)
            deleted_version = shadow.version
            self._shadows[(thing, shadow_name)] = _Shadow({}, {}, deleted_version + 1, now)
        return _with_token({"version": deleted_version, "timestamp": int(now)}, client_token)

    def list_named(self, thing: str) -> list[str]:
        """Names of the thing's live named shadows, sorted; deleted ones are gone."""
        with self._lock:
            return sorted(
                name
                for (owner, name), shadow in self._shadows.items()
                if owner == thing and name is not None and shadow.deleted_at is None
            )

    def _live(
        self, thing: str, shadow_name: str | None, now: float, client_token: str | None
    ) -> _Shadow:
        try:
            check_names(thing, shadow_name)
        except ShadowError as error:
            error.client_token, error.timestamp = client_token, int(now)
            raise
        shadow = self._shadows.get((thing, shadow_name))
        if shadow is None or shadow.deleted_at is not None:
            raise ShadowError(
                404,
                not_found_message(thing, shadow_name),
                client_token=client_token,
                timestamp=int(now),
            )
        return shadow

    def _apply(
        self, thing: str, shadow_name: str | None, request: Json, now: float
    ) -> UpdateOutcome:
        key = (thing, shadow_name)
        old = self._shadows.get(key)
        existed = old is not None and old.deleted_at is None
        base_version = _base_version(old, now)
        if "version" in request and request["version"] != base_version:
            raise ShadowError(409, "Version conflict")
        current = _Shadow({}, {}, base_version)
        if existed and old is not None:
            current = _Shadow(copy.deepcopy(old.state), copy.deepcopy(old.metadata), old.version)
        stamp = int(now)
        patch: Json = request["state"]
        for section in SECTIONS:
            if section in patch:
                _merge_section(current, section, patch[section], stamp)
        current.version = base_version + 1
        if _state_bytes(current.state) > MAX_STATE_BYTES:
            raise ShadowError(413, "The payload exceeds the maximum size allowed")
        self._shadows[key] = current
        return _outcome(old if existed else None, current, request, stamp)


def _base_version(old: _Shadow | None, now: float) -> int:
    """A new shadow starts from 0; a re-created one follows its predecessor for 48 hours."""
    if old is None:
        return 0
    if old.deleted_at is not None and now - old.deleted_at > VERSION_KEPT_SECONDS:
        return 0
    return old.version


def _parse_request(payload: bytes, stamp: int) -> Json:
    """Validate a request state document in AWS's order; returns it parsed."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise ShadowError(
            415, "Unsupported documented encoding; supported encoding is UTF-8", timestamp=stamp
        ) from None
    try:
        request = json.loads(text)
    except ValueError:
        raise ShadowError(400, "Invalid JSON", timestamp=stamp) from None
    if not isinstance(request, dict):
        raise ShadowError(400, "Invalid JSON", timestamp=stamp)
    token = request.get("clientToken")
    if "clientToken" in request and (
        not isinstance(token, str) or len(token.encode()) > MAX_CLIENT_TOKEN_BYTES
    ):
        raise ShadowError(400, "Invalid clientToken", timestamp=stamp)
    try:
        _check_request(request)
    except ShadowError as error:
        error.client_token, error.timestamp = token, stamp
        raise
    return request


def _check_request(request: Json) -> None:
    if "state" not in request:
        raise ShadowError(400, "Missing required node: state")
    state = request["state"]
    if not isinstance(state, dict):
        raise ShadowError(400, "State node must be an object")
    for node in state:
        if node not in SECTIONS:
            raise ShadowError(400, f"State contains an invalid node: '{node}'")
    for section in SECTIONS:
        value = state.get(section)
        if section in state and value is not None and not isinstance(value, dict):
            raise ShadowError(400, f"{section.capitalize()} node must be an object")
    version = request.get("version")
    if "version" in request and (not isinstance(version, int) or isinstance(version, bool)):
        raise ShadowError(400, "Invalid version")
    if _depth(state) > MAX_DEPTH:
        raise ShadowError(400, "JSON contains too many levels of nesting; maximum is 6")
    if _null_in_array(state, inside_array=False):
        raise ShadowError(400, "State contains an invalid node")


def _depth(node: Any) -> int:
    """Objects and arrays are levels, values are not: ``{"desired": {"a": 1}}`` is 2."""
    if isinstance(node, dict):
        return 1 + max((_depth(child) for child in node.values()), default=0)
    if isinstance(node, list):
        return 1 + max((_depth(child) for child in node), default=0)
    return 0


def _null_in_array(node: Any, *, inside_array: bool) -> bool:
    if node is None:
        return inside_array
    if isinstance(node, dict):
        return any(_null_in_array(child, inside_array=False) for child in node.values())
    if isinstance(node, list):
        return any(_null_in_array(child, inside_array=True) for child in node)
    return False


def _merge_section(shadow: _Shadow, section: str, patch: Json | None, stamp: int) -> None:
    """``null`` drops the section; an object merges into it; an emptied section is removed."""
    if patch is None:
        shadow.state.pop(section, None)
        shadow.metadata.pop(section, None)
        return
    state = shadow.state.setdefault(section, {})
    metadata = shadow.metadata.setdefault(section, {})
    _merge(state, metadata, patch, stamp)
    if not state:
        del shadow.state[section]
        shadow.metadata.pop(section, None)


def _merge(state: Json, metadata: Json, patch: Json, stamp: int) -> None:
    """Fields named in the patch change, others stay; objects recurse, arrays replace."""
    for key, value in patch.items():
        if value is None:
            state.pop(key, None)
            metadata.pop(key, None)
        elif isinstance(value, dict):
            if not isinstance(state.get(key), dict):
                state[key], metadata[key] = {}, {}
            elif not isinstance(metadata.get(key), dict):
                metadata[key] = {}
            _merge(state[key], metadata[key], value, stamp)
            if not state[key]:
                del state[key]
                metadata.pop(key, None)
        else:
            state[key] = copy.deepcopy(value)
            metadata[key] = _stamp(value, stamp)


def _stamp(value: Any, stamp: int) -> Any:
    """Metadata for a value: ``{"timestamp"}`` per leaf, mirroring objects and arrays; a
    ``null`` (a removal, in the /accepted metadata) is a leaf too."""
    if isinstance(value, dict):
        return {key: _stamp(child, stamp) for key, child in value.items()}
    if isinstance(value, list):
        return [_stamp(child, stamp) for child in value]
    return {"timestamp": stamp}


def _same(left: Any, right: Any) -> bool:
    """JSON equality: 1 equals 1.0, but true is not 1."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_same, left, right))
    return type(left) is type(right) and left == right


_MISSING = object()


def _delta(desired: Json | None, reported: Json | None) -> Json:
    """Desired fields absent from or different in reported; objects by path, arrays whole."""
    out: Json = {}
    for key, want in (desired or {}).items():
        have = (reported or {}).get(key, _MISSING)
        if isinstance(want, dict) and isinstance(have, dict):
            inner = _delta(want, have)
            if inner:
                out[key] = inner
        elif have is _MISSING or not _same(want, have):
            out[key] = copy.deepcopy(want)
    return out


def _delta_metadata(delta: Json, metadata: Json) -> Json:
    """The desired metadata of exactly the fields in the delta."""
    out: Json = {}
    for key, value in delta.items():
        meta = metadata.get(key)
        if isinstance(value, dict) and isinstance(meta, dict):
            out[key] = _delta_metadata(value, meta)
        else:
            out[key] = copy.deepcopy(meta)
    return out


def _state_bytes(state: Json) -> int:
    """The counted size: the stored desired and reported data, compact UTF-8 JSON."""
    return sum(
        len(json.dumps(state[s], separators=(",", ":"), ensure_ascii=False).encode())
        for s in SECTIONS
        if s in state
    )


def _document(shadow: _Shadow) -> Json:
    """``{"state", "metadata", "version"}``, desired before reported as AWS prints them."""
    return {
        "state": {s: copy.deepcopy(shadow.state[s]) for s in SECTIONS if s in shadow.state},
        "metadata": {
            s: copy.deepcopy(shadow.metadata[s]) for s in SECTIONS if s in shadow.metadata
        },
        "version": shadow.version,
    }


def _with_token(doc: Json, client_token: str | None) -> Json:
    if client_token is not None:
        doc["clientToken"] = client_token
    return doc


def _outcome(
    previous: _Shadow | None, current: _Shadow, request: Json, stamp: int
) -> UpdateOutcome:
    token = request.get("clientToken")
    patch = request["state"]
    accepted = {
        "state": copy.deepcopy(patch),
        "metadata": _stamp(patch, stamp),
        "version": current.version,
        "timestamp": stamp,
    }
    delta_state = _delta(current.state.get("desired"), current.state.get("reported"))
    delta = None
    if delta_state:
        delta = {
            "version": current.version,
            "timestamp": stamp,
            "state": delta_state,
            "metadata": _delta_metadata(delta_state, current.metadata.get("desired", {})),
        }
        delta = _with_token(delta, token)
    documents = {
        "previous": _document(previous) if previous is not None else None,
        "current": _document(current),
        "timestamp": stamp,
    }
    return UpdateOutcome(
        accepted=_with_token(accepted, token),
        delta=delta,
        documents=_with_token(documents, token),
    )
