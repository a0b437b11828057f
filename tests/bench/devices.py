"""Devices on the local cloud: emergency fan-out against the broker's raw delivery, and the
heartbeat ingest rate.

Fan-out: N loudspeaker clusters (the device SDK over mTLS, in a process of their own) spread
over the province's communes; an emergency for the whole province is approved through the API;
the figure is the time from the approve call returning to the last device starting playback.
Baseline, same broker, same run: N bare MQTT5 clients on the plain listener and one QoS 1
publish, from the publish to the last client receiving it.

Heartbeats: K heartbeats published as fast as a tool client can, through the topic rule to the
telemetry function and DynamoDB; the rate is K over the time until the last one is stored.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
import requests

from infra.localcloud.cloud import LocalCloud, LocalCloudConfig
from infra.localcloud.fleet import _provisioning
from infra.tools.provision_device import write_bundle
from infra.tools.sign_in import id_token
from nguon.models.devices import DeviceKind, DeviceRegistration
from nguon.models.principal import Principal, Role
from nguon.models.units import UnitLevel
from nguon.services.unit_catalogue import load_bundled_catalogue

ROOT = Path(__file__).resolve().parents[2]
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ADMIN = Principal(user_id="bench", username="bench", roles=frozenset({Role.ADMIN}), home_unit="52")


def provision(count: int, folder: Path, workers: int = 8) -> tuple[list[Path], float]:
    from concurrent.futures import ThreadPoolExecutor

    service = _provisioning()
    communes = [u for u in load_bundled_catalogue() if u.level is UnitLevel.COMMUNE]
    # Commune by commune, as technicians install them (and as the fan-out batches them).
    requests_ = [
        DeviceRegistration(
            kind=DeviceKind.SPEAKER,
            unit=communes[index * len(communes) // count].code,
            name=f"Bench {index}",
            location={"lat": 13.9, "lon": 109.0},
            vendor="bench",
            model="bench",
        )
        for index in range(count)
    ]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        bundles = list(
            pool.map(
                lambda r: write_bundle(service.provision(ADMIN, r).model_dump(mode="json"), folder),
                requests_,
            )
        )
    return bundles, time.perf_counter() - started


class Devices:
    """A fleet_process child: ``ready`` once connected, then ``heard`` lines."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.fleet_process", *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ready(self) -> int:
        for line in self.process.stdout:
            if line.startswith("ready"):
                return int(line.split()[1])
        raise RuntimeError("the device process ended before it was ready")

    def heard(self, count: int, timeout: float, alert: str = "baseline") -> list[float]:
        import selectors

        first: dict[str, float] = {}  # a device may play it twice (repeats): its first time
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while len(first) < count and time.monotonic() < deadline:
            if selector.select(timeout=max(0.0, deadline - time.monotonic())):
                line = self.process.stdout.readline()
                if line.startswith("heard"):
                    _, name, moment, what = line.split()
                    if what == alert:  # not an earlier alert still in force
                        first.setdefault(name, float(moment))
        return list(first.values())

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()


def settle(cloud: LocalCloud) -> None:
    """Wait until the fan-out has no backlog and no rule invocation is pending."""
    for _ in range(3):
        for poller in cloud.stream_pollers:
            poller.wait_idle(timeout=600)
        cloud.invoker.wait_idle(timeout=600)
        time.sleep(1)


def approve_emergency(api: str, editor: str, approver: str) -> tuple[str, float]:
    now = datetime.now(ZONE).replace(microsecond=0)
    body = {
        "title": "Cảnh báo bão số 9",
        "body": "Bão số 9 đổ bộ; người dân ở trong nhà, không ra biển.",
        "category": "disaster",
        "priority": "emergency",
        "targets": ["52"],
        "schedule": {"type": "once", "at": now.isoformat()},
        "valid_from": (now - timedelta(minutes=1)).isoformat(),
        "valid_until": (now + timedelta(minutes=20)).isoformat(),
        "duration_s": 2,
    }
    headers = {"Authorization": f"Bearer {editor}"}
    created = requests.post(f"{api}/bulletins", json=body, headers=headers, timeout=30).json()
    requests.post(f"{api}/bulletins/{created['id']}/submit", headers=headers, timeout=30)
    approved = requests.post(
        f"{api}/bulletins/{created['id']}/approve",
        headers={"Authorization": f"Bearer {approver}"},
        timeout=60,
    )
    returned = time.monotonic()
    approved.raise_for_status()
    return created["id"], returned


def withdraw(api: str, approver: str, bulletin_id: str) -> None:
    """The next size starts from a province without an emergency in force."""
    requests.post(
        f"{api}/bulletins/{bulletin_id}/withdraw",
        json={"reason": "Hết đo"},
        headers={"Authorization": f"Bearer {approver}"},
        timeout=60,
    ).raise_for_status()


def fanout(cloud: LocalCloud, bundles_dir: Path, sizes: list[int]) -> list[dict]:
    endpoints = cloud.endpoints
    password = cloud.config.demo_password
    editor = id_token(endpoints, "tinh-editor", password)
    approver = id_token(endpoints, "tinh-approver", password)
    tool = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id="bench-tool", protocol=mqtt.MQTTv5
    )
    tool.connect(endpoints["mqtt"]["host"], endpoints["mqtt"]["port"])
    tool.loop_start()
    rows = []
    for size in sizes:
        base = Devices(
            "baseline", endpoints["mqtt"]["host"], str(endpoints["mqtt"]["port"]), str(size)
        )
        base.ready()
        published = time.monotonic()
        tool.publish("bench/baseline", b'{"n": 1}', qos=1)
        raw = base.heard(size, timeout=60)
        base.stop()

        devices = Devices("fleet", str(bundles_dir), str(size))
        connected = devices.ready()
        settle(cloud)  # connections' presence, reports and shadow gets done: a quiet system
        alert, returned = approve_emergency(endpoints["api_url"], editor, approver)
        heard = devices.heard(size, timeout=120, alert=alert)
        devices.stop()
        withdraw(endpoints["api_url"], approver, alert)
        settle(cloud)
        row = {
            "devices": size,
            "connected": connected,
            "heard": len(heard),
            "last_s": round(max(heard) - returned, 3) if heard else None,
            "median_s": round(statistics.median(heard) - returned, 3) if heard else None,
            "baseline_received": len(raw),
            "baseline_last_s": round(max(raw) - published, 3) if raw else None,
        }
        if row["last_s"] and row["baseline_last_s"]:
            row["ratio"] = round(row["last_s"] / row["baseline_last_s"], 1)
        print(json.dumps(row), flush=True)
        rows.append(row)
    tool.disconnect()
    return rows


def heartbeats(cloud: LocalCloud, things: list[str], count: int) -> dict:
    endpoints = cloud.endpoints
    tool = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id="bench-beats", protocol=mqtt.MQTTv5
    )
    tool.max_inflight_messages_set(1000)
    tool.connect(endpoints["mqtt"]["host"], endpoints["mqtt"]["port"])
    tool.loop_start()
    cloud.invoker.wait_idle(timeout=120)
    before = cloud.invoker.submitted
    started = time.perf_counter()
    sent_at = datetime.now(ZONE).isoformat()
    for index in range(count):
        thing = things[index % len(things)]
        body = {
            "thing": thing,
            "seq": index,
            "sent_at": sent_at,
            "uptime_s": index,
            "playing": None,
        }
        tool.publish(f"nguon/devices/{thing}/heartbeat", json.dumps(body), qos=0)
    published = time.perf_counter() - started
    # Until the rule has handed every heartbeat on (they cross the broker and the bridge
    # first: an idle invoker right after publishing means nothing yet), then until handled.
    deadline = time.monotonic() + 600
    while cloud.invoker.submitted - before < count and time.monotonic() < deadline:
        time.sleep(0.05)
    cloud.invoker.wait_idle(timeout=600)
    elapsed = time.perf_counter() - started
    arrived = cloud.invoker.submitted - before
    tool.disconnect()
    return {
        "heartbeats": count,
        "arrived": arrived,
        "publish_s": round(published, 2),
        "ingest_s": round(elapsed, 2),
        "per_second": round(count / elapsed, 1),
    }


def run(quick: bool = False) -> dict:
    sizes = [250, 500] if quick else [250, 500, 1000, 2500]
    if os.environ.get("NGUON_BENCH_SIZES"):  # e.g. "250,500,1000"
        sizes = [int(n) for n in os.environ["NGUON_BENCH_SIZES"].split(",")]
    with tempfile.TemporaryDirectory() as temporary:
        state = Path(temporary)
        config = LocalCloudConfig(state_dir=state, schedules=False, fleet="off")
        with LocalCloud(config) as cloud:
            bundles, seconds = provision(max(sizes), state / "bundles")
            print(f"provisioned {len(bundles)} devices in {seconds:.1f} s", flush=True)
            settle(cloud)
            rows = fanout(cloud, state / "bundles", sizes)
            things = [path.name for path in bundles]
            beats = heartbeats(cloud, things, 500 if quick else 2000)
            print(json.dumps(beats), flush=True)
    return {
        "provisioning": {"devices": len(bundles), "seconds": round(seconds, 1)},
        "emergency_fanout": rows,
        "heartbeat_ingest": beats,
    }


def heartbeats_only(devices: int = 100, count: int = 2000) -> dict:
    """``python -m tests.bench.devices heartbeats``: the ingest rate alone, on a small fleet."""
    with tempfile.TemporaryDirectory() as temporary:
        state = Path(temporary)
        config = LocalCloudConfig(state_dir=state, schedules=False, fleet="off")
        with LocalCloud(config) as cloud:
            bundles, _ = provision(devices, state / "bundles")
            settle(cloud)
            return heartbeats(cloud, [path.name for path in bundles], count)


if __name__ == "__main__":
    if "heartbeats" in sys.argv:
        print(json.dumps(heartbeats_only(), indent=2))
    else:
        print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
