"""The web console on the local cloud, as CloudFront serves it from the console bucket.

``console/dist`` (``make console``) is served with the template's security headers (its
``ConsoleHeadersPolicy``: the same CSP, with the local cloud's URLs for the CSP's variables),
the SPA fallback of the distribution (a path that is no file is ``index.html``, 200) and the
cache headers the deployment gives each file (``infra/tools/deploy_console.py``).
``/config.json`` is written from the running endpoints, as the deployment writes it from the
stack's outputs. Without a build, a short page says how to make one.
"""

import json
import mimetypes
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from infra.localcloud.template import REPO_ROOT, Template, TemplateError

DIST_DIR = REPO_ROOT / "console" / "dist"
HEADERS_POLICY = "ConsoleHeadersPolicy"

# Types a browser insists on (module scripts, fonts) that a system's MIME table may lack.
_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
    ".map": "application/json",
}
NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"

_NOT_BUILT = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Nguồn — chưa dựng bảng điều khiển</title></head>
<body>
<h1>Chưa dựng bảng điều khiển web</h1>
<p>Chạy <code>make console</code> (hoặc <code>make run</code>) rồi tải lại trang này.</p>
<h1 lang="en">The web console is not built</h1>
<p lang="en">Run <code>make console</code> (or <code>make run</code>), then reload this page.</p>
</body></html>
"""

_STARTING = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Nguồn</title></head>
<body><p>Đang khởi động, thử lại sau giây lát. / Starting, try again in a moment.</p></body></html>
"""


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def cache_control(key: str) -> str:
    """What the deployment marks each file with: the entry page and the configuration are
    checked every time (a new deployment shows at once), Vite's hashed assets never change."""
    if key.startswith("assets/"):
        return IMMUTABLE
    return NO_CACHE


def security_headers(template: Template, sources: Mapping[str, str]) -> dict[str, str]:
    """The headers of the template's response headers policy, as CloudFront adds them, with
    ``sources`` for the variables of its CSP (the local cloud's URLs instead of AWS's).

    A CSP variable without a local value stops the start: the template and this file must
    agree on what the console may reach."""
    config = template.raw_properties(HEADERS_POLICY)["ResponseHeadersPolicyConfig"]
    security = config.get("SecurityHeadersConfig", {})
    headers: dict[str, str] = {}
    if csp := security.get("ContentSecurityPolicy"):
        headers["Content-Security-Policy"] = _local_csp(csp["ContentSecurityPolicy"], sources)
    if sts := security.get("StrictTransportSecurity"):
        value = f"max-age={int(sts['AccessControlMaxAgeSec'])}"
        value += "; includeSubDomains" if sts.get("IncludeSubdomains") else ""
        value += "; preload" if sts.get("Preload") else ""
        headers["Strict-Transport-Security"] = value
    if "ContentTypeOptions" in security:
        headers["X-Content-Type-Options"] = "nosniff"
    if frame := security.get("FrameOptions"):
        headers["X-Frame-Options"] = str(frame["FrameOption"])
    if referrer := security.get("ReferrerPolicy"):
        headers["Referrer-Policy"] = str(referrer["ReferrerPolicy"])
    if xss := security.get("XSSProtection"):
        headers["X-XSS-Protection"] = "1; mode=block" if xss.get("Protection") else "0"
    for custom in config.get("CustomHeadersConfig", {}).get("Items", []):
        headers[str(custom["Header"])] = str(custom["Value"])
    return headers


def _local_csp(value: Any, sources: Mapping[str, str]) -> str:
    if isinstance(value, str):
        return value
    if not (isinstance(value, Mapping) and "Fn::Sub" in value):
        raise TemplateError(f"{HEADERS_POLICY}: the CSP must be a string or a !Sub")
    sub = value["Fn::Sub"]
    text, variables = sub if isinstance(sub, list) else (sub, {})
    missing = set(variables) - set(sources)
    if missing:
        raise TemplateError(f"{HEADERS_POLICY}: no local value for {sorted(missing)}")
    local = Template(document={"Resources": {}}, region="local", stack_name="local")
    local.parameters.update(sources)
    return str(local.resolve({"Fn::Sub": [text, {name: sources[name] for name in variables}]}))


class ConsoleSite:
    """A WSGI application: the built console, its ``/config.json`` and the security headers.

    It answers once :meth:`configure` has given it the endpoints (the APIs start after the
    console's port is known, which the APIs' CORS needs)."""

    def __init__(self, dist_dir: Path = DIST_DIR) -> None:
        self._root = dist_dir.resolve()
        self._headers: dict[str, str] = {}
        self._config: bytes | None = None
        self._lock = threading.Lock()

    def configure(self, headers: Mapping[str, str], config: Mapping[str, Any]) -> None:
        with self._lock:
            self._headers = dict(headers)
            self._config = json.dumps(config, ensure_ascii=False, indent=2).encode("utf-8")

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        response = self._answer(Request(environ))
        return response(environ, start_response)

    def _answer(self, request: Request) -> Response:
        with self._lock:
            headers, config = dict(self._headers), self._config
        if config is None:
            response = Response(_STARTING, status=503, content_type="text/html; charset=utf-8")
        elif request.method not in ("GET", "HEAD"):
            # The distribution allows GET and HEAD only.
            response = Response(status=405, headers={"Allow": "GET, HEAD"})
        elif request.path == "/config.json":
            response = Response(config, content_type="application/json")
            response.headers["Cache-Control"] = NO_CACHE
        else:
            response = self._file(request.path.lstrip("/"))
        for name, value in headers.items():
            response.headers[name] = value
        return response

    def _file(self, key: str) -> Response:
        index = self._root / "index.html"
        if not index.is_file():
            return Response(_NOT_BUILT, status=503, content_type="text/html; charset=utf-8")
        file = (self._root / key).resolve() if key else index
        if not file.is_file() or self._root not in file.parents:
            # CloudFront's custom error response: the app's page, 200, routed in the browser.
            file, key = index, "index.html"
        response = Response(file.read_bytes(), content_type=content_type(file.name))
        response.headers["Cache-Control"] = cache_control(key)
        return response
