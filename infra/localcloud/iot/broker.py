"""Mosquitto as the local IoT Core endpoint: an mTLS listener for devices, a plain one for tools.

Devices present a certificate signed by the project CA (the one registered in the IoT
registry); none, or another CA's, is refused by the TLS handshake. The certificate's CN is the
thing name and becomes the MQTT username, which the ACL generated from the template's device
policy uses. Mosquitto announces connections only in its log, so the log is read here and each
device connection or disconnection is handed on as a :class:`ConnectionEvent` (the bridge turns
them into IoT Core's presence events).
"""

import getpass
import logging
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from infra.localcloud.services import require_free_port, spawn, stop_process
from nguon.adapters.certificates import CertificateAuthority

log = logging.getLogger("localcloud.mosquitto")

_CONNECTED = re.compile(r"New client connected from (\S+):(\d+) as (\S+) \(.*?(?:u'(.*)')?\)\.$")
# Printed once every listener is bound and listening ("Opening ... listen socket" comes
# before the bind, so a client acting on it can be refused).
_RUNNING = re.compile(r"mosquitto version \S+ running$")
_NEW_SOCKET = re.compile(r"New connection from (\S+):(\d+) on port (\d+)\.$")
# How Mosquitto 2.0 words each way a connection ends, and what IoT Core calls it.
_DISCONNECTED = (
    (re.compile(r"Client (\S+) disconnected\.$"), "CLIENT_INITIATED_DISCONNECT"),
    (re.compile(r"Client (\S+) closed its connection\.$"), "CONNECTION_LOST"),
    (re.compile(r"Client (\S+) has exceeded timeout, disconnecting\.$"), "MQTT_KEEP_ALIVE_TIMEOUT"),
    (re.compile(r"Socket error on client (\S+), disconnecting\.$"), "CONNECTION_LOST"),
    (
        re.compile(r"Client (\S+) already connected, closing old connection\.$"),
        "DUPLICATE_CLIENTID",
    ),
    (re.compile(r"Client (\S+) disconnected due to protocol error\.$"), "MQTT_PROTOCOL_ERROR"),
    (re.compile(r"Client (\S+) disconnected, not authorised\.$"), "AUTHORIZATION_ERROR"),
)


# Warnings that say nothing new here: root in CI, and topic-wide ACL lines (area topics).
_EXPECTED = re.compile(r"should not be run as root|does not contain '%c' or '%u'")


@dataclass(frozen=True)
class ConnectionEvent:
    client_id: str
    connected: bool
    at_ms: int
    ip_address: str = ""
    username: str = ""
    reason: str = ""
    """For disconnections: IoT Core's ``disconnectReason``."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MosquittoBroker:
    name = "mosquitto"

    def __init__(
        self,
        state_dir: Path,
        ca: CertificateAuthority,
        acl: str,
        *,
        port: int = 0,
        tls_port: int = 0,
        on_connection: Callable[[ConnectionEvent], None] | None = None,
    ) -> None:
        self.dir = state_dir / "mosquitto"
        self.host = "127.0.0.1"
        self._chosen_ports = (port, tls_port)
        self.port = port or free_port()
        self.tls_port = tls_port or free_port()
        self.on_connection = on_connection
        self._ca = ca
        self._acl = acl
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self._sockets: dict[str, int] = {}  # "ip:port" → the listener it came in on
        self._tls_clients: set[str] = set()
        self._ready = threading.Event()
        self._last_lines: list[str] = []

    @property
    def ca_file(self) -> Path:
        return self.dir / "ca.pem"

    def start(self) -> None:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not Path(binary).exists():
            raise RuntimeError("mosquitto is not installed (make deps installs it)")
        # Ports we picked ourselves can be taken by another process between the pick and
        # Mosquitto's bind (parallel test workers); pick again rather than fail the run.
        attempts = 1 if all(self._chosen_ports) else 3
        for attempt in range(1, attempts + 1):
            try:
                self._launch(binary)
                return
            except (_ExitedEarly, _PortTaken):
                if attempt == attempts:
                    raise
                log.info("mosquitto could not listen on %s/%s; new ports", self.port, self.tls_port)
                self.port = self._chosen_ports[0] or free_port()
                self.tls_port = self._chosen_ports[1] or free_port()

    def _launch(self, binary: str) -> None:
        self._ready.clear()
        self._last_lines.clear()
        # A bind test with SO_REUSEADDR, as Mosquitto binds: a port left in TIME_WAIT by the
        # last run's clients is still usable (a plain bind test refused it), and a port another
        # process has bound, listening or not, is refused (a connect test missed the latter).
        for port in (self.port, self.tls_port):
            try:
                require_free_port(port, self.host)
            except OSError as error:
                raise _PortTaken(str(error)) from error
        config = self._write_files()
        self._process = spawn(
            [binary, "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            bufsize=1,
        )
        self._reader = threading.Thread(target=self._read_log, name="mosquitto-log", daemon=True)
        self._reader.start()
        self._wait_until_listening()

    def update_acl(self, acl: str) -> None:
        """Replace the ACL file and have the running broker reload it (SIGHUP re-reads
        ``acl_file`` and re-applies it to connected clients)."""
        if acl == self._acl:
            return
        self._acl = acl
        (self.dir / "acl").write_text(acl)
        if self._process and self._process.poll() is None:
            self._process.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        if self._process:
            stop_process(self._process)
        if self._reader:
            self._reader.join(timeout=2)

    def _write_files(self) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        server = self._ca.issue("localhost", server_names=("127.0.0.1", "localhost"))
        self.ca_file.write_text(self._ca.certificate_pem)
        (self.dir / "server.pem").write_text(server.certificate_pem)
        key = self.dir / "server.key"
        key.write_text(server.private_key_pem)
        key.chmod(0o600)
        (self.dir / "acl").write_text(self._acl)
        config = self.dir / "mosquitto.conf"
        config.write_text(
            "\n".join(
                [
                    "# Generated by the local cloud for this run.",
                    "per_listener_settings true",
                    # Run as whoever started us; as root, Mosquitto would switch to a
                    # `mosquitto` user that cannot read this folder.
                    f"user {getpass.getuser()}",
                    "persistence false",
                    "log_dest stderr",  # unbuffered: presence must not wait for a full pipe buffer
                    "log_type error",
                    "log_type warning",
                    "log_type notice",
                    "log_type information",
                    "connection_messages true",
                    "log_timestamp false",
                    "max_inflight_messages 100",
                    "max_queued_messages 10000",
                    "",
                    "# Devices: mutual TLS, the certificate's CN is the username the ACL sees.",
                    f"listener {self.tls_port} 127.0.0.1",
                    f"cafile {self.ca_file}",
                    f"certfile {self.dir / 'server.pem'}",
                    f"keyfile {key}",
                    "require_certificate true",
                    "use_identity_as_username true",
                    "tls_version tlsv1.2",
                    f"acl_file {self.dir / 'acl'}",
                    "",
                    "# Tools, the bridge and benchmarks: plain MQTT on loopback only.",
                    f"listener {self.port} 127.0.0.1",
                    "allow_anonymous true",
                    "",
                ]
            )
        )
        return config

    def _wait_until_listening(self, timeout: float = 10.0) -> None:
        # The broker's own word, not a probe: a probe of the TLS port logs a failed handshake.
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.05):
            if self._process and self._process.poll() is not None:
                if self._reader:
                    self._reader.join(timeout=1)
                said = " | ".join(self._last_lines[-3:])
                raise _ExitedEarly(f"mosquitto exited with {self._process.returncode}: {said}")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"mosquitto did not open ports {self.port}, {self.tls_port}")

    def _read_log(self) -> None:
        stream = self._process.stderr if self._process else None
        for line in stream or ():
            line = line.rstrip()
            self._last_lines = [*self._last_lines[-9:], line]
            try:
                self._parse(line)
            except Exception:
                log.exception("could not handle the broker's log line %r", line)

    def _parse(self, line: str) -> None:
        if _RUNNING.search(line):
            self._ready.set()
            return
        if match := _NEW_SOCKET.search(line):
            self._sockets[f"{match[1]}:{match[2]}"] = int(match[3])
            return
        if match := _CONNECTED.search(line):
            address = f"{match[1]}:{match[2]}"
            if self._sockets.pop(address, None) != self.tls_port:
                return  # tools on the plain listener are not devices
            client = match[3]
            self._tls_clients.add(client)
            self._emit(ConnectionEvent(client, True, _now_ms(), match[1], match[4] or ""))
            return
        for pattern, reason in _DISCONNECTED:
            if (match := pattern.search(line)) and match[1] in self._tls_clients:
                if reason != "DUPLICATE_CLIENTID":
                    self._tls_clients.discard(match[1])
                self._emit(ConnectionEvent(match[1], False, _now_ms(), reason=reason))
                return
        if ("error" in line.lower() or "warning" in line.lower()) and not _EXPECTED.search(line):
            log.info("%s", line)

    def _emit(self, event: ConnectionEvent) -> None:
        if self.on_connection:
            self.on_connection(event)


class _ExitedEarly(RuntimeError):
    """Mosquitto stopped before it was listening (typically: a port already taken)."""


class _PortTaken(OSError):
    pass


def _now_ms() -> int:
    return int(time.time() * 1000)
