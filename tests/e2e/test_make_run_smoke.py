"""`make run`'s entry point, started as a process: it serves, and stopping it leaves nothing."""

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import boto3
import pytest
import requests

from tests.localcloud_process import (
    ROOT,
    local_cloud_environment,
    start_local_cloud,
    wait_for_endpoints,
)

pytestmark = pytest.mark.e2e


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _listening(url: str) -> bool:
    parsed = urlparse(url)
    with socket.socket() as probe:
        return probe.connect_ex((parsed.hostname, parsed.port)) == 0


def _wait_for_summary(api_url: str, token: str, online: int, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        summary = requests.get(
            f"{api_url}/units/52/devices/summary",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()
        if summary["online"] >= online or time.monotonic() > deadline:
            return summary
        time.sleep(0.5)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_run_serves_units_and_stops_cleanly(tmp_path, stop_signal):
    process = start_local_cloud(tmp_path)
    try:
        endpoints = wait_for_endpoints(tmp_path, process, timeout=60)
        admin = next(u for u in endpoints["demo_users"] if u["username"] == "tinh-admin")
        cognito = boto3.client(
            "cognito-idp",
            endpoint_url=endpoints["aws_endpoint_url"],
            region_name=endpoints["region"],
        )
        token = cognito.initiate_auth(
            ClientId=endpoints["user_pool_client_id"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": admin["username"], "PASSWORD": admin["password"]},
        )["AuthenticationResult"]["IdToken"]

        response = requests.get(
            f"{endpoints['api_url']}/units/52",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )

        assert response.status_code == 200
        assert len(response.json()["children"]) == 11
        # The demo week: today's programme of Phường Nhơn Bình has the seeded bulletins.
        today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
        programme = requests.get(
            f"{endpoints['api_url']}/units/21550/programme?date={today}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()
        assert {item["priority"] for item in programme["items"]} == {"normal", "priority"}
        assert {item["layer"] for item in programme["items"]} >= {"district", "commune"}
        # The public portal, no sign-in: the ward's page has the demo items meant for the web.
        page = requests.get(f"{endpoints['portal_url']}/units/21550", timeout=30)
        assert page.status_code == 200
        assert "Đêm văn nghệ mừng Ngày hội Đại đoàn kết" in page.text
        assert "Phòng chống sốt xuất huyết mùa mưa" in page.text
        assert "Đảm bảo an ninh trật tự" not in page.text  # loudspeakers only
        # The simulated fleet: a loudspeaker cluster and a board in a commune of each district,
        # provisioned and connected over mTLS before the endpoints file is written.
        assert endpoints["fleet"]["devices"] == 22
        summary = _wait_for_summary(endpoints["api_url"], token, online=22)
        assert (summary["online"], summary["total"]) == (22, 22)
    finally:
        # As a terminal does: Ctrl-C reaches the whole foreground process group (moto and
        # Mosquitto too); systemd or kill send SIGTERM to the process alone.
        if stop_signal == signal.SIGINT:
            os.killpg(process.pid, stop_signal)
        else:
            process.send_signal(stop_signal)
        output, _ = process.communicate(timeout=30)

    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert not _group_alive(process.pid), "a process of the local cloud is still running"
    assert not _listening(endpoints["api_url"])
    assert not _listening(endpoints["portal_url"])
    assert not _listening(endpoints["aws_endpoint_url"])
    assert not _listening(endpoints["console_url"])
    assert not _listening(f"mqtt://127.0.0.1:{endpoints['mqtt']['tls_port']}")
    assert not (tmp_path / "endpoints.json").exists()


@pytest.mark.parametrize(
    ("busy", "listening"),
    [
        ("NGUON_AWS_PORT", True),
        ("NGUON_API_PORT", True),
        ("NGUON_SPEECH_PORT", True),
        ("NGUON_CONSOLE_PORT", True),
        # Bound by another process but not listening: a connect probe would miss it.
        ("NGUON_MQTT_PORT", False),
    ],
)
def test_busy_port_is_a_clear_error_not_a_hang(tmp_path, busy, listening):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        if listening:
            holder.listen()
        environment = local_cloud_environment(
            tmp_path, NGUON_FLEET="off", **{busy: str(holder.getsockname()[1])}
        )
        finished = subprocess.run(
            [sys.executable, "-m", "infra.localcloud"],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            # A hang, not a slow start: generous for a loaded machine, where a kill at the
            # limit would leave the broker it started (its own process group) running.
            timeout=180,
        )

    assert finished.returncode == 1
    assert "in use" in finished.stderr
    assert "Traceback" not in finished.stderr
    assert not (tmp_path / "endpoints.json").exists()
