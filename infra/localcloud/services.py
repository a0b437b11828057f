"""The pieces of the local cloud, started in order and stopped in reverse."""

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Protocol

from infra.localcloud.gateway import HttpServer


def require_free_port(port: int, host: str = "127.0.0.1") -> None:
    """Fail clearly if another process holds ``port``, as the servers here would on binding.

    The probe binds with SO_REUSEADDR, as every server of the local cloud does (werkzeug,
    Mosquitto): sockets left in TIME_WAIT by the last run's clients do not stop a restart,
    while a port another socket is bound to (listening or not) still refuses the bind."""
    if port == 0:
        return
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise OSError(f"port {port} is already in use") from error


def spawn(args: list[str], **options: Any) -> subprocess.Popen[str]:
    """A helper process (moto, Mosquitto) in a process group of its own: Ctrl-C in the
    terminal signals the whole foreground group, and a helper stopped by it before the local
    cloud stops in order leaves the threads that call it failing (tracebacks on every stop).
    The local cloud stops its helpers itself (``stop_process``), last."""
    return subprocess.Popen(args, text=True, process_group=0, **options)


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Terminate, and kill what does not end within 5 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Service(Protocol):
    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


class MotoService:
    """moto in server mode (S3, DynamoDB, Cognito with real JWTs, IoT, SQS...) on one port, in
    a process of its own: moto keeps its state in module globals, and in-process unit tests
    (``mock_aws`` resets every backend on exit) must not wipe the local cloud's."""

    name = "moto"

    def __init__(self, port: int = 0) -> None:
        self._port = port
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> None:
        # moto reports a busy port from its server thread and then waits for ever: check first.
        require_free_port(self._port)
        self._process = spawn(
            [sys.executable, "-m", "infra.localcloud.moto_process", str(self._port)],
            stdout=subprocess.PIPE,
            cwd=str(Path(__file__).resolve().parents[2]),
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()  # "listening <port>" once it is
        if not line.startswith("listening "):
            self.stop()
            raise RuntimeError(f"moto did not start (it said {line!r})")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"

    def stop(self) -> None:
        if self._process:
            stop_process(self._process)
            if self._process.stdout:
                self._process.stdout.close()


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
