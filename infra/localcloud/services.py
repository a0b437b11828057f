"""The pieces of the local cloud, started in order and stopped in reverse."""

import logging
import socket
from typing import Protocol

from moto.server import ThreadedMotoServer

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


class MotoService:
    """moto in server mode: S3, DynamoDB, Cognito (real JWTs), IoT, SQS... on one port."""

    name = "moto"

    def __init__(self, port: int = 0) -> None:
        self._port = port
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.url = ""

    def start(self) -> None:
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
