"""A real Mosquitto for transport tests, on free ports, stopped by the fixture's finalizer."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def available():
    return Path(MOSQUITTO).is_file()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mosquitto:
    """``plain_port`` always; ``tls_port`` with mTLS when given the CA and server files."""

    def __init__(self, folder, *, ca=None, cert=None, key=None):
        self.plain_port = free_port()
        lines = ["per_listener_settings true"]
        if os.geteuid() == 0:
            lines.append("user root")  # else it drops to 'mosquitto', who cannot read tmp files
        lines += [f"listener {self.plain_port} 127.0.0.1", "allow_anonymous true"]
        self.tls_port = None
        if ca:
            self.tls_port = free_port()
            lines += [
                f"listener {self.tls_port} 127.0.0.1",
                "allow_anonymous true",
                f"cafile {ca}",
                f"certfile {cert}",
                f"keyfile {key}",
                "require_certificate true",
                "use_identity_as_username true",
            ]
        self.conf = Path(folder) / "mosquitto.conf"
        self.conf.write_text("\n".join(lines) + "\n")
        self.log = Path(folder) / "mosquitto.log"
        self.start()

    def start(self):
        """(Re)start on the same ports: a broker outage, as devices see it."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [MOSQUITTO, "-c", str(self.conf)], stdout=out, stderr=out
            )
        self._wait_listening()

    def _wait_listening(self):
        deadline = time.monotonic() + 5
        for port in filter(None, (self.plain_port, self.tls_port)):
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or self.process.poll() is not None:
                        self.stop()
                        raise RuntimeError(
                            f"mosquitto did not start: {self.log.read_text()}"
                        ) from None
                    time.sleep(0.02)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
