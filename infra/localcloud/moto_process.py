"""The local cloud's moto server, run as ``python -m infra.localcloud.moto_process PORT``.

A process of its own (see ``services.MotoService``). It prints ``listening <port>`` once it
accepts requests, and exits with its parent.
"""

import logging
import os
import sys
import threading
import time
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from infra.localcloud import moto_cognito, moto_transactions


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


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def main(port: int) -> None:
    moto_transactions.install()
    moto_cognito.install()
    # moto's werkzeug logs every AWS call; the gateway keeps its own log.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = _OneTableWriterAtATime(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    print(f"listening {server.server_port}", flush=True)
    # Nobody reads stdout after that line: anything else written there must not block us.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
