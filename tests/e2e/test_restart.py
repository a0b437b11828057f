"""`make run` stopped with Ctrl-C and started again at once, on the same fixed ports."""

import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import boto3
import paho.mqtt.client as mqtt
import pytest
import requests

from tests.localcloud_process import start_local_cloud, wait_for_endpoints
from tests.ports import free_ports

pytestmark = pytest.mark.e2e

STOPPING = "Đang dừng / stopping..."


def _start(state: Path, ports: list[int]) -> subprocess.Popen:
    return start_local_cloud(state, ports, NGUON_FLEET="off", NGUON_DEMO_BULLETINS="0")


def _traffic(endpoints: dict, session: requests.Session) -> None:
    """Clients as a person's would be: kept-alive HTTP to the API and to moto, and MQTT."""
    assert session.get(f"{endpoints['api_url']}/openapi.json", timeout=10).status_code == 200
    cognito = boto3.client(
        "cognito-idp", endpoint_url=endpoints["aws_endpoint_url"], region_name=endpoints["region"]
    )
    cognito.list_user_pool_clients(UserPoolId=endpoints["user_pool_id"], MaxResults=1)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect("127.0.0.1", endpoints["mqtt"]["port"])
    client.loop(timeout=0.5)
    client.disconnect()


def _ctrl_c(process: subprocess.Popen) -> str:
    """Ctrl-C as a terminal sends it: SIGINT to the whole foreground process group."""
    os.killpg(process.pid, signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    return output


def _plainly_bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _leave_in_time_wait(port: int) -> None:
    """A connection on `port` whose server side closes first: that side waits in TIME_WAIT."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(1)
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        served, _ = listener.accept()
        served.close()
        client.recv(1)  # the server's FIN has arrived
        client.close()


def test_ctrl_c_stops_cleanly_and_a_restart_on_the_same_ports_works_at_once(tmp_path):
    ports = free_ports(7)
    session = requests.Session()  # keeps its connection to the API open across the stop
    first = _start(tmp_path, ports)
    try:
        endpoints = wait_for_endpoints(tmp_path, first, timeout=60)
        _traffic(endpoints, session)
    finally:
        output = _ctrl_c(first)

    # The terminal: a short line per invocation, no JSON; the JSON is in the function's file.
    assert re.search(
        r"^\d\d:\d\d:\d\d ApiFunction ok \d+ ms GET /openapi.json → 200$", output, re.M
    )
    assert '{"level"' not in output
    # (the upload function logs S3's test event on every start)
    ingest = [json.loads(line) for line in (tmp_path / "logs" / "IngestFunction.log").open()]
    assert {entry["function_name"] for entry in ingest} == {"nguon-local-IngestFunction"}
    # The stop: no traceback, one line per service at most.
    assert "Traceback" not in output, output
    stop_lines = [line for line in output.split(STOPPING, 1)[1].splitlines() if line.strip()]
    assert len(stop_lines) <= 3, stop_lines
    # The case a restart must survive: the last run's connections still hold the ports
    # (TIME_WAIT), so a plain bind is refused. Which side closed first (and so whether a fixed
    # port, rather than a client's, is left in TIME_WAIT) varies from run to run, so the test
    # also leaves the API's port in TIME_WAIT itself, as a server that closed first does.
    _leave_in_time_wait(ports[0])
    deadline = time.monotonic() + 5  # the client's FIN reaches the server side asynchronously
    while _plainly_bindable(ports[0]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _plainly_bindable(ports[0])

    started = time.monotonic()
    second = _start(tmp_path, ports)
    try:
        endpoints = wait_for_endpoints(tmp_path, second, timeout=60)
        assert [
            int(endpoints["api_url"].rsplit(":", 1)[1]),
            int(endpoints["polly_url"].rsplit(":", 1)[1].split("/", 1)[0]),
            int(endpoints["aws_endpoint_url"].rsplit(":", 1)[1]),
            endpoints["mqtt"]["port"],
            endpoints["mqtt"]["tls_port"],
            int(endpoints["console_url"].rsplit(":", 1)[1]),
            int(endpoints["portal_url"].rsplit(":", 1)[1]),
        ] == ports
        _traffic(endpoints, requests.Session())
    finally:
        output = _ctrl_c(second)
        session.close()
    assert "Traceback" not in output, output
    assert time.monotonic() - started < 60
