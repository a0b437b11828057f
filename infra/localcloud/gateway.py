"""The HTTP gateway: API Gateway (REST) for the functions that ``template.yaml`` routes.

Each request becomes the proxy event API Gateway would send (``resource``, ``pathParameters``,
``requestContext.authorizer.claims``...), after the route's authorizer has accepted the token;
responses API Gateway makes itself (401, unknown route, function failure) use the Api's
``GatewayResponses`` from the template, and bodies are converted per the Api's own
``BinaryMediaTypes``. One instance serves one Api on its own base URL, as each has its own
invoke URL on AWS. Swagger UI is served at ``/docs`` where asked (local only).

With the Api's ``Cors``, an ``OPTIONS`` request to any routed path is answered here, as SAM's
mock integration answers it on AWS: without the authorizer, with the configured headers as
they are, whatever the request's ``Origin`` (the browser compares). The gateway responses carry
the headers of their ``ResponseParameters``.
"""

import base64
import dataclasses
import importlib.resources
import logging
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from infra.localcloud.authorizer import (
    AuthorizationError,
    CognitoAuthorizer,
    claims_as_api_gateway_passes_them,
)
from infra.localcloud.lambda_host import LambdaHost
from infra.localcloud.template import ACCOUNT_ID, ApiRoute

log = logging.getLogger("localcloud.gateway")

# Swagger UI 5 from the swagger-ui-py package (Powertools writes OpenAPI 3.1, which Swagger UI
# 4 cannot show), served from disk: no CDN on this network, nor needed.
SWAGGER_UI_DIR = importlib.resources.files("swagger_ui") / "static"

# API Gateway's own status for each response type, where the template does not set one.
_DEFAULT_STATUS = {
    "UNAUTHORIZED": 401,
    "ACCESS_DENIED": 403,
    "MISSING_AUTHENTICATION_TOKEN": 403,
    "DEFAULT_4XX": 400,
    "DEFAULT_5XX": 502,
}
_DEFAULT_BODY = {
    "UNAUTHORIZED": '{"message":"Unauthorized"}',
    "MISSING_AUTHENTICATION_TOKEN": '{"message":"Missing Authentication Token"}',
    "DEFAULT_5XX": '{"message": "Internal server error"}',
}
# A type the template does not configure takes DEFAULT_4XX's template, as in API Gateway.
_FALLBACK = dict.fromkeys(
    ("UNAUTHORIZED", "ACCESS_DENIED", "MISSING_AUTHENTICATION_TOKEN"), "DEFAULT_4XX"
)

_DOCS_HTML = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Nguồn API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>"""


def _static_value(value: Any) -> str:
    """A header value as API Gateway's mappings write it: a literal in single quotes."""
    text = str(value)
    if len(text) < 2 or text[0] != "'" or text[-1] != "'":
        raise ValueError(f"only static ('quoted') header values are emulated, not {text!r}")
    return text[1:-1]


# SAM's Cors properties and the preflight headers they become.
_CORS_HEADERS = {
    "AllowOrigin": "Access-Control-Allow-Origin",
    "AllowHeaders": "Access-Control-Allow-Headers",
    "AllowMethods": "Access-Control-Allow-Methods",
    "MaxAge": "Access-Control-Max-Age",
}


def preflight_headers(cors: Mapping[str, Any] | str | None) -> dict[str, str] | None:
    """The headers SAM's OPTIONS mock answers with, for the Api's ``Cors`` (None: no mock).

    A string is the origin alone. Without AllowMethods SAM lists each path's own methods;
    the template sets them, and the emulation asks it to rather than guess."""
    if cors is None:
        return None
    if isinstance(cors, str):
        cors = {"AllowOrigin": cors}
    unknown = set(cors) - {*_CORS_HEADERS, "AllowCredentials"}
    if unknown or "AllowMethods" not in cors or "AllowOrigin" not in cors:
        raise ValueError(f"Cors: set AllowOrigin and AllowMethods, and only {list(_CORS_HEADERS)}")
    headers = {
        _CORS_HEADERS[key]: _static_value(value)
        for key, value in cors.items()
        if key in _CORS_HEADERS
    }
    if cors.get("AllowCredentials") is True:
        headers["Access-Control-Allow-Credentials"] = "true"
    return headers


@dataclass(frozen=True)
class _Match:
    route: ApiRoute
    path_parameters: dict[str, str]


def _segments(path: str) -> list[str]:
    return [segment for segment in path.strip("/").split("/") if segment]


def match_route(routes: Iterable[ApiRoute], method: str, path: str) -> _Match | None:
    """API Gateway's choice: literal segments beat ``{param}``, which beats ``{proxy+}``;
    an exact method beats ``ANY``."""
    candidates: list[tuple[tuple[int, ...], _Match]] = []
    actual = _segments(path)
    for route in routes:
        if route.method not in (method, "ANY"):
            continue
        params = _bind(_segments(route.path), actual)
        if params is None:
            continue
        rank = tuple(
            0 if s.endswith("+}") else 1 if s.startswith("{") else 2 for s in _segments(route.path)
        )
        candidates.append(((*rank, int(route.method == method)), _Match(route, params)))
    if not candidates:
        return None
    return max(candidates, key=lambda candidate: candidate[0])[1]


def _bind(pattern: list[str], actual: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for index, segment in enumerate(pattern):
        if segment.startswith("{") and segment.endswith("+}"):
            rest = actual[index:]
            if not rest:
                return None
            params[segment[1:-2]] = "/".join(rest)
            return params
        if index >= len(actual):
            return None
        if segment.startswith("{") and segment.endswith("}"):
            params[segment[1:-1]] = actual[index]
        elif segment != actual[index]:
            return None
    return params if len(pattern) == len(actual) else None


class ApiGateway:
    """A WSGI application serving one ``AWS::Serverless::Api`` of the template."""

    def __init__(
        self,
        *,
        api_id: str,
        stage: str,
        routes: list[ApiRoute],
        authorizers: Mapping[str, CognitoAuthorizer],
        gateway_responses: Mapping[str, Any],
        host: LambdaHost,
        binary_media_types: Sequence[str] = (),
        docs: bool = False,
        cors: Mapping[str, Any] | str | None = None,
    ) -> None:
        self._binary = [kind.replace("~1", "/").lower() for kind in binary_media_types]
        self._docs = docs
        self._api_id = api_id
        self._stage = stage
        self._routes = routes
        self._authorizers = authorizers
        self._responses = gateway_responses
        self._host = host
        self._preflight = preflight_headers(cors)
        # SAM adds the OPTIONS mock to every path of the Api.
        self._paths = [dataclasses.replace(route, method="ANY") for route in routes]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self._dispatch(request)
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        if self._docs and request.path in ("/docs", "/docs/"):
            return Response(_DOCS_HTML, content_type="text/html; charset=utf-8")
        if self._docs and request.path.startswith("/docs/static/"):
            return self._static(request.path.removeprefix("/docs/static/"))
        if self._preflight is not None and request.method == "OPTIONS":
            if match_route(self._paths, "OPTIONS", request.path) is None:
                return self.gateway_response("MISSING_AUTHENTICATION_TOKEN")
            # The mock's response template: `{}` as JSON, status 200.
            return Response("{}\n", content_type="application/json", headers=self._preflight)
        match = match_route(self._routes, request.method, request.path)
        if match is None:
            return self.gateway_response("MISSING_AUTHENTICATION_TOKEN")
        claims = None
        if match.route.authorizer:
            try:
                authorizer = self._authorizers[match.route.authorizer]
                claims = authorizer.authorize(request.headers.get("Authorization"))
            except AuthorizationError as refusal:
                log.info("401 %s %s: %s", request.method, request.path, refusal)
                return self.gateway_response("UNAUTHORIZED")
        event = self.event(request, match, claims)
        try:
            result = self._host.invoke(match.route.function, event)
        except Exception:
            log.exception("function %s failed", match.route.function)
            return self.gateway_response("DEFAULT_5XX")
        return self._response(result, request.headers.get("Accept"))

    def gateway_response(self, response_type: str) -> Response:
        config = self._responses.get(response_type) or {}
        fallback = self._responses.get(_FALLBACK.get(response_type, ""), {})
        templates = config.get("ResponseTemplates") or fallback.get("ResponseTemplates") or {}
        body = templates.get("application/json") or _DEFAULT_BODY.get(
            response_type, '{"message": null}'
        )
        status = int(config.get("StatusCode", _DEFAULT_STATUS[response_type]))
        headers = {"x-amzn-ErrorType": response_type}
        parameters = config.get("ResponseParameters") or fallback.get("ResponseParameters") or {}
        for name, value in (parameters.get("Headers") or {}).items():
            headers[name] = _static_value(value)
        return Response(body, status=status, content_type="application/json", headers=headers)

    def event(self, request: Request, match: _Match, claims: Mapping[str, Any] | None) -> dict:
        """The REST API proxy event (payload format 1.0) for this request."""
        headers = {name: value for name, value in request.headers.items()}
        multi_headers: dict[str, list[str]] = {}
        for name, value in request.headers.items():
            multi_headers.setdefault(name, []).append(value)
        query = {name: values[-1] for name, values in request.args.lists()}
        multi_query = {name: list(values) for name, values in request.args.lists()}
        body_bytes = request.get_data()
        body: str | None
        if body_bytes and self._is_binary(request.headers.get("Content-Type")):
            # A binary media type (with `*/*`, every body): the function gets it base64-encoded.
            body, is_base64 = base64.b64encode(body_bytes).decode("ascii"), True
        else:
            try:
                body = body_bytes.decode("utf-8") if body_bytes else None
                is_base64 = False
            except UnicodeDecodeError:
                body, is_base64 = base64.b64encode(body_bytes).decode("ascii"), True
        now = datetime.now(UTC)
        context: dict[str, Any] = {
            "accountId": ACCOUNT_ID,
            "apiId": self._api_id,
            "domainName": request.host,
            "domainPrefix": request.host.split(".")[0],
            "extendedRequestId": uuid.uuid4().hex[:16],
            "httpMethod": request.method,
            "identity": {
                "sourceIp": request.remote_addr,
                "userAgent": request.headers.get("User-Agent"),
            },
            "path": f"/{self._stage}{request.path}",
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "requestId": str(uuid.uuid4()),
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "resourceId": uuid.uuid5(uuid.NAMESPACE_URL, match.route.path).hex[:6],
            "resourcePath": match.route.path,
            "stage": self._stage,
        }
        if claims is not None:
            context["authorizer"] = {"claims": claims_as_api_gateway_passes_them(claims)}
        return {
            "resource": match.route.path,
            "path": request.path,
            "httpMethod": request.method,
            "headers": headers or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": match.path_parameters or None,
            "stageVariables": None,
            "requestContext": context,
            "body": body,
            "isBase64Encoded": is_base64,
        }

    def _is_binary(self, media_type: str | None) -> bool:
        """Whether a request's Content-Type (or first Accept type) is one of the API's binary
        media types. `*/*` in the list covers every type, a missing one too: that is what
        makes an API answer bytes whatever the client's Accept. A client's own `*/*` or
        `audio/*` matches only those same entries, not `audio/mpeg`."""
        if "*/*" in self._binary:
            return True
        kind = (media_type or "").split(";")[0].strip().lower()
        if not kind:
            return False
        major = kind.split("/")[0]
        return any(b in (kind, f"{major}/*") for b in self._binary)

    def _response(self, result: Any, accept: str | None = None) -> Response:
        if not isinstance(result, Mapping) or "statusCode" not in result:
            log.error("function returned a malformed proxy response: %r", type(result))
            return self.gateway_response("DEFAULT_5XX")
        raw = result.get("body") or ""
        # As API Gateway does: a base64 body becomes bytes only when the request's first
        # Accept type is one of the API's binary media types (any, with `*/*`); otherwise the
        # base64 text goes out. A body not base64-encoded always goes out as it is.
        first_accept = (accept or "").split(",")[0]
        decode = result.get("isBase64Encoded") and self._is_binary(first_accept)
        body = base64.b64decode(raw) if decode else raw
        response = Response(body, status=int(result["statusCode"]))
        response.headers.clear()
        for name, value in (result.get("headers") or {}).items():
            response.headers[name] = str(value)
        for name, values in (result.get("multiValueHeaders") or {}).items():
            response.headers.remove(name)
            for value in values:
                response.headers.add(name, str(value))
        return response

    @staticmethod
    def _static(name: str) -> Response:
        root = Path(str(SWAGGER_UI_DIR)).resolve()
        file = (root / name).resolve()
        if root not in file.parents or not file.is_file():
            return Response('{"code": "not_found"}', status=404, content_type="application/json")
        kinds = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
        return Response(file.read_bytes(), content_type=kinds.get(file.suffix, "text/plain"))


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug('"%s" %s %s', self.requestline, code, size)


class HttpServer:
    """A threaded WSGI server on 127.0.0.1 in a background thread."""

    def __init__(self, app: Any, port: int = 0, name: str = "http") -> None:
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", port, app, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name=name, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
