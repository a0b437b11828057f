"""``python -m infra.localcloud`` as ``make run`` starts it, for e2e tests, browser tests and
benchmarks: one list of the ports it opens, one environment, one way to start it."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]

PORT_VARIABLES = (
    "NGUON_API_PORT",
    "NGUON_SPEECH_PORT",
    "NGUON_AWS_PORT",
    "NGUON_MQTT_PORT",
    "NGUON_MQTT_TLS_PORT",
    "NGUON_CONSOLE_PORT",
    "NGUON_PORTAL_PORT",
)
"""Every port the local cloud opens; a fixed default for any left out would collide."""

# Set by a developer's shell or another test's cloud: this cloud makes its own.
_INHERITED = ("AWS_ENDPOINT_URL", "TABLE_NAME")


def local_cloud_environment(
    state: Path | str, ports: Sequence[int] | None = None, **settings: str
) -> dict[str, str]:
    """The environment of a local cloud keeping its state in ``state``.

    ``ports`` in the order of ``PORT_VARIABLES`` (default: free ones, chosen by each server);
    ``settings`` are further variables, such as ``NGUON_FLEET="off"``.
    """
    chosen = ports if ports is not None else [0] * len(PORT_VARIABLES)
    environment = {
        **os.environ,
        **dict(zip(PORT_VARIABLES, map(str, chosen), strict=True)),
        "NGUON_STATE_DIR": str(state),
        "PYTHONUNBUFFERED": "1",
        **settings,
    }
    for inherited in _INHERITED:
        environment.pop(inherited, None)
    return environment


def start_local_cloud(
    state: Path | str,
    ports: Sequence[int] | None = None,
    *,
    output: int | IO[str] | None = subprocess.PIPE,
    **settings: str,
) -> subprocess.Popen[str]:
    """The local cloud in a process group of its own (everything it starts is in it, so a
    SIGINT to the group is a terminal's Ctrl-C); its terminal, errors included, to ``output``."""
    return subprocess.Popen(
        [sys.executable, "-m", "infra.localcloud"],
        cwd=ROOT,
        env=local_cloud_environment(state, ports, **settings),
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


class LocalCloudDidNotStart(RuntimeError):
    """The process exited, or wrote no endpoints in time; the message says which."""


def wait_for_endpoints(
    state: Path | str, process: subprocess.Popen[str], timeout: float = 120
) -> dict:
    """The endpoints file the local cloud writes once every service answers."""
    path = Path(state) / "endpoints.json"
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            said = process.stdout.read() if process.stdout else "(its output went elsewhere)"
            raise LocalCloudDidNotStart(f"the local cloud exited early: {said}")
        if time.monotonic() > deadline:
            raise LocalCloudDidNotStart(f"no endpoints from the local cloud in {timeout:.0f} s")
        time.sleep(0.1)
    return json.loads(path.read_text())
