"""The local cloud's moto server, run as ``python -m infra.localcloud.moto_process PORT``.

A process of its own (see ``services.MotoService``). It prints ``listening <port>`` once it
accepts requests, and exits with its parent.
"""

import logging
import os
import sys
import threading
import time
from types import MappingProxyType
from typing import Any, Final

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from infra.localcloud import moto_cognito, moto_json, moto_queries, moto_transactions


class _OneRequestPerServiceAtATime(DomainDispatcherApplication):
    """moto's backends are not thread-safe: a DynamoDB transaction deep-copies the table while
    another request changes it ("dictionary changed size during iteration"), and IoT's
    ``describe_thing`` walks the things while the fleet's provisioning threads add more
    ("OrderedDict mutated during iteration"). The local cloud calls moto from many threads;
    AWS serialises conflicting changes itself. Here each service's requests take their turn,
    while different services still answer side by side."""

    # DynamoDB Streams is a backend of its own, reading the shards DynamoDB's writes append to.
    _SHARED_TURNS: Final = MappingProxyType({"dynamodbstreams": "dynamodb"})
    # SQS's long poll waits inside the request for a message to arrive: in a turn it would
    # hold back the very send it waits for. moto's SQS guards its queues with its own locks.
    _OWN_LOCKS: Final = frozenset({"sqs"})

    def __init__(self) -> None:
        super().__init__(create_backend_app)
        self._turns: dict[str, threading.Lock] = {}
        self._turns_lock = threading.Lock()
        self._backends: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        # moto lists its package directory (a listdir and an isdir per service) on every
        # request to find the backend; a host always names the same one.
        if host not in self._backends:
            self._backends[host] = super().get_backend_for_host(host)
        return self._backends[host]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        backend_app = self.get_application(environ)
        service = self._service_of(backend_app)
        if service in self._OWN_LOCKS:
            return backend_app(environ, start_response)
        with self._turns_lock:
            turn = self._turns.setdefault(
                self._SHARED_TURNS.get(service, service), threading.Lock()
            )
        with turn:
            # The whole answer is produced inside the turn: moto builds some bodies lazily.
            return list(backend_app(environ, start_response))

    def _service_of(self, backend_app: Any) -> str:
        with self.lock:
            return next(name for name, app in self.app_instances.items() if app is backend_app)


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def main(port: int) -> None:
    moto_transactions.install()
    moto_queries.install()
    moto_json.install()
    moto_cognito.install()
    # moto's werkzeug logs every AWS call; the gateway keeps its own log.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = _OneRequestPerServiceAtATime()
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    print(f"listening {server.server_port}", flush=True)
    # Nobody reads stdout after that line: anything else written there must not block us.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
