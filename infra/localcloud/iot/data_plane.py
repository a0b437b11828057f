"""The ``iot-data`` REST API (AWS IoT data plane) over the local shadow store.

Cloud functions call it through boto3's ``iot-data`` client, so paths, bodies and errors follow
botocore's service model (``botocore/data/iot-data/2015-05-28/service-2.json``, protocol
rest-json): the shadow operations take and return the raw JSON document as the HTTP body, and an
error is its HTTP status, an ``x-amzn-ErrorType`` header naming the exception and a
``{"message": ...}`` body, which botocore's RestJSONParser turns into
``client.exceptions.<Name>``.

As in AWS ("Device Shadow REST API", device-shadow-rest-api.html, and "Device Shadow error
messages"), an accepted UpdateThingShadow publishes the same /update/accepted, /update/delta and
/update/documents messages an MQTT update would, and a DeleteThingShadow its /delete/accepted,
so a function's desired change reaches the device as a delta; a rejected HTTP request publishes
nothing. ``Publish`` hands the body to the broker unchanged; a publish to a shadow request topic
then reaches the shadow service through the bridge, as it does in AWS.
"""

import base64
import binascii
import json
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response

from infra.localcloud.iot.shadow_mqtt import Outgoing, delete_messages, update_messages
from infra.localcloud.iot.shadows import ShadowError, ShadowStore, check_names

Publish = Callable[[str, bytes, int], None]

# The QoS the service's own /update and /delete messages are handed to the broker with.
SHADOW_MESSAGE_QOS = 1
DEFAULT_PAGE_SIZE = 100  # the model's maximum; the default is not documented

_EXCEPTIONS = {
    400: "InvalidRequestException",
    401: "UnauthorizedException",
    404: "ResourceNotFoundException",
    405: "MethodNotAllowedException",
    409: "ConflictException",
    413: "RequestEntityTooLargeException",
    415: "UnsupportedDocumentEncodingException",
    429: "ThrottlingException",
    500: "InternalFailureException",
}
_NOT_ALLOWED = "The specified combination of HTTP verb and URI is not supported"
_LIST_PREFIX = ["api", "things", "shadow", "ListNamedShadowsForThing"]


class IotDataPlane:
    """A WSGI application: UpdateThingShadow, GetThingShadow, DeleteThingShadow,
    ListNamedShadowsForThing and Publish."""

    def __init__(
        self, store: ShadowStore, publish: Publish, now: Callable[[], float] = time.time
    ) -> None:
        self._store = store
        self._publish = publish
        self._now = now

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self._dispatch(request, _raw_path(environ))
        except ShadowError as error:
            response = error_response(error.code, error.message)
        response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
        return response(environ, start_response)

    def _dispatch(self, request: Request, raw_path: str) -> Response:
        if raw_path.startswith("/topics/"):
            return self._only(request, "POST") or self._publish_message(request, raw_path)
        segments = [unquote(part) for part in raw_path.strip("/").split("/")]
        if len(segments) == 3 and segments[0] == "things" and segments[2] == "shadow":
            return self._shadow(request, segments[1], request.args.get("name") or None)
        if len(segments) == 5 and segments[:4] == _LIST_PREFIX:
            return self._only(request, "GET") or self._list(request, segments[4])
        return error_response(404, "Not Found")

    def _shadow(self, request: Request, thing: str, shadow_name: str | None) -> Response:
        now = self._now()
        if request.method == "POST":
            outcome = self._store.update(thing, shadow_name, request.get_data(), now)
            self._send(update_messages(thing, shadow_name, outcome))
            return _json(outcome.accepted)
        if request.method == "GET":
            return _json(self._store.get(thing, shadow_name, now))
        if request.method == "DELETE":
            deleted = self._store.delete(thing, shadow_name, now)
            self._send(delete_messages(thing, shadow_name, deleted))
            return _json(deleted)
        return error_response(405, _NOT_ALLOWED)

    def _list(self, request: Request, thing: str) -> Response:
        check_names(thing, None)
        page_size = _page_size(request.args.get("pageSize"))
        after = _decode_token(request.args.get("nextToken"))
        names = [name for name in self._store.list_named(thing) if after is None or name > after]
        page = names[:page_size]
        body: dict[str, Any] = {"results": page, "timestamp": int(self._now())}
        if len(names) > page_size:
            body["nextToken"] = base64.urlsafe_b64encode(page[-1].encode()).decode()
        return _json(body)

    def _publish_message(self, request: Request, raw_path: str) -> Response:
        topic = unquote(raw_path.removeprefix("/topics/"))
        qos = request.args.get("qos", "0")
        if not topic or qos not in ("0", "1"):
            raise ShadowError(400, "Invalid topic or qos")
        self._publish(topic, request.get_data(), int(qos))
        return Response(b"", status=200)

    def _send(self, messages: list[Outgoing]) -> None:
        for message in messages:
            self._publish(message.topic, message.payload, SHADOW_MESSAGE_QOS)

    @staticmethod
    def _only(request: Request, method: str) -> Response | None:
        return None if request.method == method else error_response(405, _NOT_ALLOWED)


def error_response(status: int, message: str) -> Response:
    """An error botocore reads as ``client.exceptions.<x-amzn-ErrorType>``."""
    name = _EXCEPTIONS.get(status, "InternalFailureException")
    response = _json({"message": message}, status=status)
    response.headers["x-amzn-ErrorType"] = name
    return response


def _json(body: dict[str, Any], status: int = 200) -> Response:
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return Response(data, status=status, content_type="application/json")


def _raw_path(environ: dict[str, Any]) -> str:
    """The path as sent, so an encoded ``/`` in a topic survives; PATH_INFO otherwise."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return raw.split("?", 1)[0]
    return environ.get("PATH_INFO", "/")


def _page_size(value: str | None) -> int:
    if value is None:
        return DEFAULT_PAGE_SIZE
    if not value.isdigit() or not 1 <= int(value) <= 100:
        raise ShadowError(400, "pageSize must be between 1 and 100")
    return int(value)


def _decode_token(token: str | None) -> str | None:
    """nextToken is the last name of the previous page, base64url: opaque to callers."""
    if token is None:
        return None
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ShadowError(400, "Invalid nextToken") from None
