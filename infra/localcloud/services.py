"""The pieces of the local cloud, started in order and stopped in reverse."""

import logging
import socket
import threading
from typing import Any, Protocol

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from infra.localcloud import moto_transactions
from infra.localcloud.gateway import HttpServer


def _require_free_port(port: int) -> None:
    if port == 0:
        return
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise OSError(f"port {port} is already in use") from error


class Service(Protocol):
    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


class _OneTableWriterAtATime:
    """WSGI middleware: moto's DynamoDB is not thread-safe (a transaction deep-copies the table
    while another request changes it: "dictionary changed size during iteration"), and the
    local cloud calls it from many threads. DynamoDB serialises conflicting writes itself;
    here every DynamoDB (and streams) request takes its turn."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            with self._lock:
                return list(self._app(environ, start_response))
        return self._app(environ, start_response)


class _SerialisedMotoServer(ThreadedMotoServer):
    def _server_entry(self) -> None:
        app = _OneTableWriterAtATime(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


class MotoService:
    """moto in server mode: S3, DynamoDB, Cognito (real JWTs), IoT, SQS... on one port."""

    name = "moto"

    def __init__(self, port: int = 0) -> None:
        self._port = port
        self._server = _SerialisedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.url = ""

    def start(self) -> None:
        moto_transactions.install()
        # moto reports a busy port from its server thread and then waits for ever: check first.
        _require_free_port(self._port)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        # moto's werkzeug logs every AWS call; the gateway keeps its own log.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    def stop(self) -> None:
        self._server.stop()


class HttpService:
    """A WSGI application (such as the API gateway) on its own port."""

    def __init__(self, name: str, app: object, port: int = 0) -> None:
        self.name = name
        self._server = HttpServer(app, port=port, name=name)
        self.url = self._server.url

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()
