"""A stand-in for the national source information system, failing on purpose when asked.

An ``http.server`` on 127.0.0.1 (a free port) that takes ``POST /reports`` and
``POST /bulletins`` as ``nguon.adapters.central`` sends them and records every request
(path, headers, body). Its behaviour is set per test:

- ``fail_times = n``: the first n requests answer ``fail_status`` (500), then 201;
- ``always = status``: every request answers that status (e.g. 500, 400, 409);
- ``delay_s``: each answer waits so long first (longer than the client's timeout: a timeout);
- a key already received answers 409 ``duplicate`` when ``duplicates`` is on (default), as an
  idempotent receiver does.

Also runs alone for ``make run`` (``NGUON_CENTRAL_URL`` pointed at it)::

    .venv/bin/python -m tests.fake_central --port 8765
"""

import argparse
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int


@dataclass
class Behaviour:
    fail_times: int = 0
    fail_status: int = 500
    always: int | None = None
    delay_s: float = 0.0
    duplicates: bool = True


@dataclass
class FakeCentral:
    behaviour: Behaviour = field(default_factory=Behaviour)
    received: list[Received] = field(default_factory=list)
    _accepted: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, port: int = 0) -> "FakeCentral":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, answer = fake._answer(self.path, dict(self.headers.items()), raw)
                data = json.dumps(answer).encode()
                if fake.behaviour.delay_s:
                    time.sleep(fake.behaviour.delay_s)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def idempotency_keys(self) -> list[str]:
        return [r.headers.get("Idempotency-Key", "") for r in self.received]

    def _answer(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict]:
        with self._lock:
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            key = headers.get("Idempotency-Key", "")
            behaviour = self.behaviour
            if path not in ("/reports", "/bulletins"):
                status, answer = 404, {"error": "no such path"}
            elif not headers.get("Authorization", "").startswith("Bearer "):
                status, answer = 401, {"error": "no key"}
            elif behaviour.always is not None:
                status, answer = behaviour.always, {"error": f"answering {behaviour.always}"}
            elif behaviour.fail_times > 0:
                behaviour.fail_times -= 1
                status, answer = behaviour.fail_status, {"error": "tạm thời không nhận"}
            elif key in self._accepted and behaviour.duplicates:
                status, answer = 409, {"error": "duplicate", "id": self._accepted[key]}
            else:
                self._accepted[key] = f"TW-{len(self._accepted) + 1:06d}"
                status, answer = 201, {"id": self._accepted[key]}
            self.received.append(Received(path, headers, body, status))
            return status, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail-times", type=int, default=0)
    args = parser.parse_args()
    fake = FakeCentral(Behaviour(fail_times=args.fail_times))
    fake.start(args.port)
    print(f"fake central system at {fake.url}  (NGUON_CENTRAL_URL={fake.url})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
